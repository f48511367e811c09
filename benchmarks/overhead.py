"""What pr-router itself adds to a PR's runner time, memory and bill, by PR size.

    python benchmarks/overhead.py [--json] [--sizes 10,1000,20000] [--repeat N]
                                  [--latency S] [--ttft S] [--write-docs]

- start-up: ``python -c pass``, ``pr-router --help`` and ``pr-router plan`` on the demo diff
  (subprocesses, median of ``--repeat``);
- ``plan`` on the largest real diffs: in process (best of ``--repeat``) and as the CLI;
- a run and its memory (``_overhead_probe.py``, a fresh process with the emulator forked
  off into another one): ``run_from_env`` on the real clock, every model call answering
  after ``--latency`` seconds (first token after ``--ttft``), batches ending before the
  critical jobs do. The model time on the critical path is ttft + latency when the
  security job reads the review's cached prefix (it starts at the review's first token),
  else the latency; the overhead is the median wall time minus that, after a warm-up run
  (imports are start-up, measured above). Then peak RSS, and the ``tracemalloc`` peak of
  one run + collect; and the peak RSS of ``pr-router plan`` on the same diff;
- cost by size: ``plan``'s estimate and the measured cost (default policy, canned answers
  of realistic length as in ``cost.py``), with single-frontier measured alongside.

Synthetic diffs (``_corpus.synthetic_diff``: Python code, up to 20 files) give the sizes.
``--write-docs`` writes docs/overhead.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _corpus import ROOT, best_time, plan_in_process, real_diffs_dir
from _overhead_probe import synthetic_case_diff

HERE = Path(__file__).resolve().parent
DEMO_DIFF = ROOT / "src/pr_router/data/demo/example.diff"


def _corpus_name() -> str:
    """The real corpus by its path relative to the repository (never this machine's path)."""
    shared = real_diffs_dir()
    if shared is None:
        return "tests/fixtures/diffs/real (shared corpus absent)"
    return os.path.relpath(shared, ROOT)


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "pr-router"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from pr_router.cli import main; sys.exit(main())"]


def _wall(argv: Sequence[str], repeat: int) -> float:
    """Median wall time of a subprocess."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _probe(*args: str) -> dict[str, float]:
    """Run ``_overhead_probe.py`` in a fresh interpreter; its JSON figures."""
    argv = [sys.executable, str(HERE / "_overhead_probe.py"), *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def _plan_peak_rss_mb(diff: Path) -> float:
    """Peak RSS of ``pr-router plan --diff`` (run as the CLI's ``main`` in a fresh process)."""
    return _probe("plan", str(diff))["peak_rss_mb"]


def startup(repeat: int) -> dict[str, float]:
    """Start-up of the interpreter alone, of loading the price data, ``--help`` and ``plan``."""
    cli = _cli()
    prices = "from pr_router.pricing import PriceTable; PriceTable().rates('anthropic', 'claude-opus-5-5')"
    return {
        "python_s": round(_wall([sys.executable, "-c", "pass"], repeat), 3),
        "price_data_s": round(_wall([sys.executable, "-c", prices], repeat), 3),
        "help_s": round(_wall([*cli, "--help"], repeat), 3),
        "plan_demo_s": round(_wall([*cli, "plan", "--diff", str(DEMO_DIFF)], repeat), 3),
    }


def _largest(n: int) -> list[tuple[str, Path]]:
    corpus = real_diffs_dir()
    if corpus is None:
        fallback = ROOT / "tests/fixtures/diffs/real"
        corpus = fallback if fallback.is_dir() else None
    if corpus is None:
        return []
    paths = sorted(corpus.glob("*.diff"), key=lambda p: -p.stat().st_size)[:n]
    return [(p.name, p) for p in paths]


def plan_largest(repeat: int, n: int) -> list[dict[str, Any]]:
    """``plan`` on the ``n`` largest real diffs, in process and as the CLI."""
    plan_in_process(DEMO_DIFF.read_bytes())  # imports and price data, once
    out = []
    for name, path in _largest(n):
        data = path.read_bytes()
        argv = [*_cli(), "plan", "--diff", str(path), "--format", "json"]
        out.append({"diff": name, "lines": data.count(b"\n"),
                    "plan_s": round(best_time(lambda d=data: plan_in_process(d), repeat), 4),  # type: ignore[misc]
                    "plan_cli_s": round(_wall(argv, repeat), 3),
                    "plan_cli_peak_rss_mb": _plan_peak_rss_mb(path)})  # fmt: skip
    return out


def run_figures(lines: int, repeat: int, latency: float, ttft: float) -> dict[str, Any]:
    """Wall time of a run against an out-of-process emulator, and the model time it waits.

    The model time on the critical path: the security job starts at the review's first
    token when it reads the review's cached prefix, so ttft + latency; else the latency.
    """
    row: dict[str, Any] = _probe("run", str(lines), str(latency), str(ttft), str(repeat))
    model = (
        (ttft + latency if row.pop("reads_cached_prefix") else latency)
        if row.pop("sync_jobs")
        else 0.0
    )
    row["model_critical_path_s"] = round(model, 3)
    row["overhead_s"] = round(row["run_wall_s"] - model, 3)
    return row


def cost_by_size(diff: bytes, lines: int) -> dict[str, float]:
    """Plan estimate and measured cost (default), and single-frontier measured, in USD."""
    from _emulated import Case, run_case
    from _setups import setups

    by_name = {s.name: s for s in setups()}
    case = Case("synthetic", 1, diff, f"Synthetic change of {lines} lines")
    default = run_case(by_name["default"], case)
    single = run_case(by_name["single-frontier"], case)
    for run in (default, single):
        if run.error:
            raise RuntimeError(f"{run.setup}: {run.error}")
    return {"estimate_usd": round(float(default.estimate_usd), 6),
            "measured_usd": round(float(default.cost()), 6),
            "single_frontier_usd": round(float(single.cost()), 6),
            "estimate_all_frontier_usd": round(float(default.estimate_all_frontier_usd), 6)}  # fmt: skip


def by_size(sizes: Sequence[int], repeat: int, latency: float, ttft: float) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Every per-size figure."""
    out: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for lines in sizes:
            diff = synthetic_case_diff(lines)
            path = Path(tmp) / f"synthetic-{lines}.diff"
            path.write_bytes(diff)
            from pr_router.changes import analyze

            signals = analyze(diff).signals
            row: dict[str, Any] = {"changed_lines": signals.lines_added + signals.lines_removed,
                                   "files": signals.files_changed}  # fmt: skip
            row |= run_figures(lines, repeat, latency, ttft)
            row["plan_cli_peak_rss_mb"] = _plan_peak_rss_mb(path)
            row |= cost_by_size(diff, lines)
            out[str(lines)] = row
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print (or write) the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--sizes", default="10,1000,20000", help="changed lines, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--largest", type=int, default=3, help="how many of the largest diffs")
    parser.add_argument("--latency", type=float, default=2.0, help="seconds per model call")
    parser.add_argument("--ttft", type=float, default=0.5, help="seconds to the first token")
    parser.add_argument("--write-docs", action="store_true", help="write docs/overhead.md")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    doc: dict[str, Any] = {
        "startup": startup(args.repeat),
        "plan_largest": plan_largest(args.repeat, args.largest),
        "sizes": by_size(sizes, args.repeat, args.latency, args.ttft),
        "latency_s": args.latency, "ttft_s": args.ttft, "repeat": args.repeat,
        "corpus": _corpus_name(),
    }  # fmt: skip
    from _overhead_doc import text_report

    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        print(text_report(doc))
    if args.write_docs:
        from _overhead_doc import write_doc

        path = write_doc(ROOT / "docs" / "overhead.md", doc, datetime.now(UTC).date().isoformat())
        print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
