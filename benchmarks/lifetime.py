"""What a PR costs over its whole life: every real PR history of benchmarks/lifetime_corpus
through ``run`` (push by push) and ``collect`` against the emulator, under six setups.

    python benchmarks/lifetime.py [--json] [--limit N] [--workers N] [--write-docs]
                                  [--from-json FILE]

Setups: ``peer-rerun`` (every push re-runs every job on the whole PR, frontier, sync,
uncached: what claude-code-action on ``pull_request`` and PR-Agent with push triggers do),
``single-frontier`` (pr-router's push rules, frontier model only), the shipped ``default``,
``frugal`` and ``strict`` policies, and the ``floor`` (default's runs at their token floor).
Targets: default's ``tco_private_usd`` and ``tco_public_usd`` at most 0.40 x peer-rerun's
and within 1.15 x the floor's, ``critical_frontier_share`` 1.0, ``reposted_findings`` 0.
``--limit N`` runs the N smallest histories; ``--write-docs`` writes the lifetime section of
docs/cost-benchmark.md. Method: docs/cost-benchmark.md and benchmarks/_lifetime_run.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _histories import CORPUS, History, histories
from _lifetime_run import HistoryRun, run_history
from _lifetime_stats import LifetimeFigures, RunnerModel, figures, floor_figures
from _pool import run_tasks
from _setups import LIFETIME_NAMES, Setup, lifetime_setups

ROOT = Path(__file__).resolve().parent.parent


def load(limit: int | None) -> list[History]:
    """Every history of the corpus (or the ``limit`` smallest)."""
    found = histories()
    if limit is not None:
        found = sorted(found, key=lambda h: h.size)[:limit]
    return sorted(found, key=lambda h: (h.repo, h.number))


def run_all(chosen: Sequence[History], setups: Sequence[Setup], workers: int) -> list[HistoryRun]:
    """Every history under every setup, largest first, across ``workers`` processes."""
    tasks = sorted(((s, h) for s in setups for h in chosen), key=lambda t: -t[1].size)
    return run_tasks(run_history, tasks, workers, "histories")


def all_figures(runs: Sequence[HistoryRun], runner: RunnerModel) -> dict[str, LifetimeFigures]:
    """Figures by setup, the floor included, in the order of ``LIFETIME_NAMES``."""
    by_setup: dict[str, list[HistoryRun]] = defaultdict(list)
    for run in sorted(runs, key=lambda r: r.history):
        by_setup[run.setup].append(run)
    out = {name: figures(name, by_setup[name], runner) for name in by_setup}
    if "default" in by_setup:
        out["floor"] = floor_figures(by_setup["default"], runner)
    return {name: out[name] for name in LIFETIME_NAMES if name in out}


def to_json(figs: dict[str, LifetimeFigures], runner: RunnerModel, pushes: int) -> dict[str, Any]:
    """The ``--json`` document: one object per setup."""
    peer, floor = figs.get("peer-rerun"), figs.get("floor")
    doc = {name: fig.to_json(runner, peer, floor) for name, fig in figs.items()}
    for fig in doc.values():
        fig["pushes"] = pushes
        fig["corpus"] = CORPUS.relative_to(ROOT).as_posix()
    return doc


def text_table(doc: dict[str, Any]) -> str:
    """The figures as a terminal table."""
    head = ("setup", "tokens", "runner min", "TCO private", "TCO public", "median PR",
            "p90 PR", "runs", "crit. frontier", "reposted")  # fmt: skip
    rows = [head] + [
        (name, f"${f['tokens_usd']:.2f}", str(f["runner_minutes"]), f"${f['tco_private_usd']:.2f}",
         f"${f['tco_public_usd']:.2f}", f"${f['median_pr_usd']:.4f}", f"${f['p90_pr_usd']:.4f}",
         str(f["runs"]), f"{f['critical_frontier_share']:.2f}", str(f["reposted_findings"]))
        for name, f in doc.items()
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print (or write) its figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--limit", type=int, default=None, help="only the N smallest histories")
    parser.add_argument("--workers", type=int, default=2, help="processes (at most 2 advised)")
    parser.add_argument("--write-docs", action="store_true",
                        help="write the lifetime section of docs/cost-benchmark.md")  # fmt: skip
    parser.add_argument("--setups", default=None, metavar="A,B",
                        help="only these setups (the floor comes with default)")  # fmt: skip
    parser.add_argument("--from-json", type=Path, default=None, metavar="FILE",
                        help="take the figures from an earlier --json output (with --limit "
                        "as it was run) instead of running the histories again")  # fmt: skip
    args = parser.parse_args(argv)
    chosen = load(args.limit)
    runner = RunnerModel()
    start = time.perf_counter()
    pushes = sum(len(h.pushes) for h in chosen)
    if args.from_json is not None:
        doc = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        wanted = set(args.setups.split(",")) if args.setups else None
        chosen_setups = [s for s in lifetime_setups() if wanted is None or s.name in wanted]
        runs = run_all(chosen, chosen_setups, args.workers)
        doc = to_json(all_figures(runs, runner), runner, pushes)
    elapsed = time.perf_counter() - start
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        print(f"{len(chosen)} PR histories, {pushes} pushes, {len(doc)} setups, {elapsed:.0f} s")
        print(text_table(doc))
    if args.write_docs:
        from _lifetime_doc import write_section

        total = len(histories())
        note = (f"These figures are for the {len(chosen)} smallest of the corpus's {total} "
                f"histories (`--limit {args.limit}`).") if len(chosen) < total else ""  # fmt: skip
        path = write_section(ROOT / "docs" / "cost-benchmark.md", doc, chosen, runner, note)
        print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
