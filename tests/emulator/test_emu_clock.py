"""FakeClock and RealClock."""

from __future__ import annotations

import threading
import time

import pytest

from pr_router.emulator import FakeClock, RealClock
from pr_router.emulator.clock import DEFAULT_EPOCH


def test_fake_clock_moves_only_when_told() -> None:
    clock = FakeClock()
    assert clock.now() == 0.0
    assert clock.time() == DEFAULT_EPOCH
    clock.advance(3600)
    assert clock.now() == 3600.0
    assert clock.time() == DEFAULT_EPOCH + 3600
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)


def test_fake_sleep_advances_instead_of_sleeping() -> None:
    clock = FakeClock(start=10.0, epoch=1000.0)
    started = time.monotonic()
    clock.sleep(86_400)
    assert time.monotonic() - started < 0.5
    assert clock.now() == 86_410.0
    assert clock.time() == 1000.0 + 86_400


def test_concurrent_deadlines_overlap_instead_of_adding_up() -> None:
    clock = FakeClock()
    assert clock.sleep_until(5.0)
    assert clock.sleep_until(3.0)  # already past: no move
    assert clock.now() == 5.0


def test_manual_fake_clock_blocks_until_advanced() -> None:
    clock = FakeClock(auto_advance=False)
    woke = threading.Event()

    def sleeper() -> None:
        clock.sleep_until(2.0)
        woke.set()

    thread = threading.Thread(target=sleeper)
    thread.start()
    assert not woke.wait(0.1)
    clock.advance(1.0)
    assert not woke.wait(0.1)
    clock.advance(1.0)
    assert woke.wait(2.0)
    thread.join(5)
    assert not thread.is_alive()


def test_manual_fake_clock_sleep_can_be_cancelled() -> None:
    clock = FakeClock(auto_advance=False)
    cancel = threading.Event()
    cancel.set()
    assert clock.sleep_until(10.0, cancel) is False
    assert clock.now() == 0.0


def test_real_clock() -> None:
    clock = RealClock()
    before = clock.now()
    clock.sleep(0.01)
    assert clock.now() - before >= 0.01
    assert abs(clock.time() - time.time()) < 1
    cancel = threading.Event()
    cancel.set()
    assert clock.sleep_until(clock.now() + 5, cancel) is False
    assert clock.sleep_until(clock.now() - 1) is True
