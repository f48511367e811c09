"""The floor: the default run's ledger re-priced as if every saving had been taken.

For each ledger record of the ``default`` run (same jobs, same tiers, same models, same
output and reasoning tokens):

1. prompt tokens = ``input + cache_write_5m + cache_write_1h + cache_read``, as the
   emulated provider reported them;
2. the job's own instructions (the last text block of its prompt, measured while the
   emulator answered) stay plain input; everything before them (output schema, system
   text, shared PR context) is billed as a **cache read**, and no cache write is paid;
3. an auxiliary job is billed at **batch** rates; a critical job keeps its mode (sync);
4. the cost is ``pricing.cost`` of that usage at the genai-prices rates of the record's
   model in that mode, with the prompt size of the record (the table the run used).

The floor is a bound, not a setup anyone can run: a prefix is only read from a cache that
some earlier request wrote. What separates a record from its floor is named by ``PARTS``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from _emulated import CaseRun
from pr_router.ledger import LedgerRecord
from pr_router.pricing import MTOK, PriceTable, Rates, cost
from pr_router.tokens import TokenUsage

__all__ = ["PARTS", "FloorRecord", "floor_of"]

Mode = Literal["sync", "batch"]

PARTS = {
    "first_write": "cache write of a prefix another job then read (one per PR and model: "
    "unavoidable inside one run)",
    "unread_write": "cache write of a prefix no job read",
    "own_prefix": "critical job whose prefix differs from the other critical job's (both "
    "read one packing, so none unless a custom critical job has a context of its own)",
    "alone": "the only critical job of its PR: no other job to share the prefix with",
    "auxiliary_prefix": "auxiliary prefix sent uncached (batch requests carry no cache mark)",
    "sync": "sync rates where the Batch API was possible",
}


@dataclass(frozen=True, slots=True)
class FloorRecord:
    """One record at its floor, and what its actual cost spent above it, by ``PARTS`` key."""

    record: LedgerRecord
    usage: TokenUsage
    mode: Mode
    usd: Decimal
    rates: Rates | None = None
    above: dict[str, Decimal] = field(default_factory=dict)
    unmarked: Decimal = Decimal(0)  # what an unread write would have saved sent as plain input
    attainable: Decimal = Decimal(0)  # the cost with one shared prefix per PR (see floor_of)


def _instructions(run: CaseRun, record: LedgerRecord) -> int:
    usage = record.usage
    if usage.cache_read or usage.cache_write_5m or usage.cache_write_1h:
        return usage.input  # after a cache breakpoint only the instructions are plain input
    tokens = run.instructions.get(record.job)
    if tokens is None:
        raise ValueError(f"{run.case}: no instruction size recorded for {record.job}")
    return tokens


def _above(record: LedgerRecord, used: TokenUsage, own: int, rates: Rates,
           context: tuple[set[str], int]) -> dict[str, Decimal]:  # fmt: skip
    """The record's cost above its floor, split into ``PARTS``."""
    readers, critical_jobs = context
    parts: dict[str, Decimal] = defaultdict(Decimal)
    parts["sync"] = record.cost_usd - cost(used, rates)
    write = Decimal(used.cache_write_5m) * (rates.cache_write_5m - rates.cache_read)
    write += Decimal(used.cache_write_1h) * (rates.cache_write_1h - rates.cache_read)
    parts["first_write" if record.model in readers else "unread_write"] += write / MTOK
    uncached = Decimal(used.input - own) * (rates.input - rates.cache_read) / MTOK
    if record.job_class == "auxiliary":
        parts["auxiliary_prefix"] += uncached
    else:
        parts["own_prefix" if critical_jobs > 1 else "alone"] += uncached
    return {k: v for k, v in parts.items() if v}


def _floor_record(run: CaseRun, record: LedgerRecord, prices: PriceTable,
                  context: tuple[set[str], int]) -> FloorRecord:  # fmt: skip
    used = record.usage.tokens()
    mode: Mode = "batch" if record.job_class == "auxiliary" else record.mode
    if record.rates is None or used.prompt == 0:
        return FloorRecord(record, used, mode, Decimal(0))
    own = min(_instructions(run, record), used.prompt)
    floor = TokenUsage(input=own, cache_read=used.prompt - own, output=used.output,
                       reasoning=used.reasoning)  # fmt: skip
    rates = prices.rates(record.provider, record.model, mode, used.prompt)
    above = _above(record, used, own, rates, context)
    unmarked = Decimal(0)
    if "unread_write" in above:
        unmarked = Decimal(used.cache_write_5m) * (rates.cache_write_5m - rates.input)
        unmarked += Decimal(used.cache_write_1h) * (rates.cache_write_1h - rates.input)
    return FloorRecord(record, floor, mode, cost(floor, rates), rates, above, unmarked / MTOK)


def _with_attainable(floors: list[FloorRecord], critical_jobs: int,
                     carried: int = 0) -> list[FloorRecord]:  # fmt: skip
    """Add what each record would cost if the PR's critical jobs shared one prefix.

    One critical job (the one with the largest prefix) writes it, the others read it; a
    PR's only critical job sends it uncached (a write nobody reads is a loss); auxiliary
    jobs stay as they ran (batch, uncached prefix). That is the floor plus what one run
    cannot avoid, whatever the packing. ``carried``: tokens at the start of that prefix
    that an earlier run of the PR left in the cache (read, not written, by the writer).
    """
    critical = [f for f in floors if f.record.job_class == "critical" and f.rates is not None]
    writer = max(critical, key=lambda f: f.usage.cache_read, default=None)
    out = []
    for f in floors:
        extra = Decimal(0)
        if f.rates is not None and f.record.job_class == "auxiliary":
            extra = f.above.get("auxiliary_prefix", Decimal(0))
        elif f.rates is not None and f is writer:
            paid = f.rates.cache_write_5m if critical_jobs > 1 else f.rates.input
            written = max(f.usage.cache_read - carried, 0)
            extra = Decimal(written) * (paid - f.rates.cache_read) / MTOK
        out.append(replace(f, attainable=f.usd + extra))
    return out


def floor_of(run: CaseRun, prices: PriceTable | None = None,
             carried: int = 0) -> list[FloorRecord]:  # fmt: skip
    """Every record of a ``default`` run at its floor (``carried``: see ``_with_attainable``)."""
    table = prices or PriceTable()
    records = run.ledger()
    readers = {r.model for r in records if r.usage.cache_read}
    critical = len({r.job for r in records if r.job_class == "critical"})
    floors = [_floor_record(run, r, table, (readers, critical)) for r in records]
    return _with_attainable(floors, critical, carried)
