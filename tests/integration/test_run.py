"""``pr-router run`` end to end: GitHub's real webhook payloads, PyGithub behind ``responses``
(every request checked against GitHub's OpenAPI description), the SDKs on the emulator.

What a user sees is asserted where they see it: the review and its inline comments, the
sticky summary (marker, visible cost table, hidden state), GITHUB_OUTPUT, the job summary,
the ledger artifact and the exit code.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import requests
from openapi_check import request_problems

from pr_router.emulator import Scenario
from pr_router.github.emulated import GitHubState
from pr_router.github.publish import fingerprints_in
from pr_router.github.state import SUMMARY_MARKER
from pr_router.ledger import LedgerRecord
from pr_router.pricing import PriceTable, format_usd

from .harness import API, TOKEN, GitHubMock, World, canned_rules, diff, make_world, webhook

HTTPX = "httpx__d25f2bfeff35.diff"
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
# (path, line, side, start_line) of the four findings the canned answers place on the diff.
PLACED = {
    ("httpx/_client.py", 237, "RIGHT", None),
    ("httpx/_client.py", 237, "LEFT", None),
    ("tests/client/test_auth.py", 177, "RIGHT", 176),
    ("httpx/_client.py", 1789, "RIGHT", None),
}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    # Batches end at once: a run (which does not wait) still posts them, as it would a batch
    # that ended while the synchronous jobs ran.
    yield from make_world(tmp_path, Scenario(canned_rules(), batch_duration_s=0.0))


def _usd6(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.000001'), rounding=ROUND_HALF_UP):f}"


def _by_job(records: list[LedgerRecord]) -> dict[str, LedgerRecord]:
    return {r.job: r for r in records}


@pytest.mark.parametrize(
    "payload",
    [
        "pull_request.opened.payload.json",
        "pull_request.reopened.payload.json",
        "pull_request.ready_for_review.payload.json",
    ],
)
def test_a_pr_event_posts_one_review_and_one_summary(world: World, payload: str) -> None:
    aux = {"describe", "changelog"}  # docs: the diff changes no public surface
    event = webhook(payload)
    world.seed(event, diff(HTTPX))

    result = world.run(world.env("pull_request", event))

    assert result.outcome.exit_code == 0
    # the review: one, a comment (never an approval), on the head commit, inline comments
    # anchored with line/side/start_line (never the legacy position)
    (review,) = world.state.reviews.values()
    assert (review.state, review.commit_id, review.author) == (
        "COMMENTED",
        HEAD,
        world.state.viewer,
    )
    assert "found 4 thing(s)" in review.body
    comments = list(world.state.review_comments.values())
    assert {(c.path, c.line, c.side, c.start_line) for c in comments} == PLACED
    records = _by_job(result.ledger)
    for c in comments:
        job = "security" if "CWE-522" in c.body else "review"
        note = f"<sub>{job} · claude-opus-5-5 · {format_usd(records[job].cost_usd)}</sub>"
        assert note in c.body, c.body
        assert len(fingerprints_in(c.body)) == 1
    # the summary: marker first, visible cost table, hidden state
    _, body, state = world.summary(2)
    assert body.startswith(SUMMARY_MARKER + "\n**pr-router** · this run ")
    assert "#### Cost (measured)" in body
    assert "| job | model | mode | tokens in | cached | out | cost | all-frontier | saved |" in body
    for job in ("review", "security", *aux):
        assert f"\n| {job} | " in body
    total = sum((r.cost_usd for r in result.ledger), Decimal(0))
    frontier = sum((r.all_frontier_usd for r in result.ledger), Decimal(0))
    assert f"**{format_usd(total)}**" in body
    assert (state.runs, state.cost_usd, state.last_reviewed_sha, state.pending) == (
        1,
        total,
        HEAD,
        (),
    )
    assert {fp for c in comments for fp in fingerprints_in(c.body)} <= set(state.fingerprints)
    assert state.last_run is not None
    assert state.last_run["run_id"] == result.env["GITHUB_RUN_ID"] + "-1"
    # outputs, job summary, ledger
    assert result.outputs == {
        "cost-usd": _usd6(total),
        "all-frontier-usd": _usd6(frontier),
        "savings-usd": _usd6(frontier - total),
        "pending-batches": "",
        "jobs-failed": "",
        "gate": "fail",  # the security scan's high finding (tests/integration/test_gate.py)
        # a public repository: the runner minute is free, totals are the token figures
        "runner-minutes": "1",
        "runner-usd": "0.000000",
        "total-usd": _usd6(total),
        "all-frontier-total-usd": _usd6(frontier),
        "total-savings-usd": _usd6(frontier - total),
    }
    assert result.step_summary.startswith(f"**pr-router** · this run {format_usd(total)}")
    assert "#### Routing" in result.step_summary
    assert set(records) == {"review", "security", *aux}
    assert all(r.status == "ok" and r.pr == 2 and r.head_sha == HEAD for r in result.ledger)
    assert {r.job: r.mode for r in result.ledger} == {
        "review": "sync", "security": "sync", **dict.fromkeys(aux, "batch")
    }  # fmt: skip
    assert world.github.check() == len(world.state.calls)


def test_ledger_records_name_the_comments_their_result_produced(world: World) -> None:
    event = webhook("pull_request.opened.payload.json")
    world.seed(event, diff(HTTPX))

    result = world.run(world.env("pull_request", event))

    cid, _, _ = world.summary(2)
    by_fp = {fp: c for c in world.state.review_comments.values() for fp in fingerprints_in(c.body)}
    records = _by_job(result.ledger)
    for job in ("review", "security"):
        inline = [f"review_comment:{c.id}" for c in by_fp.values() if f"<sub>{job} · " in c.body]
        assert records[job].published == [*inline, f"issue_comment:{cid}"]
    assert len(records["review"].published) == 4  # three inline comments and the summary
    for job in ("describe", "changelog"):
        assert records[job].published == [f"issue_comment:{cid}"]


def test_batch_records_are_priced_at_batch_rates(world: World) -> None:
    event = webhook("pull_request.opened.payload.json")
    world.seed(event, diff(HTTPX))

    records = world.run(world.env("pull_request", event)).ledger

    prices = PriceTable()
    for r in records:
        assert r.rates is not None
        assert r.cost_usd == r.recomputed_cost() > 0
        sync = prices.rates(r.provider, r.model, "sync")
        if r.mode == "batch":
            half = sync.scaled(Decimal("0.5"), "")
            assert (r.rates.input, r.rates.output) == (half.input, half.output)
        else:
            assert (r.rates.input, r.rates.output) == (sync.input, sync.output)


def test_rerunning_the_same_event_edits_the_summary_and_posts_nothing_twice(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    event = webhook("pull_request.opened.payload.json")
    world.seed(event, diff(HTTPX))
    first = world.run(world.env("pull_request", event))
    cid, _, _ = world.summary(2)
    inline = dict(world.state.review_comments)
    caplog.set_level(logging.INFO, logger="pr_router")

    second = world.run(world.env("pull_request", event))

    # normal on a rerun: an info line, not a warning annotation
    said = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "pr_router"]
    assert said == [(logging.INFO, "review: nothing new to post (4 already posted)")]
    assert "::warning" not in second.log

    assert (first.outcome.exit_code, second.outcome.exit_code) == (0, 0)
    assert world.state.review_comments == inline  # no duplicate inline comment
    assert len(world.state.reviews) == 1  # and no second, empty review
    creates = world.state.calls_to("issues/create-comment")
    updates = world.state.calls_to("issues/update-comment")
    assert len(creates) == 1
    assert updates
    assert {c.path for c in updates} == {f"/repos/{world.repo}/issues/comments/{cid}"}
    assert [c for c, _ in world.summaries(2)] == [cid]
    _, body, state = world.summary(2)
    assert "`review`: findings 3 already posted earlier." in body
    assert "`security`: findings 1 already posted earlier." in body
    assert state.runs == 2
    assert state.cost_usd == sum((r.cost_usd for r in first.ledger + second.ledger), Decimal(0))
    assert "over 2 runs" in body


def test_the_openapi_check_fails_a_request_github_would_refuse() -> None:
    """The check every test relies on can fail: a review comment with a made-up side."""
    bad = {"commit_id": HEAD, "event": "COMMENT", "body": "x",
           "comments": [{"path": "httpx/_client.py", "line": 237, "side": "MIDDLE", "body": "x"}]}  # fmt: skip
    state = GitHubState(token=TOKEN)
    session = requests.Session()
    prepared = session.prepare_request(
        requests.Request(
            "POST", f"{API}/repos/{state.repo}/pulls/2/reviews", json=bad,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
    )  # fmt: skip
    assert any("MIDDLE" in p for p in request_problems(prepared))
    with pytest.raises(AssertionError, match="violates GitHub's API contract"), GitHubMock(state):
        session.send(prepared)
    assert [c.status for c in state.calls] == [404]  # no such PR was seeded


def test_a_dry_run_posts_nothing_and_prints_what_it_would_post(world: World) -> None:
    event = webhook("pull_request.opened.payload.json")
    world.seed(event, diff(HTTPX))

    result = world.run(world.env("pull_request", event, PR_ROUTER_DRY_RUN="true"))

    assert result.outcome.exit_code == 0
    assert [c.method for c in world.state.calls if c.method != "GET"] == []
    assert "--- dry run: this is what would be posted ---" in result.log
    assert "## Review on PR #2 (4 inline comments)" in result.outcome.published
    assert "## New comment on PR #2" in result.outcome.published
    assert "(dry run: nothing was posted)" in result.outcome.published
    assert all(r.published == [] for r in result.ledger)  # no made-up comment ids
