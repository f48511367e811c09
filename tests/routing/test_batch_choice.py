"""Batch or sync per job: the saving against the runner time of getting the result back."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pr_router.batch_choice import (
    COLLECT_IN_NEXT_RUN_SECONDS,
    BatchCandidate,
    choose_modes,
    collection_minutes,
)
from pr_router.changes.model import FileKind
from pr_router.context import PRContext
from pr_router.pricing import PriceTable
from pr_router.router import route
from pr_router.runner import RunnerRate, resolve_rate

from .factories import changes, file, policy

PRIVATE = resolve_rate("auto", private=True)
PUBLIC = resolve_rate("auto", private=False)
SELF_HOSTED = resolve_rate("auto", private=True, runner_environment="self-hosted")
FOUR_CORE = resolve_rate(Decimal("0.012"), private=True)
NEXT_RUN = Decimal(COLLECT_IN_NEXT_RUN_SECONDS) / 60  # minutes
TINY = (BatchCandidate("describe", Decimal("0.0002")), BatchCandidate("docs", Decimal("0.0001")))
LARGE = (BatchCandidate("describe", Decimal("0.004")), BatchCandidate("docs", Decimal("0.0001")))


@pytest.mark.parametrize(
    ("candidates", "rate", "minutes", "modes"),
    [
        # public repository / self-hosted runner: runner time is free, batch stays the default
        (TINY, PUBLIC, Decimal(5), ("batch", "batch")),
        (TINY, SELF_HOSTED, Decimal(5), ("batch", "batch")),
        # private, waiting 5 minutes ($0.03) for $0.0003 of saving: sync
        (TINY, PRIVATE, Decimal(5), ("sync", "sync")),
        # private, the next run collects (5 s, $0.0005): still more than $0.0003
        (TINY, PRIVATE, NEXT_RUN, ("sync", "sync")),
        # a large PR's description saves more than collecting costs: both go, once paid
        (LARGE, PRIVATE, NEXT_RUN, ("batch", "batch")),
        # ... but not on a 4-core runner waiting 5 minutes ($0.06)
        (LARGE, FOUR_CORE, Decimal(5), ("sync", "sync")),
        # forced modes are kept whatever the figures
        ((BatchCandidate("describe", Decimal(0), forced="batch"), TINY[1]), PRIVATE, Decimal(5),
         ("batch", "sync")),
        # volumes: a sweep of 720 min/month shared by 100 PRs (7.2 min each) vs by 10,000
        (LARGE, PRIVATE, NEXT_RUN + Decimal("7.2"), ("sync", "sync")),
        (LARGE, PRIVATE, NEXT_RUN + Decimal("0.072"), ("batch", "batch")),
    ],
)  # fmt: skip
def test_decision_table(
    candidates: tuple[BatchCandidate, ...], rate: RunnerRate, minutes: Decimal,
    modes: tuple[str, ...],
) -> None:  # fmt: skip
    assert tuple(c.mode for c in choose_modes(candidates, rate, minutes)) == modes


def test_the_reason_states_the_figures() -> None:
    (choice,) = choose_modes([BatchCandidate("describe", Decimal("0.0002"))], PRIVATE, Decimal(1))
    assert choice.reason == (
        "batch would save $0.0002; collecting it costs about $0.0060 of runner time: sync"
    )
    (free,) = choose_modes([BatchCandidate("describe", Decimal("0.0002"))], PUBLIC, Decimal(1))
    assert free.reason.endswith("runner time is free ($0/min (public repository: "
                                "GitHub-hosted minutes are free)): batch")  # fmt: skip
    forced = choose_modes([BatchCandidate("docs", Decimal(1), forced="sync")], PUBLIC, NEXT_RUN)
    assert forced[0].reason == "sync: forced by policy"


@pytest.mark.parametrize(
    ("fields", "minutes"),
    [
        ({}, NEXT_RUN),
        ({"batch": {"wait_seconds": 300}}, Decimal(5)),
        ({"runner": {"sweep_minutes_per_month": 720, "prs_per_month": 100}},
         NEXT_RUN + Decimal("7.2")),
    ],
)  # fmt: skip
def test_collection_minutes(fields: dict[str, object], minutes: Decimal) -> None:
    assert collection_minutes(policy(**fields)) == minutes


PR = changes(file("src/app.py", FileKind.CODE, added=30), public_api=True)
PRICES = PriceTable(at=datetime(2026, 11, 1, tzinfo=UTC))


def _modes(plan_context: PRContext, **fields: object) -> dict[str, str | None]:
    plan = route(policy(**fields), PR, plan_context, prices=PRICES)
    return {j.job: j.mode for j in plan.running if j.job_class == "auxiliary"}


def test_router_batches_where_runner_time_is_free_and_not_where_it_costs_more() -> None:
    public = PRContext(action="opened", private=False)
    private = PRContext(action="opened", private=True)
    assert set(_modes(public).values()) == {"batch"}
    assert set(_modes(private).values()) == {"sync"}
    plan = route(policy(), PR, private, prices=PRICES)
    why = plan.job("describe").reasons[-1]
    assert why.startswith("batch would save $0.0")
    assert why.endswith("of runner time: sync")
    # an explicit runner rate (the pipeline's, from RUNNER_ENVIRONMENT) wins over the payload
    hosted = route(policy(), PR, private, prices=PRICES, runner=SELF_HOSTED)
    assert {j.mode for j in hosted.running if j.job_class == "auxiliary"} == {"batch"}


def test_policy_forces_a_mode_per_job() -> None:
    private = PRContext(action="opened", private=True)
    forced = _modes(private, jobs={"describe": {"mode": "batch"}})
    assert forced["describe"] == "batch"
    assert forced["changelog"] == "sync"
    rule = {"name": "batch docs", "jobs": ["changelog"], "if": {}, "then": {"mode": "batch"}}
    assert _modes(private, rules=[rule])["changelog"] == "batch"
    public = PRContext(action="opened", private=False)
    assert _modes(public, jobs={"describe": {"mode": "sync"}})["describe"] == "sync"
