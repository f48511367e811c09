"""Local timing check (not a test): analyze() against bare unidiff parsing of the same bytes.

Run: .venv/bin/python tests/changes/timing_check.py [DIFF ...]
Defaults to the largest diffs of the shared corpus. Prints the best of several runs.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

from unidiff.patch import PatchSet

from pr_router.changes import analyze

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "diffs" / "real"
DEFAULT = [
    "git__bf5ce434db62.diff",
    "urllib3__266b347d393a.diff",
    "webhooks__e3e60cb5336a.diff",
    "PyGithub__13e178a3abcd.diff",
    "werkzeug__cfebee06d2e0.diff",
]


def best_pair(
    first: Callable[[], object], second: Callable[[], object], runs: int = 15
) -> tuple[float, float]:
    """The fastest of ``runs`` timings of each, interleaved so machine load hits both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for action, bucket in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            action()
            bucket.append(time.perf_counter() - started)
    return min(times[0]), min(times[1])


def main(paths: list[Path]) -> None:
    """Print unidiff time, analyze time and their ratio for each diff."""
    for path in paths:
        data = path.read_bytes()
        bare, ours = best_pair(
            lambda data=data: PatchSet(StringIO(data.decode("utf-8", "replace"))),
            lambda data=data: analyze(data),
        )
        print(f"{path.name:32} unidiff {bare * 1e3:7.1f} ms  analyze {ours * 1e3:7.1f} ms"
              f"  ratio {ours / bare:4.2f}")  # fmt: skip


if __name__ == "__main__":
    main([Path(arg) for arg in sys.argv[1:]] or [CORPUS / name for name in DEFAULT])
