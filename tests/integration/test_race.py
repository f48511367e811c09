"""Two runs of the same PR at once (a push while the last run still waits on its batches).

The interleavings are made exact by running the second run, whole, from inside one GitHub
request of the first. The end state asserted: one summary comment, one copy of each
finding, both runs counted with both costs, and every pending batch of both runs kept
until a collect finishes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from pr_router.emulator import Scenario
from pr_router.github.publish import fingerprints_in

from .harness import Result, World, canned_rules, diff, make_world, webhook

BATCH_S = 3600.0


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from make_world(tmp_path, Scenario(canned_rules(), batch_duration_s=BATCH_S))


def _race(world: World, method: str, path: str) -> tuple[Result, Result]:
    """Run A; when A sends ``method path`` the first time, run B from start to end."""
    event = webhook("pull_request.opened.payload.json")
    world.seed(event, diff("httpx__d25f2bfeff35.diff"))
    env_a, env_b = world.env("pull_request", event), world.env("pull_request", event)
    done: list[Result] = []
    world.github.before(method, path, lambda: done.append(world.run(env_b)))
    a = world.run(env_a)
    (b,) = done
    return a, b


def _assert_one_of_everything(world: World, a: Result, b: Result) -> int:
    """The end state both races must reach; returns the summary comment's id."""
    assert (a.outcome.exit_code, b.outcome.exit_code) == (0, 0)
    cid, body, state = world.summary(2)  # exactly one summary comment
    fps = [fp for c in world.state.review_comments.values() for fp in fingerprints_in(c.body)]
    assert len(fps) == len(set(fps)) == 4  # each finding once
    assert len(world.state.reviews) == 1  # the later run posts no empty second review
    assert state.runs == 2
    assert state.cost_usd == sum((r.cost_usd for r in a.ledger + b.ledger), Decimal(0))
    assert "over 2 runs" in body
    # Both runs' batches are still recorded: neither overwrote the other's.
    assert len(state.pending) == 2
    assert set(a.outputs["pending-batches"].split(",")) | set(
        b.outputs["pending-batches"].split(",")
    ) == {f"{p['provider']}:{p['batch_id']}" for p in state.pending}
    # Each run's ledger points at the one comment.
    for r in a.ledger + b.ledger:
        if r.status == "ok":
            assert f"issue_comment:{cid}" in r.published
    return cid


def test_a_run_that_read_the_state_before_another_finished(world: World) -> None:
    # A has read the (empty) state and fetches the diff; B runs entirely meanwhile.
    a, b = _race(world, "GET", "/pulls/2")

    cid = _assert_one_of_everything(world, a, b)
    assert len(world.state.calls_to("issues/create-comment")) == 1  # B's; A edited it
    assert world.state.calls_to("issues/delete-comment") == []

    world.clock.advance(BATCH_S)
    later = world.collect(world.env("schedule", {}, machine="other"))
    _, body, state = world.summary(2)
    assert state.pending == ()
    assert "⏳" not in body
    assert "<details><summary>Description · describe" in body
    assert sorted(r.job for r in later.ledger) == ["changelog", "changelog", "describe", "describe"]
    assert [c for c, _ in world.summaries(2)] == [cid]


def test_two_runs_creating_the_summary_in_the_same_instant(world: World) -> None:
    # A listed the comments (none yet) and is creating the summary; B runs entirely before
    # A's create lands, so GitHub holds two summaries for a moment.
    a, b = _race(world, "POST", "/issues/2/comments")

    cid = _assert_one_of_everything(world, a, b)
    (delete,) = world.state.calls_to("issues/delete-comment")
    assert delete.path != f"/repos/{world.repo}/issues/comments/{cid}"  # A's copy went
    assert len(world.state.calls_to("issues/create-comment")) == 2


def test_two_runs_posting_the_review_in_the_same_instant(world: World) -> None:
    """Both runs listed the PR's review comments (none yet) before either posted. GitHub has
    no create-if-absent, so both post every finding; after posting, each run lists the
    comments again and the run whose copy is the newer deletes it. Each finding stays once;
    both reviews remain (a submitted review cannot be deleted)."""
    a, b = _race(world, "POST", "/pulls/2/reviews")

    assert (a.outcome.exit_code, b.outcome.exit_code) == (0, 0)
    _, _, state = world.summary(2)
    fps = [fp for c in world.state.review_comments.values() for fp in fingerprints_in(c.body)]
    assert len(fps) == 4
    assert len(set(fps)) == 4
    assert len(world.state.calls_to("pulls/delete-review-comment")) == 4
    assert len(world.state.reviews) == 2
    assert state.runs == 2
    assert len(state.pending) == 2
    assert state.cost_usd == sum((r.cost_usd for r in a.ledger + b.ledger), Decimal(0))
