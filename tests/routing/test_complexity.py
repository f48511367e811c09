"""The author's complexity note: strict parsing, labels, rule conditions, raise-only routing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from pr_router.changes.model import FileKind
from pr_router.cli import main
from pr_router.complexity import ComplexityNote, read_note
from pr_router.context import PRContext
from pr_router.pricing import PriceTable
from pr_router.router import route

from .factories import changes, file, policy

NOTE = "pr-router: domain=security scope=cross-service ambiguity=high"
ROOT = Path(__file__).resolve().parents[2]
WEBHOOKS = ROOT / "tests/fixtures/github/webhooks"
DEMO = ROOT / "src/pr_router/data/demo"


@pytest.mark.parametrize(
    ("body", "values"),
    [
        (f"Fixes the token refresh.\n\n{NOTE}\n",
         {"domain": "security", "scope": "cross-service", "ambiguity": "high"}),
        ("pr-router: tier=frontier effort=high", {"tier": "frontier", "effort": "high"}),
        ("   pr-router: scope=local", {"scope": "local"}),
        ("No note here.", {}),
        (f"> {NOTE}", {}),  # a quote is not the author's note
        (f"```\n{NOTE}\n```", {}),  # nor is a code block
        (f"    {NOTE}", {}),
        ("see pr-router: domain=security", {}),  # not on a line of its own
    ],
)  # fmt: skip
def test_the_note_line(body: str, values: dict[str, str]) -> None:
    note = read_note(body)
    assert note.problems == ()
    assert dict(note.values) == values


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("pr-router: domain=crypto", "domain='crypto' is not one of general, docs, ui"),
        ("pr-router: size=huge", "unknown key 'size=huge'"),
        ("pr-router: ambiguity", "unknown key 'ambiguity'"),
        ("pr-router: scope=local scope=module", "scope is given twice"),
        ("pr-router:", "no key=value pair"),
        ("pr-router: scope=local\npr-router: ambiguity=low", "2 note lines"),
    ],
)
def test_a_malformed_note_is_ignored_whole_with_the_reason(body: str, problem: str) -> None:
    note = read_note(body)
    assert note.values == {}
    assert any(problem in p for p in note.problems), note.problems


def test_labels_named_in_the_policy_stand_for_pairs() -> None:
    labels = {"risky": "ambiguity=high", "platform": "scope=cross-service"}
    note = read_note("pr-router: domain=data", ("risky", "bug"), labels)
    assert dict(note.values) == {"domain": "data", "ambiguity": "high"}
    assert note.source == "PR description, label 'risky'"
    clash = read_note("pr-router: ambiguity=low", ("risky",), labels)
    assert clash.values == {}
    assert "label 'risky' says ambiguity=high, the note ambiguity=low" in clash.problems


def test_a_policy_label_must_parse() -> None:
    with pytest.raises(ValidationError, match="label 'risky'"):
        policy(complexity={"labels": {"risky": "ambiguity=extreme"}})


def _plan(body: str, pol=None, labels: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    change = changes(file("src/auth.py", FileKind.CODE), file("README.md", FileKind.DOCS))
    ctx = PRContext(repo="o/r", number=1, title="t", body=body, labels=labels,
                    event="pull_request", action="opened")  # fmt: skip
    return route(pol or policy(), change, ctx, prices=PriceTable())


def test_ambiguity_high_raises_the_critical_jobs_effort_and_plan_says_why() -> None:
    plain, noted = _plan("Fix."), _plan(f"Fix.\n{NOTE}")
    assert plain.job("review").effort != "high"
    review = noted.job("review")
    assert review.effort == "high"
    assert "complexity note (PR description): ambiguity=high, effort high" in review.reasons
    assert noted.job("describe").effort == plain.job("describe").effort  # auxiliary: untouched
    assert f"complexity note (PR description): {NOTE.removeprefix('pr-router: ')}" in (
        noted.notices
    )
    assert noted.job("review").estimate.usd > plain.job("review").estimate.usd  # type: ignore[union-attr]


def test_a_note_asking_for_less_is_reported_not_obeyed() -> None:
    pol = policy(rules=[{"name": "deep", "jobs": ["review"], "if": {}, "then": {"effort": "high"}}])
    plan = _plan("pr-router: tier=efficient effort=low", pol)
    review = plan.job("review")
    assert (review.tier, review.effort) == ("frontier", "high")
    assert any("asks tier=efficient: not obeyed" in r for r in review.reasons)
    assert any("asks effort=low: not obeyed" in r for r in review.reasons)


def test_rule_conditions_read_the_note() -> None:
    pol = policy(rules=[{"name": "security work gets a standard description",
                         "jobs": ["describe"],
                         "if": {"note_domain_any": ["security"],
                                "note_scope_at_least": "cross-module"},
                         "then": {"tier": "standard"}}])  # fmt: skip
    assert _plan("Fix.", pol).job("describe").tier == "efficient"
    describe = _plan(NOTE, pol).job("describe")
    assert describe.tier == "standard"
    assert any("complexity note: domain=security" in r for r in describe.reasons)
    local = _plan("pr-router: domain=security scope=local", pol).job("describe")
    assert local.tier == "efficient"


def test_a_bad_note_is_a_plan_notice() -> None:
    plan = _plan("pr-router: domain=crypto")
    assert any(n.startswith("complexity note ignored: domain='crypto'") for n in plan.notices)
    assert plan.job("review").effort == _plan("Fix.").job("review").effort


def test_the_note_can_be_switched_off() -> None:
    off = policy(complexity={"enabled": False})
    assert _plan(NOTE, off).job("review").effort == _plan("Fix.").job("review").effort
    assert ComplexityNote().describe() == ""


POLICY_YML = """\
tiers:
  frontier: {provider: anthropic, model: claude-opus-5-5}
  standard: {provider: anthropic, model: claude-sonnet-5-5}
  efficient: {provider: anthropic, model: claude-haiku-5-5}
rules:
  - name: cross-service work gets a standard description
    jobs: [describe]
    if: {note_scope_at_least: cross-service}
    then: {tier: standard}
"""


def _cli_plan(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str) -> dict[str, Any]:
    payload = json.loads((WEBHOOKS / "pull_request.opened.payload.json").read_text("utf-8"))
    payload["pull_request"]["body"] = body
    event, pol = tmp_path / "event.json", tmp_path / "policy.yml"
    event.write_text(json.dumps(payload), "utf-8")
    pol.write_text(POLICY_YML, "utf-8")
    args = ["plan", "--diff", str(DEMO / "example.diff"), "--format", "json"]
    assert main([*args, "--event", str(event), "--policy", str(pol)]) == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


def _job(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(j for j in doc["jobs"] if j["job"] == name)


def test_plan_cli_shows_the_note_and_what_it_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = _cli_plan(tmp_path, capsys, "Refresh tokens.")
    noted = _cli_plan(tmp_path, capsys, "Refresh tokens.\n\npr-router: scope=cross-service")
    assert "complexity note (PR description): scope=cross-service" in noted["notices"]
    assert (_job(plain, "describe")["tier"], _job(noted, "describe")["tier"]) == (
        "efficient",
        "standard",
    )
    assert any(
        "complexity note: scope=cross-service" in r for r in _job(noted, "describe")["reasons"]
    )
    lower = _cli_plan(tmp_path, capsys, "pr-router: tier=efficient")
    assert _job(lower, "review")["tier"] == "frontier"
    assert any("not obeyed" in r for r in _job(lower, "review")["reasons"])
