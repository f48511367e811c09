"""The ledger: one JSON Lines record per job run, the basis of every cost figure shown.

Costs are recomputed from ``usage`` and ``rates`` (USD per million tokens) stored in the
record itself, so any figure can be reproduced from the provider's usage object and the
price table that was in force. Money is serialised as decimal strings, never floats.

A run that ends before any job record (skipped, nothing new on a push, plan only) still
took runner minutes: it writes one ``LedgerRun`` line instead, told apart by its
``"kind": "run"`` (job records have no ``kind``). Both are ``schema_version`` 1: job
records are unchanged, and ``read_ledger`` yields job records only, so what reads job
records reads ledgers with run lines as before; ``read_entries`` yields both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from pr_router.pricing import Rates, cost
from pr_router.tokens import TokenUsage

__all__ = [
    "Entry",
    "LedgerAcceptance",
    "LedgerRates",
    "LedgerRecord",
    "LedgerRun",
    "LedgerRunner",
    "LedgerUsage",
    "Outcome",
    "parse_entry",
    "read_entries",
    "read_ledger",
    "write_ledger",
]

SCHEMA_VERSION: Literal[1] = 1
Status = Literal["ok", "failed", "pending", "skipped"]
Outcome = Literal["accepted", "rejected", "unknown"]


class LedgerUsage(BaseModel):
    """Billed tokens by kind (``output`` includes ``reasoning``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: int = 0
    cache_write_5m: int = 0
    cache_write_1h: int = 0
    cache_read: int = 0
    output: int = 0
    reasoning: int = 0

    @classmethod
    def of(cls, usage: TokenUsage) -> LedgerUsage:
        """From a ``TokenUsage``."""
        return cls(**usage.to_dict())

    def tokens(self) -> TokenUsage:
        """Back to a ``TokenUsage``."""
        return TokenUsage(**self.model_dump())


class LedgerRates(BaseModel):
    """The rates a record was priced at, USD per million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: Decimal
    output: Decimal
    cache_write_5m: Decimal
    cache_write_1h: Decimal
    cache_read: Decimal
    source: str

    @classmethod
    def of(cls, rates: Rates) -> LedgerRates:
        """From pricing ``Rates``."""
        return cls(
            input=rates.input, output=rates.output, cache_write_5m=rates.cache_write_5m,
            cache_write_1h=rates.cache_write_1h, cache_read=rates.cache_read, source=rates.source,
        )  # fmt: skip

    def rates(self) -> Rates:
        """Back to pricing ``Rates``."""
        return Rates(**self.model_dump())

    @field_serializer(
        "input", "output", "cache_write_5m", "cache_write_1h", "cache_read", when_used="json"
    )
    def _dec(self, value: Decimal) -> str:
        return str(value)


class LedgerAcceptance(BaseModel):
    """A finding a maintainer accepted (dismissed) for the merge gate: what, who, why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fingerprint: str
    severity: str
    title: str
    by: str  # login of the maintainer (write permission checked)
    reason: str
    via: Literal["reply", "reaction"]


class LedgerRunner(BaseModel):
    """The runner time of the run that wrote a record, billed per job in whole minutes.

    Every record of one run carries the same figures: count them once per ``run_id``.
    ``usd`` is ``minutes`` x ``usd_per_minute``; ``all_frontier_*`` is the estimated runner
    time of an all-frontier setup doing the same run.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    seconds: float  # measured on the run's clock, up to when its summary was written
    minutes: int  # billed: rounded up
    usd_per_minute: Decimal
    usd: Decimal
    basis: str  # why that rate: policy, public, self-hosted, private, unknown
    all_frontier_minutes: int = 0
    all_frontier_usd: Decimal = Decimal(0)

    @field_serializer("usd_per_minute", "usd", "all_frontier_usd", when_used="json")
    def _dec(self, value: Decimal) -> str:
        return str(value)


class LedgerRecord(BaseModel):
    """One job run (or one attempt of it: cascades and retries get their own record)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = SCHEMA_VERSION
    run_id: str = Field(description="Unique per pr-router run (GITHUB_RUN_ID-attempt or a uuid).")
    timestamp: datetime = Field(default_factory=lambda: datetime.now(UTC))
    repo: str | None = None
    pr: int | None = None
    head_sha: str | None = None
    job: str
    job_class: Literal["critical", "auxiliary"]
    tier: Literal["frontier", "standard", "efficient"]
    provider: str
    model: str
    mode: Literal["sync", "batch"]
    effort: Literal["low", "medium", "high"] | None = None
    status: Status
    error: str | None = None
    usage: LedgerUsage = Field(default_factory=LedgerUsage)
    rates: LedgerRates | None = None  # None when nothing was billed (failed before usage)
    cost_usd: Decimal = Decimal(0)
    all_frontier_usd: Decimal = Decimal(0)
    latency_s: float = 0.0
    attempt: int = 1  # 2, 3 for cascade escalations
    escalated_from: str | None = None  # the tier whose output failed validation
    escalation_reason: str | None = None
    batch_id: str | None = None
    custom_id: str | None = None
    request_id: str | None = None
    outcome: Outcome | None = None  # filled in later from reactions/resolutions
    published: list[str] = Field(default_factory=list)  # ids of comments this result produced
    accepted: list[LedgerAcceptance] = Field(default_factory=list)  # gate acceptances seen
    command: str | None = None  # the PR comment command that ran this job
    commanded_by: str | None = None  # who gave it (a login with write access)
    # The tier of the answer the command rejected (an escalate or rerun of a job that ran
    # below frontier): counted as that tier's answer rejected in ``report``.
    rejected_tier: Literal["standard", "efficient"] | None = None
    # The run's runner time (None in records written before it was measured).
    runner: LedgerRunner | None = None

    @field_serializer("cost_usd", "all_frontier_usd", when_used="json")
    def _money(self, value: Decimal) -> str:
        return str(value)

    def recomputed_cost(self) -> Decimal:
        """The cost again, from the stored usage and rates (equals ``cost_usd``)."""
        return cost(self.usage.tokens(), self.rates.rates()) if self.rates else Decimal(0)


class LedgerRun(BaseModel):
    """A run that billed runner time but wrote no job record: why it ended, and its minutes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = SCHEMA_VERSION
    kind: Literal["run"] = "run"
    run_id: str = Field(description="Unique per pr-router run (GITHUB_RUN_ID-attempt or a uuid).")
    timestamp: datetime = Field(default_factory=lambda: datetime.now(UTC))
    repo: str | None = None
    pr: int | None = None
    head_sha: str | None = None
    ended: str  # why no job ran: "skipped: draft pull request", "nothing new", ...
    runner: LedgerRunner


Entry = LedgerRecord | LedgerRun


def parse_entry(data: object) -> Entry:
    """A ledger line's JSON value as a job record or, with ``"kind": "run"``, a run record."""
    if isinstance(data, dict) and data.get("kind") == "run":
        return LedgerRun.model_validate(data)
    return LedgerRecord.model_validate(data)


def write_ledger(path: Path, records: Iterable[Entry]) -> int:
    """Append records to a JSONL file; returns how many were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("a", encoding="utf-8") as fh:
        for record in records:
            fh.write(record.model_dump_json() + "\n")
            n += 1
    return n


def read_entries(path: Path) -> Iterator[Entry]:
    """Job and run records of a JSONL ledger; blank lines are skipped, bad lines raise
    ``ValueError``."""
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield parse_entry(json.loads(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{number}: not a ledger record: {exc}") from None


def read_ledger(path: Path) -> Iterator[LedgerRecord]:
    """The job records of a JSONL ledger (run records skipped; see ``read_entries``)."""
    return (r for r in read_entries(path) if isinstance(r, LedgerRecord))
