"""Any run collects the batches other PRs left pending once they have ended: a batch
submitted on PR 2's run is posted by a later run on PR 7, through the real SDKs and PyGithub
against the emulators. A run never waits for them, and a collect keeps every batch of a job.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pr_router.emulator import Scenario
from pr_router.execute import PendingBatch
from pr_router.github.publish import compose_summary
from pr_router.github.state import State
from pr_router.policy.loader import default_policy_text

from .harness import World, canned_rules, diff, make_world, webhook

BATCH_S = 3600.0  # the provider ends a batch after an hour
AUX = ("changelog", "describe")
LIST_REPO_COMMENTS = "issues/list-comments-for-repo"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from make_world(tmp_path, Scenario(canned_rules(), batch_duration_s=BATCH_S))


def _pr(world: World, number: int, head: str) -> dict[str, Any]:
    """A PR opened on the repository (the same real diff, its own number and head)."""
    event = copy.deepcopy(webhook("pull_request.opened.payload.json"))
    event["number"] = event["pull_request"]["number"] = number
    event["pull_request"]["head"]["sha"] = head
    event["pull_request"]["head"]["ref"] = f"feature-{number}"
    world.seed(event, diff("httpx__d25f2bfeff35.diff"))
    return event


def _pending(state: State) -> list[PendingBatch]:
    return [PendingBatch.from_json(p) for p in state.pending]


def _waiting_policy(world: World, event: dict[str, Any]) -> None:
    """The repository's policy waits up to 5 minutes for batches in a PR's own run."""
    text = default_policy_text().replace("  wait_seconds: 0 #", "  wait_seconds: 300 #")
    assert "wait_seconds: 300" in text
    world.state.add_file(
        ".github/pr-router.yml", text.encode(), ref=event["pull_request"]["base"]["sha"]
    )


def test_a_batch_of_pr_2_is_posted_by_a_later_run_on_pr_7(world: World) -> None:
    first = world.run(world.env("pull_request", _pr(world, 2, "a" * 40)))
    _, pending_body, pending_state = world.summary(2)
    (batch,) = _pending(pending_state)
    assert sorted(i.job for i in batch.items) == list(AUX)
    # the summary says when the results are expected: an hour after the submission
    at = batch.submitted_at.astimezone(UTC)
    expected = f"submitted {at:%H:%M} UTC, expected by ~{at + timedelta(hours=1):%H:%M} UTC"
    if (at + timedelta(hours=1)).date() != at.date():
        expected = (
            f"submitted {at:%H:%M} UTC, expected by ~{at + timedelta(hours=1):%b %d %H:%M} UTC"
        )
    for job in AUX:
        assert f"⏳ `{job}` pending in batch `{batch.batch_id}`: {expected}" in pending_body
    reviews_on_2 = [r for r in world.state.reviews.values() if r.number == 2]

    world.clock.advance(BATCH_S)
    later = world.run(world.env("pull_request", _pr(world, 7, "b" * 40), machine="other"))

    assert later.outcome.exit_code == 0
    # PR 2: the batch results are in its summary, nothing pending, no second review
    cid, body, state = world.summary(2)
    assert state.pending == ()
    assert "⏳" not in body
    assert "expected by" not in body  # collected: the pending lines are gone
    assert "<details><summary>Description · describe" in body
    assert "- Streaming keeps client auth." in body
    assert [r for r in world.state.reviews.values() if r.number == 2] == reviews_on_2
    # the records of PR 2's batch are in the ledger of the run on PR 7, priced at batch rates
    collected = [r for r in later.ledger if r.pr == 2]
    assert sorted(r.job for r in collected) == list(AUX)
    for r in collected:
        assert (r.status, r.mode, r.batch_id) == ("ok", "batch", batch.batch_id)
        assert r.cost_usd == r.recomputed_cost() > 0
        assert r.published == [f"issue_comment:{cid}"]
    assert state.cost_usd == sum((r.cost_usd for r in first.ledger + collected), Decimal(0))
    assert "batches pending on 1 other PR(s); posted on: #2" in later.log
    # PR 7's own run is unaffected: its own summary, its own batch pending
    assert len(_pending(world.summary(7)[2])) == 1
    # found through one listing of the repository's comments
    assert world.operations().count(LIST_REPO_COMMENTS) == 2  # one per run


def test_a_run_with_only_running_batches_to_collect_does_not_wait(world: World) -> None:
    event = _pr(world, 2, "a" * 40)
    _waiting_policy(world, event)
    world.run(world.env("pull_request", event))
    _, before, state = world.summary(2)
    assert len(state.pending) == 1

    # ten minutes later, the batch is still running: a sweep and a run on another PR
    world.clock.advance(600)
    started = world.clock.now()
    sweep = world.run(world.env("schedule", {"schedule": "7 * * * *"}, machine="sweep"))
    assert world.clock.now() == started  # polled once, never slept, whatever the policy says
    assert sweep.outcome.exit_code == 0
    assert "0 PR(s) updated of 1 open" in sweep.log
    other = _pr(world, 7, "b" * 40)
    _waiting_policy(world, other)
    run7 = world.run(world.env("pull_request", other, machine="other"))
    assert "still running on 1" in run7.log
    assert [r for r in run7.ledger if r.pr == 2] == []
    assert world.summary(2)[1] == before  # nothing posted on PR 2 yet

    world.clock.advance(BATCH_S)
    edits = len(world.state.calls_to("issues/update-comment"))
    started = world.clock.now()
    done = world.run(world.env("schedule", {"schedule": "7 * * * *"}, machine="later"))
    assert world.clock.now() == started
    assert "PR(s) updated of 2 open" in done.log
    assert sorted(r.job for r in done.ledger if r.pr == 2) == list(AUX)
    assert len(world.state.calls_to("issues/update-comment")) > edits
    assert world.summary(2)[2].pending == ()


def test_a_failure_elsewhere_never_fails_the_run(world: World) -> None:
    world.run(world.env("pull_request", _pr(world, 2, "a" * 40)))
    world.clock.advance(BATCH_S)
    world.state.fail(LIST_REPO_COMMENTS, "forbidden")

    later = world.run(world.env("pull_request", _pr(world, 7, "b" * 40), machine="other"))

    assert later.outcome.exit_code == 0
    assert "::notice::pending batches of other PRs not looked up" in later.log
    assert world.summary(7)[2].runs == 1  # this PR's run went through
    assert len(_pending(world.summary(2)[2])) == 1  # left for the next run


def test_two_pending_batches_of_one_job_are_both_kept(world: World) -> None:
    world.run(world.env("pull_request", _pr(world, 2, "a" * 40)))
    world.run(world.env("pull_request", _pr(world, 7, "b" * 40), machine="other"))
    (first,) = _pending(world.summary(2)[2])
    cid7, _, state7 = world.summary(7)
    (second,) = _pending(state7)
    # PR 2 now waits on both batches (as after two pushes); PR 7 on none
    cid, body, state = world.summary(2)
    both = replace(state, pending=(*state.pending, *state7.pending))
    world.state.comments[cid].body = compose_summary(body.split("\n", 1)[1], both)[0]
    world.state.comments[cid7].body = compose_summary("moved", replace(state7, pending=()))[0]

    world.clock.advance(BATCH_S)
    done = world.collect(world.env("schedule", {}, machine="sweep"), numbers=(2,))

    assert done.outcome.exit_code == 0
    describe = [r for r in done.ledger if r.job == "describe"]
    assert sorted(r.batch_id or "" for r in describe) == sorted([first.batch_id, second.batch_id])
    (summary,) = done.outcome.summaries
    (job,) = [j for j in summary.jobs if j.plan.job == "describe"]
    assert job.cost_usd == sum((r.cost_usd for r in describe), Decimal(0)) > 0
    assert world.summary(2)[2].pending == ()
