"""The merge gate: check runs per gating job, acceptance of findings, SARIF for code scanning.

``verdict`` decides (pure), ``checks`` renders a verdict as a check run (pure), ``sarif``
writes findings as SARIF 2.1.0 (pure), ``publish`` creates or updates the check runs.
"""

from __future__ import annotations

from pr_router.gate.checks import Annotation, CheckRunSpec, check_run_spec
from pr_router.gate.publish import ANNOTATIONS_PER_REQUEST, Posted, post_check_runs
from pr_router.gate.sarif import partial_fingerprint, sarif_log
from pr_router.gate.verdict import (
    Acceptance,
    GateFinding,
    Verdict,
    check_name,
    evaluate,
    gate_findings,
    gate_output,
    not_needed,
    unrunnable,
)

__all__ = [
    "ANNOTATIONS_PER_REQUEST",
    "Acceptance",
    "Annotation",
    "CheckRunSpec",
    "GateFinding",
    "Posted",
    "Verdict",
    "check_name",
    "check_run_spec",
    "evaluate",
    "gate_findings",
    "gate_output",
    "not_needed",
    "partial_fingerprint",
    "post_check_runs",
    "sarif_log",
    "unrunnable",
]
