"""Time ``analyze()`` of today's detector and of the detector before context reading, same run.

The baseline is the source tree at ``BASELINE_COMMIT`` (the last commit before the detector
read hunk context), taken from this repository's history with ``git archive``. Both trees run
in fresh worker processes over the same diffs, alternately, and each diff keeps the best time
of every round, so machine load drifts over both alike. Without git history (a shallow clone)
the comparison is absent (``None``), never guessed.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from _corpus import ROOT

BASELINE_COMMIT = "82708d6b6e6c922629baf43c98ad1eba907a24f3"
_TIMEOUT = 900
# The worker: best seconds of analyze() per file, ``repeat`` passes, as a JSON list.
_WORKER = """
import json, sys, time
from pr_router.changes import analyze
repeat, paths = int(sys.argv[1]), sys.argv[2:]
datas = [open(p, 'rb').read() for p in paths]
best = [float('inf')] * len(datas)
for data in datas[:20]:
    analyze(data)
for _ in range(repeat):
    for i, data in enumerate(datas):
        if 0.5 < best[i] < float('inf'):
            continue  # a pathological diff (seconds) is timed once: its figure is not noise
        t = time.perf_counter(); analyze(data); best[i] = min(best[i], time.perf_counter() - t)
print(json.dumps(best))
"""


def _baseline_src(into: Path) -> Path | None:
    """Unpack ``src/`` of the baseline commit under ``into``; None without that history."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", BASELINE_COMMIT, "src"],
            capture_output=True, check=True, timeout=120,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _run(src: Path, paths: list[Path], repeat: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, "-c", _WORKER, str(repeat), *map(str, paths)],
        capture_output=True, check=True, text=True, env=env, timeout=_TIMEOUT,
    )  # fmt: skip
    return [float(x) for x in json.loads(out.stdout)]


def compare(paths: list[Path], repeat: int, rounds: int = 4) -> dict[str, float | None]:
    """Median and mean ms per diff of both detectors, and today's over the baseline's."""
    empty: dict[str, float | None] = {
        "baseline_ms_per_diff": None, "baseline_ms_per_diff_median": None,
        "same_run_ms_per_diff_median": None, "speed_ratio_median": None,
        "speed_ratio_mean": None,
    }  # fmt: skip
    if not paths:
        return empty
    with tempfile.TemporaryDirectory() as tmp:
        old_src = _baseline_src(Path(tmp))
        if old_src is None:
            return empty
        new_best = [float("inf")] * len(paths)
        old_best = [float("inf")] * len(paths)
        for _ in range(rounds):
            old_best = list(map(min, old_best, _run(old_src, paths, repeat)))
            new_best = list(map(min, new_best, _run(ROOT / "src", paths, repeat)))
    old_med, new_med = statistics.median(old_best), statistics.median(new_best)
    old_mean, new_mean = statistics.mean(old_best), statistics.mean(new_best)
    return {
        "baseline_ms_per_diff": round(old_mean * 1000, 3),
        "baseline_ms_per_diff_median": round(old_med * 1000, 3),
        "same_run_ms_per_diff_median": round(new_med * 1000, 3),
        "speed_ratio_median": round(new_med / old_med, 3),
        "speed_ratio_mean": round(new_mean / old_mean, 3),
    }
