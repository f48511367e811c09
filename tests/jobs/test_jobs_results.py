"""The Markdown that gets posted, snapshotted exactly, from realistic model answers."""

from __future__ import annotations

from typing import Any

from pr_router.jobs import FailureLog, JobInputs, JobResult, validator_for
from pr_router.policy.models import OutputKind

from .helpers import LOGS, finding, inputs, job_plan, load_diff, response

REQUEST_PY = "src/werkzeug/wrappers/request.py"
KEEP_A_CHANGELOG = (
    "# Changelog\n\nAll notable changes to this project are documented here.\n\n"
    "## [Unreleased]\n\n### Added\n\n- Support for `Request.json` on GET requests.\n\n"
    "### Fixed\n\n- Handle empty request bodies.\n\n## [1.2.0] - 2024-01-01\n\n### Added\n\n- x\n"
)


def _inputs(changelog: str | None = KEEP_A_CHANGELOG) -> JobInputs:
    log = FailureLog("test (3.12)", (LOGS / "pytest_failure.log").read_text(), ("Run pytest -q",))
    return inputs(load_diff("werkzeug__eef696b15c5e.diff"), changelog=changelog, logs=(log,))


def _run(job: str, output: OutputKind, title: str, data: Any, **kw: Any) -> JobResult:
    validate = validator_for(job_plan(job, output, title=title), _inputs(**kw))
    return validate(response(data))


def _review() -> JobResult:
    return _run(
        "review",
        "findings",
        "Code review",
        {
            "summary": "Switches the error for a non-JSON content type from 400 to 415.",
            "findings": [
                finding(
                    REQUEST_PY,
                    624,
                    severity="high",
                    category="compatibility",
                    title="415 breaks clients that expect 400",
                    explanation="Clients that match on status 400 now see 415.",
                    suggestion="        raise UnsupportedMediaType(  # 415, was 400",
                ),
                finding(
                    REQUEST_PY,
                    600,
                    title="Docstring still says 400",
                    explanation="The docstring of `get_json` mentions 400.",
                    suggestion="x = 1",
                ),
                finding(
                    "src/werkzeug/exceptions.py",
                    80,
                    severity="low",
                    title="Document the new base class",
                    explanation="Say that `UnsupportedMediaType` subclasses `BadRequest`.",
                ),
            ],
        },
    )


def test_inline_comment_with_suggestion() -> None:
    comment = _review().inline_comments()[0]
    assert (comment.path, comment.line, comment.side, comment.start_line) == (
        REQUEST_PY,
        624,
        "RIGHT",
        None,
    )
    assert comment.body == (
        "**🟠 High** · compatibility\n\n"
        "**415 breaks clients that expect 400**\n\n"
        "Clients that match on status 400 now see 415.\n\n"
        "```suggestion\n        raise UnsupportedMediaType(  # 415, was 400\n```\n\n"
        "<sub>pr-router · Code review</sub>"
    )


def test_moved_comment_says_so_and_offers_no_applicable_suggestion() -> None:
    comment = _review().inline_comments()[1]
    assert comment.line == 580
    assert comment.body == (
        "**🟡 Medium** · bug\n\n"
        "**Docstring still says 400**\n\n"
        "The docstring of `get_json` mentions 400.\n\n"
        "Suggested code:\n\n```\nx = 1\n```\n\n"
        "_(moved from line 600: outside the diff)_\n\n"
        "<sub>pr-router · Code review</sub>"
    )


def test_review_summary_section_and_body() -> None:
    result = _review()
    assert result.section.render() == (
        "### Code review\n\n"
        "Switches the error for a non-JSON content type from 400 to 415.\n\n"
        "**3 finding(s)** (1 high, 1 medium, 1 low): 2 inline, 1 in the review body "
        "(file not in the diff).\n\n"
        "1 finding(s) moved to the nearest line of the diff."
    )
    assert result.review_body() == (
        "**Code review: findings outside the diff**\n\n"
        "- **🔵 Low** `src/werkzeug/exceptions.py`: **Document the new base class** — "
        "Say that `UnsupportedMediaType` subclasses `BadRequest`."
    )


def test_no_findings() -> None:
    result = _run("review", "findings", "Code review", {"summary": "Looks fine.", "findings": []})
    assert result.section.markdown == "Looks fine.\n\nNo findings."
    assert result.inline_comments() == ()
    assert result.review_body() == ""


def test_describe_section() -> None:
    result = _run(
        "describe",
        "description",
        "Description",
        {
            "summary": "Raise **415** for a non-JSON content type.",
            "walkthrough": [
                {"path": REQUEST_PY, "change": "Raise `UnsupportedMediaType` | not `BadRequest`"},
                {"path": "b/CHANGES.rst", "change": "Changelog entry"},
                {"path": "src/nope.py", "change": "invented"},
            ],
        },
    )
    assert result.section.markdown == (
        "Raise **415** for a non-JSON content type.\n\n"
        "<details><summary>Walkthrough (2 files)</summary>\n\n"
        "| File | Change |\n|---|---|\n"
        "| `src/werkzeug/wrappers/request.py` | Raise `UnsupportedMediaType` \\| not "
        "`BadRequest` |\n"
        "| `CHANGES.rst` | Changelog entry |\n\n</details>\n\n"
        "1 walkthrough entry(ies) named files not in the PR and were left out."
    )
    assert result.notes == ("1 walkthrough entry(ies) dropped: files not in the PR",)


def test_changelog_section_in_keep_a_changelog_style() -> None:
    data = {
        "user_facing": True,
        "section": "Changed",
        "entry": "`Request.get_json()` raises 415,\n not 400, for a non-JSON content type.",
    }
    result = _run("changelog", "changelog", "Changelog entry", data)
    assert result.section.markdown == (
        "Suggested entry for **Changed** under `## [Unreleased]` (Keep a Changelog):\n\n"
        "```markdown\n### Changed\n"
        "- `Request.get_json()` raises 415, not 400, for a non-JSON content type.\n```"
    )
    plain = _run("changelog", "changelog", "Changelog entry", data, changelog=None)
    assert plain.section.markdown == (
        "Suggested entry (Changed):\n\n```markdown\n"
        "- `Request.get_json()` raises 415, not 400, for a non-JSON content type.\n```"
    )


def test_changelog_not_user_facing() -> None:
    data = {"user_facing": False, "section": "Changed", "entry": "test-only change"}
    result = _run("changelog", "changelog", "Changelog entry", data)
    assert result.section.markdown == (
        "No changelog entry needed: not user-facing (test-only change)."
    )


def test_docs_section() -> None:
    text = "Raises:\n    UnsupportedMediaType: the content type is not JSON (415)."
    data = {"suggestions": [{"target": "Request.get_json", "kind": "docstring", "text": text}]}
    result = _run("docs", "docs", "Docs suggestions", data)
    assert result.section.markdown == f"**`Request.get_json`** · docstring\n\n```text\n{text}\n```"
    empty = _run("docs", "docs", "Docs suggestions", {"suggestions": []})
    assert empty.section.markdown == "No documentation changes suggested."


def test_failure_section_states_log_facts_next_to_the_model_answer() -> None:
    data = {
        "likely_cause": "Line totals are rounded after summing, not per line.",
        "failing_step": "pytest -q",
        "fix": "Round each line with `quantize` before summing.",
        "confidence": "high",
    }
    result = _run("failure-summary", "failure", "CI failure summary", data)
    assert result.section.markdown == (
        "**Failing step:** pytest -q\n\n"
        "**Likely cause:** Line totals are rounded after summing, not per line.\n\n"
        "**Fix:** Round each line with `quantize` before summing.\n\n"
        "Confidence: high.\n\n"
        "Failing tests in the log: `tests/test_invoice.py::test_total_rounds_per_line`, "
        "`tests/test_parse.py::test_parse_currency`. Exit code: 1."
    )


def test_long_finding_is_capped_with_its_footer_kept() -> None:
    long = "word " * 5_000
    result = _run(
        "review",
        "findings",
        "Code review",
        {"summary": "s", "findings": [finding(REQUEST_PY, 624, explanation=long)]},
    )
    body = result.inline_comments()[0].body
    assert len(body) <= 8_000
    assert body.endswith("… (truncated)\n\n<sub>pr-router · Code review</sub>")
