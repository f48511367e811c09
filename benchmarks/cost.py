"""What the same PRs cost under six setups: two single-model baselines, the shipped policies,
and the floor. The whole pipeline runs against the emulator for every PR and setup; every
figure comes from the ledger records, priced from the emulated providers' usage objects.

    python benchmarks/cost.py [--json] [--limit N] [--workers N] [--write-docs]

Targets (issue "Prove it"): default <= 30% of single-frontier, every code PR's review and
security on the frontier tier, default within 15% of the floor. ``--limit N`` runs the N
smallest diffs only (the smoke test); ``--write-docs`` writes docs/cost-benchmark.md and
docs/cost-benchmark.png. Method and assumptions: docs/cost-benchmark.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from _corpus import ROOT, real_diffs_dir
from _cost_stats import SetupFigures, figures, floor_figures
from _emulated import Case, CaseRun, run_case
from _pool import run_tasks
from _runner_figs import runner_minutes
from _setups import SETUP_NAMES, Setup, setups

FALLBACK = ROOT / "tests" / "fixtures" / "diffs" / "real"


def corpus() -> tuple[Path, str] | None:
    """The real-diff corpus and a label for it, or None when neither copy is present."""
    shared = real_diffs_dir()
    if shared is not None:
        # Named relative to the repository: never a path of the machine that ran it.
        return shared, f"shared real corpus ({os.path.relpath(shared, ROOT)})"
    if FALLBACK.is_dir() and any(FALLBACK.glob("*.diff")):
        return FALLBACK, "project copies in tests/fixtures/diffs/real (shared corpus absent)"
    return None


def _manifest(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / "MANIFEST.tsv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


def load_cases(folder: Path, limit: int | None) -> list[Case]:
    """Every diff of the folder (or the ``limit`` smallest), as opened PRs."""
    files = sorted(folder.glob("*.diff"))
    if limit is not None:
        files = sorted(sorted(files, key=lambda p: p.stat().st_size)[:limit])
    rows = _manifest(folder)
    cases = []
    for number, path in enumerate(files, 1):
        row = rows.get(path.name, {})
        title = row.get("subject") or path.stem
        cases.append(Case(path.name, number, path.read_bytes(), title,
                          row.get("sha", ""), row.get("parent_used", "")))  # fmt: skip
    return cases


def run_all(cases: Sequence[Case], chosen: Sequence[Setup], workers: int) -> list[CaseRun]:
    """Every case under every setup, largest diffs first, across ``workers`` processes."""
    tasks = sorted(((s, c) for s in chosen for c in cases), key=lambda t: -len(t[1].diff))
    return run_tasks(run_case, tasks, workers, "runs")


def all_figures(runs: Sequence[CaseRun]) -> dict[str, SetupFigures]:
    """Figures by setup name, the floor included, in the order of ``SETUP_NAMES``."""
    by_setup: dict[str, list[CaseRun]] = defaultdict(list)
    for run in runs:
        by_setup[run.setup].append(run)
    out = {name: figures(name, by_setup[name]) for name in SETUP_NAMES if name in by_setup}
    out["floor"] = floor_figures(by_setup["default"])
    for name, fig in out.items():
        fig.runner_minutes = sum(runner_minutes(by_setup[name if name != "floor" else "default"])
                                 .values())  # fmt: skip
    return {name: out[name] for name in SETUP_NAMES if name in out}


def to_json(figs: dict[str, SetupFigures], label: str) -> dict[str, dict[str, object]]:
    """The ``--json`` document: one object per setup, with its ratios to single-frontier."""
    single, floor = figs["single-frontier"], figs["floor"].total
    doc = {name: fig.to_json(single.total, floor, label, single.reasoning_usd)
           for name, fig in figs.items()}  # fmt: skip
    base = doc["single-frontier"]
    for obj in doc.values():
        for key in ("tokens_usd", "runner_minutes", "tco_private_usd", "tco_public_usd"):
            obj[f"{key}_vs_single_frontier"] = _ratio(obj[key], base[key])
    return doc


def _ratio(part: object, whole: object) -> float:
    return round(float(part) / float(whole), 4) if whole else 0.0  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print (or write) its figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--limit", type=int, default=None, help="only the N smallest diffs")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--write-docs", action="store_true",
                        help="write docs/cost-benchmark.md and docs/cost-benchmark.png")  # fmt: skip
    args = parser.parse_args(argv)
    found = corpus()
    if found is None:
        print("cost benchmark skipped: no real-diff corpus (../shared/fixtures/diffs/real or "
              "tests/fixtures/diffs/real)")  # fmt: skip
        return 0
    folder, label = found
    cases = load_cases(folder, args.limit)
    start = time.perf_counter()
    runs = run_all(cases, setups(), args.workers)
    elapsed = time.perf_counter() - start
    figs = all_figures(runs)
    doc = to_json(figs, label)
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        from _cost_report import text_table

        print(f"corpus: {label}: {len(cases)} PRs x {len(setups())} setups in {elapsed:.0f} s")
        print(text_table(doc))
    if args.write_docs:
        from _cost_doc import DocInputs, write_docs

        inputs = DocInputs(label, datetime.now(UTC).date().isoformat(), elapsed,
                           {n: f.per_pr for n, f in figs.items()},
                           {r.case: r.changed_lines for r in runs})  # fmt: skip
        for path in write_docs(ROOT / "docs", doc, inputs):
            print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
