"""``Executor.run(on_submitted=...)``: the batches are handed over before anything waits."""

from __future__ import annotations

import contextlib

from pr_router.emulator import FakeClock, Rule
from pr_router.execute import PendingBatch
from providers.factories import ANSWER, emulator

from .factories import call, executor, policy

AUX = ("describe", "changelog")


def test_batches_are_reported_once_right_after_submission(stack: contextlib.ExitStack) -> None:
    clock = FakeClock()
    emu = emulator(stack, Rule(output=ANSWER, latency_s=5.0), clock=clock, batch_duration_s=60)
    seen: list[tuple[float, tuple[PendingBatch, ...]]] = []

    outcome = executor(stack, emu, policy(wait_seconds=300)).run(
        [call("review"), *(call(j, "efficient", "batch", effort="low") for j in AUX)],
        on_submitted=lambda batches: seen.append((clock.now(), batches)),
    )

    ((when, (batch,)),) = seen
    assert when == 0.0  # before the sync job's 5 s and before any poll
    assert [i.job for i in batch.items] == list(AUX)
    assert batch.batch_id == outcome.job("describe").records[-1].batch_id
    assert PendingBatch.from_json(batch.to_json()) == batch
    assert outcome.pending == ()  # it ended within the budget: the callback said nothing else


def test_no_batch_no_call(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(output=ANSWER), clock=FakeClock())
    seen: list[object] = []
    executor(stack, emu, policy()).run([call("review")], on_submitted=seen.append)
    assert seen == []


def test_a_kill_after_submission_leaves_what_the_callback_got(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(output=ANSWER), clock=FakeClock(), batch_duration_s=60)
    kept: list[PendingBatch] = []

    def record_then_die(batches: tuple[PendingBatch, ...]) -> None:
        kept.extend(batches)
        raise KeyboardInterrupt  # the runner cancels the job here

    with contextlib.suppress(KeyboardInterrupt):
        executor(stack, emu, policy()).run(
            [call(j, "efficient", "batch", effort="low") for j in AUX], on_submitted=record_then_die
        )

    emu.clock.advance(60)
    later = executor(stack, emu, policy(), run_id="run-2").collect(
        kept, {j: (lambda r: r.text) for j in AUX}
    )
    assert [o.status for o in later.jobs] == ["ok", "ok"]
    assert {r.mode for r in later.records} == {"batch"}
