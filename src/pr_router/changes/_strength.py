"""Which hits make a change security-sensitive on their own, and which need corroboration.

A content hit is **strong** when its category is a sink, an explicit advisory or an attack
payload in a test (``BY_DESIGN``), or when, on the security corpus's dev split, the category
is at least ``MIN_RATIO`` times as frequent in CVE fix commits as in ordinary code commits
(``EVIDENCE``, counted by ``scripts/gen_security_evidence.py``). A strong hit flags a change
alone. Any other (**weak**) hit counts only when corroborated: a second content category in
the same change. A lone weak hit (a guard in one view, one path join, a parser touched) is
kept as a hit, raises the risk to medium, and does not make the change sensitive.

``benchmarks/detector.py --cv repo`` measures this choice by leaving one repository of the
dev split out at a time: the evidence is counted on the others, then the left-out
repository is judged.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import NamedTuple

from pr_router.changes._evidence import EVIDENCE, FIX_COMMITS, ORDINARY_COMMITS
from pr_router.changes.model import SensitiveHit

__all__ = [
    "BY_DESIGN",
    "MIN_RATIO",
    "STRONG",
    "Sample",
    "count_evidence",
    "counting_hits",
    "counts",
    "likelihood_ratio",
    "strong_categories",
]

# Sinks, explicit advisories, attack payloads and new dependencies: strong whatever their counts.
BY_DESIGN = frozenset(
    {
        "secret-literal",
        "ci-injection",
        "ci-untrusted-trigger",
        "ci-remote-script",
        "ci-secrets",
        "ci-permissions",
        "shell",
        "sql",
        "deserialization",
        "tls",
        "permissions",
        "injection-guard",
        "advisory-id",
        "attack-payload",
        "dependency",  # new third-party code: a reason to scan whatever it fixes
    }
)
MIN_RATIO = 3.5  # how much likelier in fixes than in ordinary code commits a strong category is
_SMOOTHING = 1.0  # added to every count (a category seen in few commits is not taken at face)
CORROBORATION = 2  # distinct content categories that make weak hits count


class Sample(NamedTuple):
    """One commit of the corpus, as the evidence counts it."""

    fix: bool  # a CVE fix commit (else an ordinary code commit)
    categories: frozenset[str]  # the categories of its content hits


def count_evidence(samples: Iterable[Sample]) -> tuple[dict[str, tuple[int, int]], int, int]:
    """Per category (fix commits hit, ordinary commits hit), and the two totals."""
    counts: dict[str, list[int]] = {}
    totals = [0, 0]
    for sample in samples:
        column = 0 if sample.fix else 1
        totals[column] += 1
        for category in sample.categories:
            counts.setdefault(category, [0, 0])[column] += 1
    evidence = {category: (pair[0], pair[1]) for category, pair in sorted(counts.items())}
    return evidence, totals[0], totals[1]


def likelihood_ratio(fixes: int, ordinary: int, fix_total: int, ordinary_total: int) -> float:
    """How much more often a category hits fix commits than ordinary ones (smoothed)."""
    in_fixes = (fixes + _SMOOTHING) / (fix_total + 2 * _SMOOTHING)
    in_ordinary = (ordinary + _SMOOTHING) / (ordinary_total + 2 * _SMOOTHING)
    return in_fixes / in_ordinary


def strong_categories(
    evidence: Mapping[str, tuple[int, int]], fix_total: int, ordinary_total: int
) -> frozenset[str]:
    """``BY_DESIGN`` and every category whose counts give a ratio of at least ``MIN_RATIO``."""
    learned = {
        category
        for category, (fixes, ordinary) in evidence.items()
        if likelihood_ratio(fixes, ordinary, fix_total, ordinary_total) >= MIN_RATIO
    }
    return BY_DESIGN | learned


STRONG = strong_categories(EVIDENCE, FIX_COMMITS, ORDINARY_COMMITS)


def counting_hits(
    hits: Iterable[SensitiveHit], strong: frozenset[str] = STRONG
) -> tuple[SensitiveHit, ...]:
    """Every content hit if one is strong or they span two categories; else none."""
    sensitive = tuple(hit for hit in hits if not hit.context)
    return sensitive if counts({hit.category for hit in sensitive}, strong) else ()


def counts(categories: Collection[str], strong: frozenset[str] = STRONG) -> bool:
    """Whether content hits of these categories make a change sensitive."""
    return not strong.isdisjoint(categories) or len(categories) >= CORROBORATION
