"""Recall and precision of the security-sensitivity detector on real CVE fixes and ordinary commits.

    python benchmarks/detector.py [--json] [--split heldout|dev|all] [--list] [--no-baseline]
    python benchmarks/detector.py --split dev --cv repo [--json]

The corpus is ``benchmarks/security_corpus`` (see its README): fix commits linked from the
PyPA advisory database and ordinary commits sampled from the same repositories, split by
repository into ``dev`` (for tuning) and ``heldout`` (repositories added after the rules were
tuned, measured once; ``test`` is accepted as its old name). Figures, on the chosen split:

- ``recall_cve``: CVEs with at least one of their fix commits flagged ``security_sensitive``;
- ``recall_commit``: fix commits flagged (commits marked as release notes only are left out);
- ``fpr_code``: ordinary commits that change code (Python, front-end, migrations) flagged;
- ``fpr_all_ordinary``: every ordinary commit flagged;
- ``docs_skip_rate``: docs-only ordinary commits for which the plan does not run the security job;
- ``per_class_recall``: ``recall_cve`` by class of vulnerability;
- ``ms_per_diff`` (mean), ``ms_per_diff_median``, ``ms_slowest_diff``: time of ``analyze()``
  per diff, the best of ``--repeat`` runs of each;
- ``dev_split``: the same figures on the dev split (when another split is chosen);
- ``cv_repo`` (with ``--cv repo``, on the dev split): leave-one-repository-out figures. For
  each repository of the dev split, which hit categories flag a change alone (``_strength``)
  is decided from the evidence of the other repositories only, then the left-out repository
  is judged; ``recall_cve``, ``recall_commit``, ``fpr_code``, ``fpr_all_ordinary`` are pooled
  over the folds. ``any_hit`` gives the same figures for the rule "any content hit flags"
  (the detector before hits needed corroboration), whose rules were all written on dev;
- ``speed``: ``analyze()`` of today's detector against the detector before it read context
  (``_baseline.py``), same run, same diffs (the whole corpus): ``speed_ratio_median`` is
  today's median time per diff over the baseline's (target <= 1.0).

Targets on the held-out split: recall_cve >= 0.90, fpr_code <= 0.25, docs_skip_rate >= 0.98,
speed_ratio_median <= 1.0.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from _corpus import ROOT
from pr_router.changes._strength import Sample, count_evidence, counts, strong_categories

if TYPE_CHECKING:
    from pr_router.policy.loader import LoadedPolicy

CORPUS = ROOT / "benchmarks" / "security_corpus"
_CODE_STRATA = frozenset({"code", "web", "migration"})
TARGETS = {"recall_cve": 0.90, "fpr_code": 0.25, "docs_skip_rate": 0.98, "speed_ratio_median": 1.0}
_SPLITS = {"heldout": "heldout", "test": "heldout", "dev": "dev", "all": "all"}


@dataclass(frozen=True)
class Row:
    """One manifest row and what the detector and the plan made of its diff."""

    file: str
    repo: str
    label: str
    cve: str
    cls: str
    stratum: str
    split: str
    note: str
    flagged: bool
    risk: str
    security_runs: bool
    reason: str
    categories: frozenset[str] = frozenset()  # of the content hits, corroborated or not


def _manifest() -> list[dict[str, str]]:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@cache
def _policy() -> LoadedPolicy:
    """The bundled default policy (loaded once)."""
    from pr_router.policy.loader import load_policy

    return load_policy(None)


def _judge(entry: dict[str, str], data: bytes) -> Row:
    """Analyse one diff and plan it with the bundled default policy."""
    from pr_router.changes import analyze
    from pr_router.context import PRContext
    from pr_router.router import route

    loaded = _policy()
    changes = analyze(data, ignore=loaded.policy.ignore)
    plan = route(loaded.policy, changes, PRContext(), prices=loaded.prices)
    security = next(job for job in plan.jobs if job.job == "security")
    signals = changes.signals
    return Row(
        file=entry["file"],
        repo=entry["repo"],
        label=entry["label"],
        cve=entry["cve"],
        cls=entry["class"],
        stratum=entry["stratum"],
        split=entry["split"],
        note=entry["note"],
        flagged=signals.security_sensitive,
        risk=signals.risk,
        security_runs=security.run,
        reason=signals.sensitive_reasons[0] if signals.sensitive_reasons else "",
        categories=frozenset(h.category for h in signals.sensitive_hits if not h.context),
    )


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def figures(rows: list[Row]) -> dict[str, object]:
    """The benchmark figures of a set of judged rows."""
    fixes = [r for r in rows if r.label == "fix" and not r.note]
    ordinary = [r for r in rows if r.label == "ordinary"]
    by_cve: dict[str, list[Row]] = defaultdict(list)
    for row in fixes:
        by_cve[row.cve].append(row)
    caught = {cve: any(r.flagged for r in group) for cve, group in by_cve.items()}
    classes: dict[str, list[bool]] = defaultdict(list)
    for cve, group in by_cve.items():
        classes[group[0].cls].append(caught[cve])
    code = [r for r in ordinary if r.stratum in _CODE_STRATA]
    docs = [r for r in ordinary if r.stratum == "docs"]
    strata: dict[str, list[bool]] = defaultdict(list)
    for row in ordinary:
        strata[row.stratum].append(row.flagged)
    risks: dict[str, dict[str, int]] = {"fix": defaultdict(int), "ordinary": defaultdict(int)}
    for row in fixes + ordinary:
        risks[row.label][row.risk] += 1
    return {
        "cves": len(by_cve),
        "fix_commits": len(fixes),
        "ordinary_commits": len(ordinary),
        "recall_cve": _rate(sum(caught.values()), len(caught)),
        "recall_commit": _rate(sum(r.flagged for r in fixes), len(fixes)),
        "fpr_code": _rate(sum(r.flagged for r in code), len(code)),
        "fpr_all_ordinary": _rate(sum(r.flagged for r in ordinary), len(ordinary)),
        "docs_skip_rate": _rate(sum(not r.security_runs for r in docs), len(docs)),
        "per_class_recall": {
            cls: {"cves": len(found), "recall": _rate(sum(found), len(found))}
            for cls, found in sorted(classes.items())
        },
        "fpr_by_stratum": {
            name: {"commits": len(found), "fpr": _rate(sum(found), len(found))}
            for name, found in sorted(strata.items())
        },
        "risk_counts": {label: dict(sorted(c.items())) for label, c in risks.items()},
    }


_CV_KEYS = ("recall_cve", "recall_commit", "fpr_code", "fpr_all_ordinary")


def _sample(row: Row) -> Sample | None:
    """The row as evidence: a counted fix or an ordinary code commit (None: neither)."""
    if row.label == "fix" and not row.note:
        return Sample(fix=True, categories=row.categories)
    if row.label == "ordinary" and row.stratum in _CODE_STRATA:
        return Sample(fix=False, categories=row.categories)
    return None


def cross_validate(rows: list[Row]) -> dict[str, object]:
    """Leave-one-repository-out figures: strong categories counted without the judged repo."""
    judged: list[Row] = []
    for repo in sorted({row.repo for row in rows}):
        rest = (_sample(row) for row in rows if row.repo != repo)
        strong = strong_categories(*count_evidence(s for s in rest if s is not None))
        judged += [
            replace(row, flagged=counts(row.categories, strong)) for row in rows if row.repo == repo
        ]
    pooled = figures(judged)
    any_hit = figures([replace(row, flagged=bool(row.categories)) for row in rows])
    return {
        "folds": len({row.repo for row in rows}),
        **{key: pooled[key] for key in _CV_KEYS},
        "any_hit": {key: any_hit[key] for key in _CV_KEYS},
    }


def _time_per_diff(datas: list[bytes], repeat: int) -> tuple[float, float, float]:
    """Mean, median and slowest milliseconds of ``analyze()`` per diff (best of ``repeat``)."""
    from pr_router.changes import analyze

    best = [float("inf")] * len(datas)
    for _ in range(repeat):
        for index, data in enumerate(datas):
            start = time.perf_counter()
            analyze(data)
            best[index] = min(best[index], time.perf_counter() - start)
    if not datas:
        return 0.0, 0.0, 0.0
    return (
        round(statistics.mean(best) * 1000, 3),
        round(statistics.median(best) * 1000, 3),
        round(max(best) * 1000, 3),
    )


def _judge_split(split: str) -> tuple[list[Row], list[bytes]]:
    """The judged rows and the diffs of one split (``all``: every row)."""
    entries = [e for e in _manifest() if split in ("all", e["split"])]
    datas = [(CORPUS / "diffs" / e["file"]).read_bytes() for e in entries]
    return [_judge(e, d) for e, d in zip(entries, datas, strict=True)], datas


def main() -> int:
    """Print the figures (or JSON) for one split, the dev split's, and the speed comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--split", choices=tuple(_SPLITS), default="heldout")
    parser.add_argument("--list", action="store_true", help="one line per diff (dev split only)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true", help="skip the speed comparison")
    parser.add_argument("--cv", choices=("repo",), help="leave-one-repository-out on dev")
    args = parser.parse_args()
    split = _SPLITS[args.split]
    if args.cv and split != "dev":
        parser.error("--cv repo runs on the dev split only: the held-out split is not for tuning")
    if args.list and split != "dev":
        parser.error("--list shows the dev split only: the held-out split is not for tuning")
    rows, datas = _judge_split(split)
    mean, median, slowest = _time_per_diff(datas, args.repeat)
    result: dict[str, object] = {
        "corpus": str(CORPUS.relative_to(ROOT)),
        "split": split,
        **figures(rows),
        "ms_per_diff": mean,
        "ms_per_diff_median": median,
        "ms_slowest_diff": slowest,
        "targets": TARGETS,
    }
    if args.cv:
        result["cv_repo"] = cross_validate(rows)
    if split != "dev":
        result["dev_split"] = figures(_judge_split("dev")[0])
    if not args.no_baseline:
        from _baseline import BASELINE_COMMIT, compare

        paths = [CORPUS / "diffs" / e["file"] for e in _manifest()]
        result["speed"] = {
            "baseline_commit": BASELINE_COMMIT,
            "diffs": len(paths),
            **compare(paths, args.repeat),
        }
    if args.list:
        for row in rows:
            mark = "FLAG" if row.flagged else "----"
            kind = row.cls if row.label == "fix" else row.stratum
            print(f"{mark} {row.risk:6} {row.label:8} {kind:15} {row.file} {row.reason[:110]}")
    if args.json:
        print(json.dumps(result, indent=2))
    elif not args.list:
        for key, value in result.items():
            print(f"{key}: {json.dumps(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
