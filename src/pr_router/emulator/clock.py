"""Clocks for the emulator: real time, or a fake one that tests move by hand.

Every latency, TTL, batch lifecycle and timestamp in the emulator is read from one clock,
so tests with a ``FakeClock`` never really sleep.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

__all__ = ["Clock", "FakeClock", "RealClock"]

# 2027-01-15T08:00:00Z: far enough from any real date that fake timestamps stand out.
DEFAULT_EPOCH = 1_800_000_000.0


class Clock(Protocol):
    """What the emulator needs from a clock."""

    def now(self) -> float:
        """Monotonic seconds."""
        ...

    def time(self) -> float:
        """Wall-clock seconds since the Unix epoch."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...

    def sleep_until(self, deadline: float, cancel: threading.Event | None = None) -> bool:
        """Wait until ``now() >= deadline``; ``False`` if ``cancel`` was set first."""
        ...


class RealClock:
    """The machine's clock: ``time.monotonic``, ``time.time`` and real sleeps."""

    def now(self) -> float:
        """Monotonic seconds."""
        return time.monotonic()

    def time(self) -> float:
        """Wall-clock seconds since the Unix epoch."""
        return time.time()

    def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        if seconds > 0:
            time.sleep(seconds)

    def sleep_until(self, deadline: float, cancel: threading.Event | None = None) -> bool:
        """Sleep until ``deadline`` (monotonic), waking early if ``cancel`` is set."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return not (cancel and cancel.is_set())
        if cancel is None:
            time.sleep(remaining)
            return True
        return not cancel.wait(remaining)


class FakeClock:
    """A thread-safe clock that only moves when told to.

    With ``auto_advance=True`` (the default) a sleep moves the clock forward instead of
    waiting, and concurrent sleeps overlap (the clock goes to the latest deadline, not the
    sum). With ``auto_advance=False`` a sleeper blocks until a test calls ``advance``,
    which lets a test hold a request "in flight" at a chosen instant.
    """

    def __init__(
        self, start: float = 0.0, *, epoch: float = DEFAULT_EPOCH, auto_advance: bool = True
    ):
        self._now = start
        self._epoch = epoch - start
        self._auto = auto_advance
        self._cond = threading.Condition()

    def now(self) -> float:
        """Monotonic seconds since the clock was made (plus ``start``)."""
        with self._cond:
            return self._now

    def time(self) -> float:
        """Wall-clock epoch seconds: ``epoch`` at construction, moving with ``now``."""
        with self._cond:
            return self._epoch + self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward and wake sleepers whose deadline has passed."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._cond:
            self._now += seconds
            self._cond.notify_all()

    def sleep(self, seconds: float) -> None:
        """Advance by ``seconds`` (auto mode) or wait for ``advance`` calls to cover them."""
        if seconds <= 0:
            return
        if self._auto:
            self.advance(seconds)
        else:
            self.sleep_until(self.now() + seconds)

    def sleep_until(self, deadline: float, cancel: threading.Event | None = None) -> bool:
        """Reach ``deadline``: jump there (auto mode) or block until advanced past it."""
        with self._cond:
            if self._auto:
                if deadline > self._now:
                    self._now = deadline
                    self._cond.notify_all()
                return not (cancel and cancel.is_set())
            while self._now < deadline:
                if cancel is not None and cancel.is_set():
                    return False
                # Poll the cancel event now and then; advance() wakes us immediately.
                self._cond.wait(0.05)
            return not (cancel and cancel.is_set())
