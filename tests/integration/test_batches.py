"""Batches that outlive the run: recorded on the PR, finished by a later ``collect`` on another
machine (nothing carries over but what GitHub and the providers hold), and not lost when the
run is killed between submitting them and publishing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from pr_router.emulator import Scenario
from pr_router.execute import PendingBatch
from pr_router.github.publish import fingerprints_in
from pr_router.pipeline.sticky import INTERRUPTED
from pr_router.pricing import PriceTable
from pr_router.providers.base import (
    BatchHandle,
    BatchItemResult,
    BatchState,
    ModelRequest,
    ModelResponse,
    OnStart,
    Provider,
)

from .harness import World, canned_rules, diff, make_world, webhook

BATCH_S = 3600.0  # the provider takes an hour; the run does not wait (wait_seconds: 0)
AUX = ("describe", "changelog")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from make_world(tmp_path, Scenario(canned_rules(), batch_duration_s=BATCH_S))


def _opened(world: World) -> dict[str, object]:
    event = webhook("pull_request.opened.payload.json")
    world.seed(event, diff("httpx__d25f2bfeff35.diff"))
    return event


def test_pending_batches_are_finished_by_collect_on_another_machine(world: World) -> None:
    event = _opened(world)
    run = world.run(world.env("pull_request", event))
    cid, body, state = world.summary(2)

    (pending,) = [PendingBatch.from_json(p) for p in state.pending]
    key = f"{pending.provider}:{pending.batch_id}"
    assert sorted(i.job for i in pending.items) == sorted(AUX)
    assert run.outputs["pending-batches"] == key
    for job in AUX:
        assert f"⏳ `{job}` pending in batch `{pending.batch_id}`" in body
    assert "⏳ 2 pending" in body
    assert {r.job: (r.status, r.cost_usd) for r in run.ledger if r.mode == "batch"} == {
        j: ("pending", Decimal(0)) for j in AUX
    }
    assert "5m 00s" not in body  # no idle waiting: the batches are left for a later run

    world.clock.advance(BATCH_S)
    # A scheduled run elsewhere: new settings, clients and files; the state comes from GitHub.
    later = world.run(world.env("schedule", {"schedule": "*/30 * * * *"}, machine="other"))

    assert later.outcome.exit_code == 0
    assert [c for c, _ in world.summaries(2)] == [cid]  # edited in place
    _, body, state = world.summary(2)
    assert state.pending == ()
    assert "⏳" not in body
    assert "<details><summary>Description · describe · claude-haiku-5-5" in body
    assert "<details><summary>Changelog entry · changelog · claude-haiku-5-5" in body
    assert "- Streaming keeps client auth." in body
    assert "over 1 run" in body  # a collect finishes a run; it is not one
    # the collect's ledger: the batch results only, at batch rates, pointing at the summary
    assert sorted(r.job for r in later.ledger) == sorted(AUX)
    prices = PriceTable()
    for r in later.ledger:
        assert (r.status, r.mode, r.batch_id) == ("ok", "batch", pending.batch_id)
        assert r.rates is not None
        assert r.rates.input == prices.rates(r.provider, r.model, "batch").input
        assert r.rates.input == prices.rates(r.provider, r.model, "sync").input / 2
        assert r.cost_usd == r.recomputed_cost() > 0
        assert r.published == [f"issue_comment:{cid}"]
    total = sum((r.cost_usd for r in run.ledger + later.ledger), Decimal(0))
    assert state.cost_usd == total
    assert later.outputs["pending-batches"] == ""
    assert Decimal(later.outputs["cost-usd"]) > 0


def test_a_collect_before_the_batch_ended_leaves_the_pr_alone(world: World) -> None:
    event = _opened(world)
    world.run(world.env("pull_request", event))
    _, before, _ = world.summary(2)

    edits = len(world.state.calls_to("issues/update-comment"))

    early = world.collect(world.env("schedule", {}, machine="other"))

    assert early.outcome.exit_code == 0
    assert "0 PR(s) updated of 1 open" in early.log
    assert early.ledger == []  # the run recorded the pending batch already
    assert early.outputs["cost-usd"] == "0.000000"
    assert len(world.state.calls_to("issues/update-comment")) == edits
    _, after, state = world.summary(2)
    assert after == before
    assert len(state.pending) == 1


class Killed(BaseException):
    """The runner cancelling the job (not an Exception: nothing in pr-router catches it)."""


class KilledWhileWaiting(Provider):
    """A provider whose first batch poll never returns: the run dies after submitting."""

    def __init__(self, inner: Provider) -> None:
        self.inner = inner
        self.name = inner.name
        self.supports_batch = inner.supports_batch
        self.supports_cache_control = inner.supports_cache_control

    def complete(self, request: ModelRequest, *, on_start: OnStart | None = None) -> ModelResponse:
        return self.inner.complete(request, on_start=on_start)

    def submit_batch(self, requests: Sequence[ModelRequest]) -> BatchHandle:
        return self.inner.submit_batch(requests)

    def batch_state(self, handle: BatchHandle) -> BatchState:
        raise Killed

    def batch_results(self, handle: BatchHandle) -> list[BatchItemResult]:
        return self.inner.batch_results(handle)

    def cancel_batch(self, handle: BatchHandle) -> None:
        self.inner.cancel_batch(handle)


def test_a_run_killed_after_submitting_leaves_its_batches_to_collect(world: World) -> None:
    event = _opened(world)

    with pytest.raises(Killed):
        world.run(world.env("pull_request", event), wrap=KilledWhileWaiting)

    # What the killed run left: the "running" comment, with the batch ids in its state.
    cid, body, state = world.summary(2)
    (pending,) = [PendingBatch.from_json(p) for p in state.pending]
    assert "⏳ running on `ec26c3e`" in body
    assert f"`{pending.provider}:{pending.batch_id}` (describe, changelog)" in body
    assert "`review`, `security`" in body
    assert world.state.reviews == {}  # the sync results died with the run
    assert state.runs == 1

    world.clock.advance(BATCH_S)
    later = world.collect(world.env("schedule", {}, machine="other"))

    assert later.outcome.exit_code == 0
    assert [c for c, _ in world.summaries(2)] == [cid]
    _, body, state = world.summary(2)
    assert state.pending == ()
    assert "<details><summary>Description · describe" in body
    assert f"❌ `review` failed: {INTERRUPTED}" in body
    assert sorted(r.job for r in later.ledger) == sorted(AUX)
    assert {r.status for r in later.ledger} == {"ok"}
    assert state.cost_usd == sum((r.cost_usd for r in later.ledger), Decimal(0))

    # The next push reviews the PR: the interrupted jobs run again, once.
    again = world.run(world.env("pull_request", webhook("pull_request.reopened.payload.json")))
    assert again.outcome.exit_code == 0
    assert len(world.state.reviews) == 1
    fps = [fp for c in world.state.review_comments.values() for fp in fingerprints_in(c.body)]
    assert len(fps) == len(set(fps)) == 4


def test_a_run_while_an_earlier_batch_still_runs_keeps_it_and_records_it_once(
    world: World,
) -> None:
    event = _opened(world)
    first = world.run(world.env("pull_request", event))
    (earlier,) = first.outputs["pending-batches"].split(",")
    world.clock.advance(600)  # ten minutes: the earlier batch is still running

    second = world.run(world.env("pull_request", webhook("pull_request.reopened.payload.json")))

    state = world.summary(2)[2]
    keys = [f"{p['provider']}:{p['batch_id']}" for p in state.pending]
    assert len(keys) == 2
    assert earlier in keys
    assert second.outputs["pending-batches"].split(",") == keys
    # the second run records its own submission, not the earlier batch again
    assert {r.batch_id for r in second.ledger if r.status == "pending"} == {
        keys[1].partition(":")[2]
    }
    world.clock.advance(BATCH_S)
    later = world.collect(world.env("schedule", {}, machine="other"))
    assert sorted(r.job for r in later.ledger) == sorted(AUX * 2)
    assert world.summary(2)[2].pending == ()
