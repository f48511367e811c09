"""Validation: parsing, placing findings on the diff, and the reasons that trigger the cascade."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pr_router.changes import LineMap, analyze
from pr_router.changes.interdiff import interdiff
from pr_router.errors import InvalidOutputError
from pr_router.jobs import JobResult, validator_for
from pr_router.jobs.anchors import place
from pr_router.jobs.prepare import output_model, prepare_job
from pr_router.jobs.validate import make_validator

from .helpers import DIFFS, finding, inputs, job_plan, load_diff, response

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from _histories import find

REQUEST_PY = "src/werkzeug/wrappers/request.py"


def _review(data: Any, job: str = "review", **kw: Any) -> JobResult:
    changes = load_diff("werkzeug__eef696b15c5e.diff")
    validate = validator_for(job_plan(job, "findings", title="Code review"), inputs(changes))
    return validate(response(data, **kw))


def _reason(data: Any = None, job: str = "review", **kw: Any) -> str:
    with pytest.raises(InvalidOutputError) as err:
        _review(data, job, **kw)
    assert err.value.provider == "anthropic"
    return str(err.value)


@pytest.mark.parametrize(
    ("path", "start", "end", "side", "expected"),
    [
        # (path, line, side, start_line, moved_from, exact)
        (REQUEST_PY, 624, 624, "RIGHT", (REQUEST_PY, 624, "RIGHT", None, None, True)),
        (REQUEST_PY, 623, 623, "LEFT", (REQUEST_PY, 623, "LEFT", None, None, True)),
        (REQUEST_PY, 621, 624, "RIGHT", (REQUEST_PY, 624, "RIGHT", 621, None, True)),
        (REQUEST_PY, 624, 621, "RIGHT", (REQUEST_PY, 624, "RIGHT", 621, None, True)),
        # A range that starts before the hunk is clamped into it.
        (REQUEST_PY, 600, 624, "RIGHT", (REQUEST_PY, 624, "RIGHT", 621, None, False)),
        # A range that runs past its hunk keeps the part inside it.
        (REQUEST_PY, 626, 640, "RIGHT", (REQUEST_PY, 627, "RIGHT", 626, None, False)),
        # A range across two hunks keeps the hunk it overlaps most.
        (REQUEST_PY, 569, 574, "RIGHT", (REQUEST_PY, 571, "RIGHT", 569, None, False)),
        # Outside every hunk: the nearest commentable line of the file.
        (REQUEST_PY, 600, 600, "RIGHT", (REQUEST_PY, 580, "RIGHT", None, 600, False)),
        (REQUEST_PY, 1, 1, "RIGHT", (REQUEST_PY, 19, "RIGHT", None, 1, False)),
        (REQUEST_PY, 9999, 9999, "LEFT", (REQUEST_PY, 626, "LEFT", None, 9999, False)),
        # The model's path spelling is forgiven.
        (f"b/{REQUEST_PY}", 624, 624, "RIGHT", (REQUEST_PY, 624, "RIGHT", None, None, True)),
        (f"./{REQUEST_PY}", 624, 624, "RIGHT", (REQUEST_PY, 624, "RIGHT", None, None, True)),
        # Not in the diff at all: no line.
        ("src/werkzeug/exceptions.py", 10, 10, "RIGHT", ("src/werkzeug/exceptions.py", None,
                                                         "RIGHT", None, None, False)),
    ],
)  # fmt: skip
def test_place(path: str, start: int, end: int, side: str, expected: tuple[Any, ...]) -> None:
    index = LineMap(load_diff("werkzeug__eef696b15c5e.diff").files)
    a = place(index, path, start, end, side)  # type: ignore[arg-type]
    assert (a.path, a.line, a.side, a.start_line, a.moved_from, a.exact) == expected


def test_left_side_on_an_added_file_moves_to_the_right() -> None:
    index = LineMap(load_diff("httpx__042dd2205846.diff").files)
    a = place(index, "tests/test_requests.py", 5, 5, "LEFT")
    assert (a.line, a.side, a.moved_from) == (5, "RIGHT", 5)


def test_findings_are_placed_moved_or_kept_for_the_body() -> None:
    result = _review(
        {
            "summary": "Switches the JSON content-type error from 400 to 415.",
            "findings": [
                finding(REQUEST_PY, 624, title="Breaking status change", severity="high"),
                finding(REQUEST_PY, 600, title="Stale comment"),
                finding("src/werkzeug/exceptions.py", 80, title="Missing class docs"),
            ],
        }
    )
    placed = [(f.path, f.line, f.moved_from) for f in result.findings]
    assert placed == [
        (REQUEST_PY, 624, None),
        (REQUEST_PY, 580, 600),
        ("src/werkzeug/exceptions.py", None, None),
    ]
    assert [f.path for f in result.body_findings] == ["src/werkzeug/exceptions.py"]
    assert [c.line for c in result.inline_comments()] == [624, 580]
    assert result.notes == (
        f"findings.1: moved from {REQUEST_PY}:600 to line 580",
        "findings.2: src/werkzeug/exceptions.py is not in the diff; kept in the review body",
    )


def test_every_inline_comment_would_be_accepted_by_github() -> None:
    from pr_router.github.hunks import parse_diff_map

    diff_map = parse_diff_map((DIFFS / "werkzeug__eef696b15c5e.diff").read_bytes())
    lines = [1, 19, 25, 26, 100, 533, 560, 580, 600, 623, 624, 627, 700]
    findings = [
        finding(REQUEST_PY, s, e, side=side)
        for s in lines
        for e in lines
        for side in ("RIGHT", "LEFT")
    ]
    result = _review({"summary": "s", "findings": findings})
    assert len(result.inline) == len(findings)
    for c in result.inline_comments():
        assert diff_map.check(c.path, c.line, c.side, c.start_line, c.start_side) is None, c


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"summary": "", "findings": []}, "empty output"),
        (
            {"summary": "s", "findings": [{k: v for k, v in finding(REQUEST_PY, 1).items()
                                           if k != "start_line"}]},
            "schema: findings.0.start_line: field required",
        ),
        (
            {"summary": "s", "findings": [finding(REQUEST_PY, 1, severity="blocker")]},
            "schema: findings.0.severity: input should be 'critical', 'high', 'medium', 'low' "
            "or 'info'",
        ),
        ({"summary": "s", "findings": [], "verdict": "APPROVE"},
         "schema: verdict: extra inputs are not permitted"),
        (
            {"summary": "s", "findings": [finding(REQUEST_PY, 624, title=" ", explanation="")]},
            "findings.0: empty title and explanation",
        ),
        (
            {"summary": "s", "findings": [
                finding("src/app/models.py", 3), finding("src/app/views.py", 9),
                finding(REQUEST_PY, 624), finding("README.md", 1),
            ]},
            "3 of 4 findings reference files not in the diff",
        ),
    ],
)  # fmt: skip
def test_unusable_review_output_names_the_reason(data: Any, reason: str) -> None:
    assert _reason(data) == reason


def test_truncated_and_non_json_output_cascade() -> None:
    assert _reason(text='{"summary": "cut', stop="max_tokens") == (
        "output cut at the token limit (stop: max_tokens)"
    )
    assert _reason(text="I think this PR looks fine.").startswith("not JSON: ")
    assert _reason(text="   ") == "empty output"


def test_json_in_text_is_accepted_when_data_is_missing() -> None:
    body = json.dumps({"summary": "ok", "findings": [finding(REQUEST_PY, 624)]})
    result = _review(None, text=f"```json\n{body}\n```")
    assert [f.line for f in result.findings] == [624]


def test_one_finding_on_an_unknown_file_is_kept_not_rejected() -> None:
    result = _review({"summary": "s", "findings": [finding("src/other.py", 3)]})
    assert result.inline == ()
    assert [f.path for f in result.body_findings] == ["src/other.py"]


def test_noop_suggestion_is_dropped() -> None:
    code = "        raise UnsupportedMediaType("
    result = _review({"summary": "s", "findings": [finding(REQUEST_PY, 624, suggestion=code)]})
    assert result.findings[0].suggestion is None


def test_fingerprints_are_stable_across_wording_and_small_moves() -> None:
    a = _review({"summary": "s", "findings": [finding(REQUEST_PY, 621, title="Status: 415!")]})
    b = _review({"summary": "t", "findings": [finding(REQUEST_PY, 624, title="status 415")]})
    c = _review({"summary": "t", "findings": [finding(REQUEST_PY, 573, title="status 415")]})
    assert a.findings[0].fingerprint == b.findings[0].fingerprint
    assert a.findings[0].fingerprint != c.findings[0].fingerprint
    assert len(a.findings[0].fingerprint) == 16


def test_security_findings_keep_their_cwe() -> None:
    result = _review(
        {"summary": "s", "findings": [finding(REQUEST_PY, 624, cwe="CWE-209")]}, job="security"
    )
    assert result.findings[0].cwe == "CWE-209"
    assert "[CWE-209](https://cwe.mitre.org/data/definitions/209.html)" in (
        result.inline_comments()[0].body
    )


def test_review_and_security_share_one_schema_and_a_missing_cwe_means_none() -> None:
    """One findings schema for every findings job (so they share the cached prefix); the
    schema lists ``cwe`` as required for strict providers, the parser reads it as optional."""
    assert output_model("review", "findings") is output_model("security", "findings")
    result = _review({"summary": "s", "findings": [finding(REQUEST_PY, 624)]}, job="security")
    assert [f.cwe for f in result.findings] == [None]


def test_a_description_on_a_later_push_may_name_every_file_of_the_pr() -> None:
    # pallets/click#938, push 3: the push changes fewer files than the PR. The description
    # is shown the whole PR, so a walkthrough of the PR's files is right, not "files not in
    # the PR" (which sent every later description up the cascade to the frontier model).
    h = find("pallets/click", 938)
    pushed = analyze(interdiff(h.pushes[1].diff, h.pushes[2].diff).diff)
    whole = analyze(h.pushes[2].diff)
    others = sorted({f.path for f in whole.files} - {f.path for f in pushed.files})
    assert len(others) >= 2
    later = replace(inputs(pushed), whole=whole)
    prepared = prepare_job(job_plan("describe", "description", tier="efficient"), later)
    assert all(f"`{p}`" in prepared.shared_context for p in others)
    walk = [{"path": p, "change": "Changed in this PR."} for p in others]
    result = make_validator(prepared)(
        response({"summary": "What the PR does.", "walkthrough": walk})
    )
    assert [w.path for w in result.output.walkthrough] == others
    assert not result.notes
