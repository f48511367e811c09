"""The per-month budget reads this month's ledger records, and degrades when it cannot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pr_router.errors import GitHubError
from pr_router.ledger import LedgerRecord
from pr_router.pipeline.pr_run import month_usd
from pr_router.policy.loader import load_policy

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _record(day: int, usd: str, month: int = 11) -> LedgerRecord:
    return LedgerRecord(run_id="r", timestamp=datetime(2026, month, day, tzinfo=UTC), job="review",
                        job_class="critical", tier="frontier", provider="anthropic",
                        model="claude-opus-5-5", mode="sync", status="ok", cost_usd=Decimal(usd))  # fmt: skip


@dataclass
class _Services:
    month_records: Any
    wall_clock: Any = lambda: NOW


def _policy(per_month: str | None) -> Any:
    loaded = load_policy(None)
    budgets = loaded.policy.budgets.model_copy(
        update={"per_month_usd": per_month and Decimal(per_month)}
    )
    return type(loaded)(
        loaded.policy.model_copy(update={"budgets": budgets}), loaded.source, loaded.prices
    )


def test_month_spend_counts_this_calendar_month_only() -> None:
    asked: list[datetime] = []

    def records(since: datetime) -> list[LedgerRecord]:
        asked.append(since)
        return [_record(1, "1.25"), _record(21, "0.75"), _record(30, "9.00", month=10)]

    spent = month_usd(_Services(records), _policy("100"))  # type: ignore[arg-type]
    assert spent == Decimal("2.00")
    assert asked == [datetime(2026, 11, 1, tzinfo=UTC)]


def test_no_per_month_budget_reads_nothing() -> None:
    def records(since: datetime) -> list[LedgerRecord]:
        raise AssertionError("ledgers must not be read without a per-month budget")

    assert month_usd(_Services(records), _policy(None)) == Decimal(0)  # type: ignore[arg-type]


def test_unreadable_ledgers_degrade_with_a_warning(caplog: Any) -> None:
    def records(since: datetime) -> list[LedgerRecord]:
        raise GitHubError("listing artifacts: 403", permission="actions: read")

    assert month_usd(_Services(records), _policy("50")) == Decimal(0)  # type: ignore[arg-type]
    assert "per-month budget not checked" in caplog.text
