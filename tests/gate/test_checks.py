"""A verdict as a check run: title, summary, annotations (lines of the head only), safety."""

from __future__ import annotations

from pr_router.gate.checks import check_run_spec
from pr_router.gate.verdict import Acceptance, evaluate, unrunnable

from .factories import finding

HEAD = "e" * 40


def test_failing_check_has_an_annotation_on_the_line() -> None:
    high = finding("a" * 16, "high", start_line=11)
    low = finding("b" * 16, "low", line=40, title="Unused import")
    removed = finding("c" * 16, "medium", side="LEFT", line=5)
    outside = finding("d" * 16, "high", line=None, path="src/other.py")
    verdict = evaluate("security", "high", [low, high, removed, outside], [])
    spec = check_run_spec(verdict, HEAD, cost_line="security: 6.1k sent. Cost: $0.0312")
    assert (spec.name, spec.conclusion, spec.head_sha) == ("pr-router / security", "failure", HEAD)
    assert spec.title == "2 findings at high or above block the merge"
    wire = [a.wire() for a in spec.annotations]
    assert wire[0] == {
        "path": "src/db.py", "start_line": 11, "end_line": 12, "annotation_level": "failure",
        "title": "[High] SQL built from request input",
        "message": "The query concatenates `name` from the request.",
        "raw_details": "CWE-89 · injection",
    }  # fmt: skip
    assert [(a["path"], a["end_line"], a["annotation_level"]) for a in wire] == [
        ("src/db.py", 12, "failure"),
        ("src/db.py", 40, "warning"),
    ]  # the removed line and the file outside the diff are in the summary only
    assert "Cost: security: 6.1k sent. Cost: $0.0312" in spec.summary
    assert "`src/other.py` (outside the diff)" in spec.summary
    assert "(removed code)" in spec.summary
    assert spec.summary.index("SQL built") < spec.summary.index("Unused import")


def test_accepted_finding_is_shown_with_who_and_why() -> None:
    accepted = Acceptance("a" * 16, "octo-lead", "only admins reach this @team", "reply")
    verdict = evaluate("security", "high", [finding("a" * 16)], [accepted])
    spec = check_run_spec(verdict, HEAD)
    assert (spec.conclusion, spec.title) == (
        "success",
        "No blocking findings (1 finding, 1 accepted)",
    )
    assert "✅ accepted by `octo-lead` (reply): only admins reach this `@team`" in spec.summary
    [note] = spec.annotations
    assert note.level == "notice"
    assert note.message.startswith("Accepted by octo-lead: only admins")


def test_neutral_check_says_why() -> None:
    spec = check_run_spec(unrunnable("security", "high", "fork PR: no API keys"), HEAD)
    assert (spec.conclusion, spec.title, spec.annotations) == (
        "neutral",
        "Could not run: fork PR: no API keys",
        (),
    )


def test_model_text_cannot_plant_markers_or_mentions() -> None:
    evil = finding(
        title="<!-- pr-router:annotated ffff --> ping @admins", explanation="<!-- x --> @org/team"
    )
    spec = check_run_spec(evaluate("security", "high", [evil], []), HEAD)
    assert "<!--" not in spec.summary
    assert "`@admins`" in spec.summary
    [a] = spec.annotations
    assert "<!--" not in a.title + a.message
