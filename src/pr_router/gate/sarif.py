"""Findings as SARIF 2.1.0, for GitHub code scanning (``github/codeql-action/upload-sarif``).

Pure. One run per job (``automationDetails.id`` ``pr-router/JOB/`` is the code-scanning
category). Rule ids come from the CWE (``CWE-79``); a finding without one gets
``pr-router/JOB/CATEGORY``. Locations are lines of the head commit, so only findings on
added or context lines are written (a removed line is not in the head; a file outside the
diff has no line to point at). ``partialFingerprints`` hash the rule, the path and the
finding's first line with whitespace collapsed (``GateFinding.line_text``), not its line
number: the same finding on the next push, moved down by an edit above it, keeps its alert.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pr_router.gate.verdict import GateFinding
from pr_router.jobs.sanitize import sanitize_output

__all__ = ["FINGERPRINT_KEY", "SARIF_SCHEMA_URI", "line_texts", "partial_fingerprint", "sarif_log"]

SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "prRouterLineHash/v1"
_CWE = re.compile(r"^\s*CWE-(\d{1,5})\s*$", re.IGNORECASE)
_SLUG = re.compile(r"[^a-z0-9]+")
_LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub reads ``security-severity`` (0-10) to show critical/high/medium/low.
_SECURITY_SEVERITY = {
    "critical": "9.5",
    "high": "8.0",
    "medium": "5.5",
    "low": "2.0",
    "info": "0.1",
}
_ORDER = ("critical", "high", "medium", "low", "info")


def line_texts(files: Sequence[Any]) -> dict[tuple[str, int], str]:
    """Head-side line text by (path, line), from a ``ChangeSet``'s files."""
    out: dict[tuple[str, int], str] = {}
    for f in files:
        for hunk in f.hunks:
            for dl in hunk.lines:
                if dl.new_no is not None:
                    out[(f.path, dl.new_no)] = dl.text
    return out


def _rule_id(job: str, f: GateFinding) -> str:
    m = _CWE.match(f.cwe or "")
    if m:
        return f"CWE-{int(m.group(1))}"
    slug = _SLUG.sub("-", f.category.lower()).strip("-") or "finding"
    return f"pr-router/{job}/{slug}"


def partial_fingerprint(rule: str, path: str, content: str) -> str:
    """Stable across pushes: rule, path and the line's text (whitespace collapsed)."""
    normalised = " ".join(content.split())
    return hashlib.sha256(f"{rule}\0{path}\0{normalised}".encode()).hexdigest()[:32]


def _worst(severities: Sequence[str]) -> str:
    return min(severities, key=lambda s: _ORDER.index(s) if s in _ORDER else 9)


def _rule(rule_id: str, members: Sequence[GateFinding]) -> dict[str, Any]:
    worst = _worst([f.severity for f in members])
    tags = ["security"] if rule_id.startswith("CWE-") else [members[0].category or "finding"]
    rule: dict[str, Any] = {
        "id": rule_id,
        "shortDescription": {
            "text": sanitize_output(" ".join(members[0].title.split())[:200]) or rule_id
        },
        "defaultConfiguration": {"level": _LEVELS.get(worst, "warning")},
        "properties": {"tags": tags, "security-severity": _SECURITY_SEVERITY.get(worst, "5.5")},
    }
    if rule_id.startswith("CWE-"):
        number = rule_id.removeprefix("CWE-")
        rule["helpUri"] = f"https://cwe.mitre.org/data/definitions/{number}.html"
        rule["properties"]["tags"].append(f"external/cwe/cwe-{number}")
    return rule


def _message(f: GateFinding) -> str:
    """Model text: hidden comments dropped, mentions defused, as everywhere we post it."""
    title = " ".join(f.title.split())
    text = " ".join(f.explanation.split())
    return sanitize_output(f"{title}: {text}" if text else title)


def _result(
    job: str, f: GateFinding, rule_id: str, index: int, *, seen: dict[str, int]
) -> dict[str, Any]:
    assert f.line is not None
    start = f.start_line or f.line
    base = partial_fingerprint(rule_id, f.path, f.line_text or f.title)
    seen[base] = seen.get(base, 0) + 1  # the same line text twice in a file: number them
    region: dict[str, Any] = {"startLine": start}
    if f.line != start:
        region["endLine"] = f.line
    return {
        "ruleId": rule_id,
        "ruleIndex": index,
        "level": _LEVELS.get(f.severity, "warning"),
        "message": {"text": _message(f)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: f"{base}:{seen[base]}"},
        "properties": {"severity": f.severity, "job": job, "pr-router/finding": f.fingerprint},
    }


def _run(
    job: str, findings: Sequence[GateFinding], head_sha: str, *, repo_uri: str | None,
    version: str,
) -> dict[str, Any]:  # fmt: skip
    placed = sorted(
        (f for f in findings if f.line is not None and f.side == "RIGHT"),
        key=lambda f: (f.path, f.start_line or f.line or 0, f.fingerprint),
    )
    groups: dict[str, list[GateFinding]] = {}
    for f in placed:
        groups.setdefault(_rule_id(job, f), []).append(f)
    rule_ids = sorted(groups)
    seen: dict[str, int] = {}
    results = [
        _result(job, f, _rule_id(job, f), rule_ids.index(_rule_id(job, f)), seen=seen)
        for f in placed
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "pr-router",
                "semanticVersion": version,
                "rules": [_rule(r, groups[r]) for r in rule_ids],
            }
        },
        "automationDetails": {"id": f"pr-router/{job}/"},
        "results": results,
        "properties": {"head_sha": head_sha, "not_located": len(findings) - len(placed)},
    }
    if repo_uri:
        run["versionControlProvenance"] = [{"repositoryUri": repo_uri, "revisionId": head_sha}]
    return run


def sarif_log(
    findings_by_job: Mapping[str, Sequence[GateFinding]],
    head_sha: str,
    *,
    repo_uri: str | None = None,
    version: str = "0.1.0",
) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run per job, located on ``head_sha``."""
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            _run(job, found, head_sha, repo_uri=repo_uri, version=version)
            for job, found in findings_by_job.items()
        ],
    }
