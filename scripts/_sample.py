"""Candidate rows for the security-detector corpus: advisory fix commits and ordinary commits.

Used by ``scripts/security_corpus.py --advisories`` and ``--sample``. Rows are candidates: every
one is read by hand (the fix really is the fix; an ordinary commit is not a silent security
fix) before it goes into ``benchmarks/security_corpus/MANIFEST.tsv``.
"""

from __future__ import annotations

import random
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import yaml

from pr_router.changes import classify
from pr_router.changes.model import FileKind

_FIX_URL = re.compile(r"https://github\.com/([^/]+/[^/#?]+)/commit/([0-9a-f]{7,40})")
# Subjects that announce security work, releases or bumps are not drawn as "ordinary".
_SKIP_SUBJECT = re.compile(
    r"secur|vulnerab|cve|ghsa|xss|csrf|inject|escap|sanitiz|traversal|exploit|"
    r"release|bump|version|\bv?\d+\.\d+(\.\d+)?\b|merge ",
    re.IGNORECASE,
)
# How many ordinary commits to draw per stratum and repository (as the first corpus did).
QUOTA = {"code": 6, "web": 2, "tests": 1, "docs": 2, "config": 1, "migration": 2}
NEWEST = 4000
MAX_CHANGED_LINES = 1500
MAX_FILES = 40
_WEB_EXTENSIONS = frozenset(
    [
        "html",
        "htm",
        "jinja",
        "j2",
        "jinja2",
        "js",
        "mjs",
        "cjs",
        "jsx",
        "ts",
        "tsx",
        "vue",
        "svelte",
        "css",
        "scss",
        "less",
        "dtml",
        "pt",
        "zpt",
    ]
)


def _git(gdir: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "--git-dir", str(gdir), *args], capture_output=True, check=True, timeout=300
    )
    return out.stdout.decode("utf-8", "replace")


def file_name(repo: str, commit: str) -> str:
    """The diff's file name in the corpus: ``owner__name__<12 hex>.diff`` (lower case)."""
    return f"{repo.lower().replace('/', '__')}__{commit[:12]}.diff"


def advisory_rows(advisories: Path, repos: list[str]) -> list[dict[str, str]]:
    """One row per (CVE, FIX commit) of ``repos`` in the advisory database (class left blank)."""
    wanted = {repo.lower(): repo for repo in repos}
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for path in sorted((advisories / "vulns").glob("*/*.yaml")):
        entry = yaml.safe_load(path.read_text(encoding="utf-8"))
        cves = [a for a in entry.get("aliases") or [] if a.startswith("CVE-")]
        for ref in entry.get("references") or []:
            match = _FIX_URL.match(ref.get("url", "")) if ref.get("type") == "FIX" else None
            if match is None or match.group(1).lower() not in wanted:
                continue
            repo, commit = wanted[match.group(1).lower()], match.group(2)
            cve = cves[0] if cves else entry["id"]
            rows.setdefault((cve, commit), {
                "file": file_name(repo, commit), "repo": repo, "commit": commit,
                "label": "fix", "advisory": entry["id"], "cve": cve,
            })  # fmt: skip
    return list(rows.values())


def stratum(paths: list[str]) -> str:
    """What a commit touches: migration, docs, tests, web, config or code (Python)."""
    kinds = {path: classify(path) for path in paths}
    if any(k is FileKind.MIGRATION and p.endswith((".py", ".sql")) for p, k in kinds.items()):
        return "migration"
    if all(kind is FileKind.DOCS for kind in kinds.values()):
        return "docs"
    if any(k is FileKind.TEST for k in kinds.values()) and all(
        k in (FileKind.TEST, FileKind.DOCS, FileKind.CONFIG) for k in kinds.values()
    ):
        return "tests"
    code = [p for p, kind in kinds.items() if kind is FileKind.CODE]
    if any(p.endswith((".py", ".pyx")) for p in code):
        return "code"
    if any(p.rsplit(".", 1)[-1].lower() in _WEB_EXTENSIONS for p in paths):
        return "web"
    return "config"


def _candidates(gdir: Path) -> list[tuple[str, str, list[str]]]:
    """(commit, subject, paths) of the newest non-merge commits (paths from ``--raw``: no blobs)."""
    log = _git(
        gdir,
        "log",
        "--no-merges",
        f"-n{NEWEST}",
        "--format=@@%H %s",
        "--raw",
        "--no-renames",
        "HEAD",
    )
    found: list[tuple[str, str, list[str]]] = []
    for block in log.split("@@")[1:]:
        head, *stats = block.strip("\n").split("\n")
        commit, _, subject = head.partition(" ")
        paths = [line.split("\t")[-1] for line in stats if line.startswith(":")]
        if paths and len(paths) <= MAX_FILES and not _SKIP_SUBJECT.search(subject):
            found.append((commit, subject, paths))
    return found


def _small(gdir: Path, commit: str) -> bool:
    """Whether the commit changes at most ``MAX_CHANGED_LINES`` (and all its blobs are here)."""
    try:
        stat = _git(gdir, "show", "--format=", "--numstat", commit)
    except subprocess.CalledProcessError:  # a blob the snapshot lacks (files of 4 MiB and more)
        return False
    counts = [line.split("\t")[:2] for line in stat.splitlines() if line]
    return sum(int(a) + int(d) for a, d in counts if a != "-") <= MAX_CHANGED_LINES


def sample_rows(gdir: Path, repo: str, seed: int) -> list[dict[str, str]]:
    """A seeded sample of ordinary commits of ``repo``, ``QUOTA`` per stratum (where it exists)."""
    by_stratum: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for commit, subject, paths in _candidates(gdir):
        by_stratum[stratum(paths)].append((commit, subject))
    rng = random.Random(f"{repo}:{seed}")
    rows = []
    for name, quota in QUOTA.items():
        pool = sorted(by_stratum.get(name, []))
        rng.shuffle(pool)
        drawn = [(c, s) for c, s in pool[: quota * 4] if _small(gdir, c)][:quota]
        for commit, subject in drawn:
            rows.append({
                "file": file_name(repo, commit), "repo": repo, "commit": commit,
                "label": "ordinary", "stratum": name, "subject": subject,
            })  # fmt: skip
    return rows
