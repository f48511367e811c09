"""The gate's verdict: severity levels, acceptances, jobs that could not run, the output."""

from __future__ import annotations

import pytest

from pr_router.gate.verdict import (
    Acceptance,
    GateFinding,
    at_or_above,
    check_name,
    evaluate,
    gate_output,
    not_needed,
    unrunnable,
)

from .factories import finding


@pytest.mark.parametrize(
    ("severity", "level", "expected"),
    [
        ("critical", "high", True),
        ("high", "high", True),
        ("medium", "high", False),
        ("info", "info", True),
        ("critical", "off", False),
        ("critical", "critical", True),
        ("high", "critical", False),
    ],
)
def test_at_or_above(severity: str, level: str, expected: bool) -> None:
    assert at_or_above(severity, level) is expected


def test_a_high_finding_fails_the_security_gate_and_acceptance_lifts_it() -> None:
    high, low = finding("a" * 16, "high"), finding("b" * 16, "low", line=30)
    verdict = evaluate("security", "high", [high, low], [])
    assert (verdict.name, verdict.conclusion) == ("pr-router / security", "failure")
    assert verdict.blocking == (high,)
    accepted = Acceptance("a" * 16, "maintainer", "input is an enum", "reply")
    stranger = Acceptance("c" * 16, "maintainer", "not a finding of this head", "reply")
    after = evaluate("security", "high", [high, low], [accepted, stranger])
    assert (after.conclusion, after.blocking, after.accepted) == ("success", (), (accepted,))


def test_below_the_level_passes_and_no_findings_pass() -> None:
    assert evaluate("review", "critical", [finding(severity="high")], []).conclusion == "success"
    assert evaluate("review", "critical", [], []).conclusion == "success"


def test_jobs_that_could_not_run() -> None:
    outage = unrunnable("security", "high", "provider overloaded")
    assert (outage.conclusion, outage.reason, outage.ran) == (
        "neutral",
        "provider overloaded",
        False,
    )
    strict = unrunnable("security", "high", "provider overloaded", on_outage="failure")
    assert strict.conclusion == "failure"
    assert not_needed("security", "high", "docs-only change").conclusion == "success"


def test_gate_output() -> None:
    ok = evaluate("review", "critical", [], [])
    failing = evaluate("security", "high", [finding()], [])
    neutral = unrunnable("security", "high", "outage")
    assert gate_output([ok]) == "pass"
    assert gate_output([ok, failing, neutral]) == "fail"
    assert gate_output([ok, neutral]) == "skipped"
    assert gate_output([]) == "skipped"


def test_state_round_trip_keeps_what_the_gate_needs() -> None:
    f = finding(start_line=10, side="RIGHT")
    back = GateFinding.from_json(f.to_json())
    assert back == GateFinding(
        fingerprint=f.fingerprint,
        severity="high",
        title=f.title,
        path="src/db.py",
        line=12,
        start_line=10,
        cwe="CWE-89",
        category="injection",
    )  # the explanation is not kept in the state
    assert check_name("review") == "pr-router / review"
