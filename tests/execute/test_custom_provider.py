"""The executor works with any ``Provider``: one written like a third-party plug-in."""

from __future__ import annotations

from decimal import Decimal

from pr_router.execute import Executor
from pr_router.providers.base import ModelRequest, ModelResponse, OnStart, Provider
from pr_router.tokens import TokenUsage

from .factories import NOW, PRICES, call, policy


class Canned(Provider):
    """Answers every request with the same JSON, no batch API."""

    name = "anthropic"
    supports_batch = False

    def __init__(self) -> None:
        self.seen: list[ModelRequest] = []

    def complete(self, request: ModelRequest, *, on_start: OnStart | None = None) -> ModelResponse:
        self.seen.append(request)
        if on_start is not None:
            on_start()
        usage = TokenUsage(input=1000, output=100)
        return ModelResponse(request.custom_id, self.name, request.model,
                             '{"summary": "ok"}', {"summary": "ok"}, usage)  # fmt: skip


class StepClock:
    """A clock that moves one second per reading and never sleeps."""

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        self.t += 1.0
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


def test_a_batch_job_on_a_provider_without_batches_runs_synchronously() -> None:
    provider = Canned()
    ex = Executor({"anthropic": provider}, policy(), PRICES, StepClock(), run_id="r",
                  wall_clock=lambda: NOW)  # fmt: skip

    outcome = ex.run([call("describe", "efficient", "batch")])

    (record,) = outcome.job("describe").records
    assert (record.mode, record.status, record.attempt) == ("sync", "ok", 1)
    assert record.escalation_reason == "provider has no batch API"
    # claude-haiku-5-5 sync: 1000*0.1 + 100*0.5 = 100 + 50 = 150 -> $0.00015
    assert record.cost_usd == Decimal("0.00015")
    assert [r.model for r in provider.seen] == ["claude-haiku-5-5"]
