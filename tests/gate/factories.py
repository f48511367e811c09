"""Findings for the gate's tests."""

from __future__ import annotations

from typing import Any

from pr_router.gate.verdict import GateFinding


def finding(fp: str = "a" * 16, severity: str = "high", **kw: Any) -> GateFinding:
    """A SQL injection finding on src/db.py line 12 unless told otherwise."""
    fields: dict[str, Any] = {
        "title": "SQL built from request input",
        "path": "src/db.py",
        "line": 12,
        "cwe": "CWE-89",
        "category": "injection",
        "explanation": "The query concatenates `name` from the request.",
    }
    fields.update(kw)
    return GateFinding(fingerprint=fp, severity=severity, **fields)
