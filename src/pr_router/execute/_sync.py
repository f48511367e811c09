"""Synchronous jobs side by side, with readers of a shared prompt cache started after its writer.

For jobs sharing a cached prefix (same ``cache_key`` and the same prompt start, see
``cache_prefix``) the ``write`` job starts first; the ``read`` jobs start once the writer's
provider has begun answering (its prefix is then in the cache) or the writer has ended.
Everything else starts at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pr_router.execute._outcome import JobOutcome

__all__ = ["GATE_TIMEOUT_S", "Task", "run_tasks"]

# A reader never waits longer than this for its writer (a safety net: the writer always
# releases its readers when it starts answering, fails or ends).
GATE_TIMEOUT_S = 900.0
MAX_WORKERS = 16

Release = Callable[[], None]


@dataclass(frozen=True, slots=True)
class Task:
    """One job to run; ``run`` gets the writer's release callback (``None`` for others)."""

    run: Callable[[Release | None], JobOutcome]
    cache_key: str | None = None
    cache_role: str | None = None


def _gates(tasks: Sequence[Task]) -> dict[str, threading.Event]:
    return {
        t.cache_key: threading.Event()
        for t in tasks
        if t.cache_key is not None and t.cache_role == "write"
    }


def _submit_order(tasks: Sequence[Task]) -> list[int]:
    # Writers first: a reader waiting on a gate holds a worker, so its writer must already
    # have one when the pool is smaller than the task list.
    writers = [i for i, t in enumerate(tasks) if t.cache_role == "write"]
    return writers + [i for i in range(len(tasks)) if i not in writers]


def _gated(run: Callable[[Release | None], JobOutcome], gate: threading.Event) -> JobOutcome:
    gate.wait(GATE_TIMEOUT_S)
    return run(None)


def run_tasks(tasks: Sequence[Task]) -> list[JobOutcome]:
    """Run every task on a thread pool; outcomes in the order of ``tasks``."""
    if not tasks:
        return []
    gates = _gates(tasks)
    futures = {}
    with ThreadPoolExecutor(max_workers=min(len(tasks), MAX_WORKERS)) as pool:
        for i in _submit_order(tasks):
            task = tasks[i]
            gate = gates.get(task.cache_key) if task.cache_key is not None else None
            if gate is not None and task.cache_role == "write":
                futures[i] = pool.submit(task.run, gate.set)
            elif gate is not None and task.cache_role == "read":
                futures[i] = pool.submit(_gated, task.run, gate)
            else:
                futures[i] = pool.submit(task.run, None)
        return [futures[i].result() for i in range(len(tasks))]
