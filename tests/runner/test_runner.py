"""pr_router.runner: the per-minute rate from the facts of a run, minutes billed per job."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pr_router.policy.loader import default_policy_text, parse_policy
from pr_router.runner import (
    GITHUB_LINUX_2CORE_USD_PER_MINUTE,
    RunnerRate,
    billed_minutes,
    is_private,
    resolve_rate,
    runner_cost,
    runner_usage,
)


@pytest.mark.parametrize(
    ("setting", "private", "environment", "usd", "basis"),
    [
        ("auto", True, "github-hosted", Decimal("0.006"), "private"),
        ("auto", False, "github-hosted", Decimal(0), "public"),
        ("auto", True, "self-hosted", Decimal(0), "self-hosted"),
        ("auto", False, "self-hosted", Decimal(0), "self-hosted"),
        ("auto", None, None, Decimal(0), "unknown"),
        ("auto", None, "self-hosted", Decimal(0), "self-hosted"),
        ("auto", True, " Self-Hosted ", Decimal(0), "self-hosted"),
        (Decimal("0.012"), False, "github-hosted", Decimal("0.012"), "policy"),
        (Decimal("0.012"), True, "self-hosted", Decimal("0.012"), "policy"),
        (Decimal(0), True, "github-hosted", Decimal(0), "policy"),
    ],
)
def test_resolve_rate(
    setting: Decimal | str, private: bool | None, environment: str | None, usd: Decimal, basis: str
) -> None:
    rate = resolve_rate(setting, private=private, runner_environment=environment)  # type: ignore[arg-type]
    assert rate == RunnerRate(usd, basis)  # type: ignore[arg-type]
    assert rate.free is (usd == 0)


def test_list_price_is_githubs_2026_linux_2_core_rate() -> None:
    assert Decimal("0.006") == GITHUB_LINUX_2CORE_USD_PER_MINUTE
    assert "private repository" in resolve_rate("auto", private=True).describe()
    assert resolve_rate("auto", private=False).describe().startswith("$0/min (public")


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [(0, 0), (0.001, 1), (59.9, 1), (60, 1), (60.01, 2), (95, 2), (300, 5), (301, 6)],
)
def test_billed_minutes_round_up_per_job(seconds: float, minutes: int) -> None:
    assert billed_minutes(seconds) == minutes


@pytest.mark.parametrize("seconds", [-1.0, float("nan")])
def test_billed_minutes_rejects_nonsense(seconds: float) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        billed_minutes(seconds)


def test_runner_usage_is_exact_decimal() -> None:
    rate = resolve_rate("auto", private=True)
    usage = runner_usage(95.0, rate)
    assert (usage.minutes, usage.usd) == (2, Decimal("0.012"))
    assert runner_cost(6, rate) == Decimal("0.036")
    assert runner_usage(300.0, resolve_rate("auto", private=False)).usd == 0


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"repository": {"private": True}}, True),
        ({"repository": {"private": False}}, False),
        ({"repository": {"private": "yes"}}, None),
        ({"repository": {}}, None),
        ({}, None),
        ([], None),
    ],
)
def test_is_private_reads_the_event_payload(event: object, expected: bool | None) -> None:
    assert is_private(event) is expected


def test_policy_key_overrides_the_rate() -> None:
    assert parse_policy(default_policy_text(), source="default").runner.usd_per_minute == "auto"
    text = default_policy_text().replace("usd_per_minute: auto", "usd_per_minute: 0.012")
    policy = parse_policy(text, source="test")
    assert policy.runner.usd_per_minute == Decimal("0.012")
