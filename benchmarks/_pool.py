"""Run benchmark tasks in worker processes (or inline), reporting progress on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

__all__ = ["run_tasks"]

T = TypeVar("T")


def run_tasks(fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], workers: int,
              noun: str = "runs") -> list[T]:  # fmt: skip
    """``fn(*task)`` for every task, across ``workers`` processes; results in completion order."""
    if workers <= 1:
        return [fn(*task) for task in tasks]
    done: list[T] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(fn, *task) for task in tasks]
        for n, future in enumerate(as_completed(futures), 1):
            done.append(future.result())
            if n % 50 == 0:
                print(f"  {n}/{len(futures)} {noun}", file=sys.stderr)
    return done
