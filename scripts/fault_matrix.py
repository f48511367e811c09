#!/usr/bin/env python3
"""Print the fault matrix: every case of tests/reliability/cases.py, played end to end.

    python scripts/fault_matrix.py [--markdown] [CASE_ID ...]

One row per case: where the fault hits, what it is, the end state read back from the PR,
the jobs published and failed, duplicated comments, batch results lost, and the exit code
of each phase with fail-on-error false and true. Cases that break a promise are listed
after the table with what went wrong; the script exits 1 when there is any.
Runs offline: the local emulator plays GitHub and both providers on a fake clock.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from reliability.cases import CASES  # noqa: E402
from reliability.harness import Case, Observed, play, problems  # noqa: E402

COLUMNS = ("case", "step", "fault", "end state", "published", "failed (reason shown)",
           "dupes", "lost", "exit foe=false", "exit foe=true")  # fmt: skip


def _codes(seen: Observed) -> str:
    return " ".join(f"{phase}={code}" for phase, code in seen.exit_codes.items())


def _row(case: Case, off: Observed, on: Observed) -> tuple[str, ...]:
    failed = sorted({*off.failed, *(f"{j} (unposted)" for j in off.unposted)})
    return (
        case.id,
        case.step,
        case.fault,
        off.end_state + (" (after collect)" if case.collect_needed else ""),
        str(len(off.published)),
        ", ".join(failed) or "-",
        str(max(off.duplicates, on.duplicates)),
        str(max(len(off.lost_batches), len(on.lost_batches))),
        _codes(off),
        _codes(on),
    )


def _table(rows: list[tuple[str, ...]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(x) for x in col) for col in zip(COLUMNS, *rows, strict=True)]
    fmt = "  ".join(f"{{:{w}}}" for w in widths)
    out = [fmt.format(*COLUMNS), fmt.format(*("-" * w for w in widths))]
    return "\n".join(out + [fmt.format(*r) for r in rows])


def main(argv: list[str] | None = None) -> int:
    """Play the cases, print the table, exit 1 if any case broke a promise."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", help="only these case ids")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table")
    args = parser.parse_args(argv)
    chosen = [c for c in CASES if not args.cases or c.id in args.cases]
    rows: list[tuple[str, ...]] = []
    broken: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for case in chosen:
            seen = {
                foe: play(case, fail_on_error=foe, workdir=Path(tmp, f"{case.id}-{foe}"))
                for foe in (False, True)
            }
            rows.append(_row(case, seen[False], seen[True]))
            for foe, observed in seen.items():
                found = problems(observed)
                note = " (known gap: " + case.xfail + ")" if case.xfail else ""
                broken += [f"{case.id} fail-on-error={str(foe).lower()}: {p}{note}" for p in found]
    print(_table(rows, args.markdown))
    print(f"\n{len(chosen)} cases, {time.perf_counter() - started:.1f} s")
    if broken:
        print("\nBroken promises:\n" + "\n".join(f"- {b}" for b in broken))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
