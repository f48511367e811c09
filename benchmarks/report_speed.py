"""How fast ``pr-router report`` is on 10,000 ledger records (target: under 2 s).

Times the whole command as users run it, through ``pr_router.cli.main``: reading the JSONL
file, deduplicating, aggregating, advising and rendering. ``report_s`` is the text run plus
the JSON run, charts excluded; ``charts_s`` is one text run with ``--charts`` (charts
included). Best of ``--repeat`` runs each.

    python benchmarks/report_speed.py [--records N] [--repeat K] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from pr_router.cli import main as cli
from pr_router.ledger import write_ledger
from pr_router.report import charts_available

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 2.0


def _fixtures() -> ModuleType:
    # The test-suite's seeded ledger generator, loaded by path: benchmarks are no package.
    path = ROOT / "tests" / "report" / "ledgers.py"
    spec = importlib.util.spec_from_file_location("report_ledgers", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` timed calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _report(ledger: Path, fmt: str, *extra: str) -> None:
    argv = ["report", str(ledger), "--since", "2020-01-01", "--format", fmt, *extra]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = cli(argv)
    if code != 0:
        raise SystemExit(f"report failed with exit code {code}")


def run(records: int, repeat: int) -> dict[str, float | int | None]:
    """Generate the ledger, time the report and the charts; the figures as a dict."""
    data = _fixtures().many(records)
    with tempfile.TemporaryDirectory() as tmp:
        ledger = Path(tmp) / "ledger.jsonl"
        write_ledger(ledger, data)
        text_s = best(lambda: _report(ledger, "text"), repeat)
        json_s = best(lambda: _report(ledger, "json"), repeat)
        charts_s = None
        if charts_available():  # the same text report, charts included
            charts = str(Path(tmp) / "charts")
            charts_s = best(lambda: _report(ledger, "text", "--charts", charts), repeat)
    return {"records": len(data), "report_s": round(text_s + json_s, 3),
            "text_s": round(text_s, 3), "json_s": round(json_s, 3),
            "charts_s": None if charts_s is None else round(charts_s, 3)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    figures = run(args.records, args.repeat)
    if args.json:
        print(json.dumps({k: figures[k] for k in ("records", "report_s", "charts_s")}))
        return 0
    print(f"records: {figures['records']:,}")
    print(f"report, text:  {figures['text_s']:.3f} s")
    print(f"report, json:  {figures['json_s']:.3f} s")
    print(f"report total:  {figures['report_s']:.3f} s (target under {TARGET_S:.0f} s)")
    charts = figures["charts_s"]
    print("text + charts: " + ("skipped (matplotlib not installed)" if charts is None
                               else f"{charts:.3f} s"))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
