"""The report's period: ``--since 30d|2026-11-01`` and ``--until``, as UTC instants."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from pr_router.errors import UsageError

__all__ = ["Period", "parse_period"]

_RELATIVE = re.compile(r"^(\d{1,5})([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open interval ``[start, end)`` of UTC instants; ``start`` None means open."""

    start: datetime | None
    end: datetime

    def __contains__(self, moment: object) -> bool:
        if not isinstance(moment, datetime):
            return False
        moment = utc(moment)
        return (self.start is None or moment >= self.start) and moment < self.end

    @property
    def days(self) -> float | None:
        """Length in days, or None for an open start."""
        return None if self.start is None else (self.end - self.start).total_seconds() / 86_400

    def label(self) -> str:
        """E.g. "2026-11-01 – 2026-11-30" (the end day is the last day included)."""
        last = (self.end - timedelta(microseconds=1)).date().isoformat()
        first = self.start.date().isoformat() if self.start is not None else "the beginning"
        return f"{first} – {last}"


def utc(moment: datetime) -> datetime:
    """The instant in UTC; naive datetimes are taken as UTC (the runner's clock)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _parse(value: str, now: datetime, flag: str, *, end_of_day: bool) -> datetime:
    text = value.strip()
    match = _RELATIVE.match(text)
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        if len(text) == 10:  # a date: the start of that day, or the end for --until
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=int(end_of_day)), time(), UTC)
        return utc(datetime.fromisoformat(text))
    except ValueError:
        raise UsageError(
            f"{flag} {value!r} is neither a duration nor a date",
            hint=f"use e.g. {flag} 30d, 12h, 2w, 2026-11-01 or 2026-11-01T08:00:00Z",
        ) from None


def parse_period(since: str | None, until: str | None, now: datetime) -> Period:
    """The period from the CLI flags; ``--until`` with a date includes that whole day."""
    now = utc(now)
    start = _parse(since, now, "--since", end_of_day=False) if since else None
    end = _parse(until, now, "--until", end_of_day=True) if until else now + timedelta(seconds=1)
    if start is not None and start >= end:
        raise UsageError(
            f"empty period: --since {since} is not before --until {until or 'now'}",
            hint="give --since an earlier moment than --until",
        )
    return Period(start, end)
