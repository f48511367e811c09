"""Ledgers from files and directories: JSON Lines parsed, deduplicated, cut to a period."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from pr_router.errors import UsageError
from pr_router.ledger import Entry, LedgerRecord, LedgerRun, parse_entry
from pr_router.report._period import Period

E = TypeVar("E", LedgerRecord, Entry)

__all__ = ["dedupe", "in_period", "ledger_files", "parse_ledger_text", "read_ledgers"]


def parse_ledger_text(text: str, origin: str) -> list[Entry]:
    """Job and run records of JSON Lines text; blank lines skipped, a bad line names
    ``origin:line``."""
    records: list[Entry] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(parse_entry(json.loads(line)))
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"{origin}:{number}: not a ledger record (invalid JSON: {exc.msg})",
                hint="report reads the JSONL ledgers that `pr-router run` writes",
            ) from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "record"
            raise UsageError(
                f"{origin}:{number}: not a ledger record ({where}: {first['msg']})",
                hint="report reads the JSONL ledgers that `pr-router run` writes",
            ) from None
    return records


def ledger_files(paths: Sequence[Path]) -> list[Path]:
    """The files to read: each file given, and every ``*.jsonl`` below each directory."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.jsonl") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such ledger file or directory")
    return found


def read_ledgers(paths: Sequence[Path]) -> list[Entry]:
    """Every record of the ledgers at ``paths`` (files or directories)."""
    records: list[Entry] = []
    for file in ledger_files(paths):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{file}: cannot read ledger ({exc})") from None
        records.extend(parse_ledger_text(text, str(file)))
    return records


def _identity(r: Entry) -> tuple[object, ...]:
    if isinstance(r, LedgerRun):
        return (r.run_id, r.kind, r.timestamp)
    return (r.run_id, r.job, r.attempt, r.custom_id, r.request_id, r.timestamp, r.status)


def _batch_item(r: Entry) -> tuple[str, str] | None:
    if isinstance(r, LedgerRun):
        return None
    return (r.batch_id, r.custom_id) if r.batch_id and r.custom_id else None


def _outcome(r: Entry) -> str | None:
    return r.outcome if isinstance(r, LedgerRecord) else None


def _status(r: Entry) -> str:
    return r.status if isinstance(r, LedgerRecord) else "ok"


def dedupe(records: Iterable[E]) -> list[E]:
    """Records with copies and superseded ``pending`` records removed.

    The same ledger can sit in several artifacts: a record seen twice keeps its later copy,
    which may carry an outcome filled in since. A batch item is recorded ``pending`` by the
    run that submitted it and again, finished, by the one that collected it (same
    ``batch_id`` and ``custom_id``): the pending record is dropped once the final one is
    there. The provider bills a batch item once, so when two runs collected the same ended
    batch at the same moment (every run collects), only the first finished record counts.
    This happens before the cut to a period, so a batch collected after the period does
    not show as pending in it. Run records are kept once each.
    """
    unique: dict[tuple[object, ...], E] = {}
    for record in records:
        key = _identity(record)
        if key not in unique or _outcome(record) is not None:
            unique[key] = record
    finished: dict[tuple[str, str], E] = {}
    for r in sorted(unique.values(), key=lambda r: (_outcome(r) is None, r.timestamp)):
        item = _batch_item(r)
        if _status(r) != "pending" and item is not None:
            finished.setdefault(item, r)
    return [
        r for r in unique.values()
        if (item := _batch_item(r)) is None
        or (_status(r) != "pending" and finished[item] is r)
        or (_status(r) == "pending" and item not in finished)
    ]  # fmt: skip


def in_period(records: Iterable[E], period: Period) -> list[E]:
    """The records whose timestamp falls inside the period."""
    return [r for r in records if r.timestamp in period]
