"""Time ``pr-router plan`` against bare unidiff parsing of the same diff, and CLI start-up.

    python benchmarks/plan_speed.py [--json] [--repeat N]

Targets: plan at most 3x bare parsing; under 1 s for a 20,000-line diff; ``pr-router --help``
under 0.3 s, and no vendor SDK imported by ``plan`` or ``--help``. ``detector_vs_baseline``
times ``analyze()`` of the largest diff and of the 20,000-line diff against the detector
before it read context, in the same run (``_baseline.py``; ``--no-baseline`` skips it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _corpus import best_time, plan_in_process, real_diffs_dir, synthetic_diff


def _parse(data: bytes) -> None:
    import unidiff

    unidiff.PatchSet(data.decode("utf-8", errors="replace").splitlines(keepends=True))


def _largest() -> tuple[str, bytes]:
    corpus = real_diffs_dir()
    if corpus is None:
        return "synthetic 30,000-line diff (real corpus absent)", synthetic_diff(30_000)
    path = max(corpus.glob("*.diff"), key=lambda p: p.stat().st_size)
    return path.name, path.read_bytes()


def _startup(args: list[str], repeat: int) -> tuple[float, bool]:
    code = (
        "import sys, runpy; sys.argv = ['pr-router', *sys.argv[1:]];"
        "from pr_router.cli import main;"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(sys.argv[1:])\n"
        "print(any(m in sys.modules for m in ('anthropic', 'openai', 'github')), file=sys.stderr)"
    )
    times, leaked = [], False
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
        )
        times.append(time.perf_counter() - start)
        leaked |= proc.stderr.strip().endswith("True")
    return statistics.median(times), leaked


def _against_baseline(largest: bytes, big: bytes, repeat: int) -> dict[str, float | None]:
    """analyze() of both diffs, today's detector against the baseline's (same run)."""
    from _baseline import compare

    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / "largest.diff", Path(tmp) / "synthetic_20k.diff"]
        paths[0].write_bytes(largest)
        paths[1].write_bytes(big)
        return compare(paths, repeat)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    name, data = _largest()
    plan_in_process(data)  # warm imports and price data once; the ratio compares steady-state work
    plan_s, parse_s = (
        best_time(lambda: plan_in_process(data), args.repeat),
        best_time(lambda: _parse(data), args.repeat),
    )
    lines = data.count(b"\n")
    big = synthetic_diff(20_000)
    big_s = best_time(lambda: plan_in_process(big), args.repeat)
    demo = Path(__file__).resolve().parent.parent / "src/pr_router/data/demo/example.diff"
    help_s, help_leak = _startup(["--help"], args.repeat)
    plan_cli_s, plan_leak = _startup(["plan", "--diff", str(demo)], args.repeat)
    result = {"lines": lines, "plan_s": round(plan_s, 4), "parse_s": round(parse_s, 4),
              "ratio": round(plan_s / parse_s, 2), "diff": name,
              "plan_20k_lines_s": round(big_s, 4), "help_startup_s": round(help_s, 3),
              "plan_cli_s": round(plan_cli_s, 3), "vendor_sdk_imported": help_leak or plan_leak}  # fmt: skip
    if not args.no_baseline:
        result["detector_vs_baseline"] = _against_baseline(data, big, args.repeat)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"diff: {name} ({lines:,} lines)")
    print(f"plan:        {plan_s * 1000:8.1f} ms")
    print(f"bare parse:  {parse_s * 1000:8.1f} ms   ratio {result['ratio']}x (target <= 3x)")
    print(f"20k-line plan: {big_s * 1000:6.1f} ms (target < 1000 ms)")
    print(
        f"startup: --help {help_s * 1000:.0f} ms (target < 300 ms), plan CLI {plan_cli_s * 1000:.0f} ms"
    )
    print(f"vendor SDK imported by --help/plan: {result['vendor_sdk_imported']}")
    if "detector_vs_baseline" in result:
        print(f"detector against the baseline (same run): {result['detector_vs_baseline']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
