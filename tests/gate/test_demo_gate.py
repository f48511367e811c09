"""``pr-router demo`` writes the gate's files: checks.json (the check runs as GitHub holds
them), results.sarif (valid SARIF 2.1.0, fingerprints stable across heads), and a page that
shows the checks box."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest

from pr_router.changes import parse_diff
from pr_router.gate.sarif import FINGERPRINT_KEY, line_texts, sarif_log
from pr_router.gate.verdict import GateFinding, gate_findings
from pr_router.jobs.results import Finding
from pr_router.pipeline.demo import run_demo

from .sarif_schema import sarif_problems

PATH = "src/shop/auth/redirects.py"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    run_demo(out)
    return out


def test_checks_json_holds_the_check_runs_as_created(demo: Path) -> None:
    checks = json.loads((demo / "checks.json").read_text(encoding="utf-8"))
    assert [(c["name"], c["conclusion"]) for c in checks] == [
        ("pr-router / security", "failure"),
        ("pr-router / review", "success"),
    ]
    security = checks[0]["output"]
    assert security["title"] == "1 finding at high or above blocks the merge"
    [note] = security["annotations"]
    assert (note["path"], note["start_line"], note["end_line"], note["annotation_level"]) == (
        PATH, 14, 15, "failure",
    )  # fmt: skip
    assert "<!--" not in note["message"]  # the canned answer tries to plant a marker
    assert "Cost: security:" in security["summary"]


def test_the_page_shows_the_checks_box(demo: Path) -> None:
    page = (demo / "conversation.html").read_text(encoding="utf-8")
    assert "Some checks were not successful: 1 failing, 1 successful checks" in page
    assert "<strong>pr-router / security</strong> <span>— 1 finding at high or above" in page
    assert "Merging is blocked: a required check is failing" in page
    md = (demo / "conversation.md").read_text(encoding="utf-8")
    assert "- ✗ **pr-router / security** — 1 finding at high or above blocks the merge" in md


def _shifted(diff: bytes, lines: int) -> bytes:
    """The same change on a later head: ``lines`` new lines on top of redirects.py."""
    old = b"@@ -0,0 +1,19 @@\n"
    assert old in diff
    top = b"".join(b"+# added on the next push %d\n" % i for i in range(lines))
    return diff.replace(old, b"@@ -0,0 +1,%d @@\n" % (19 + lines) + top, 1)


def test_demo_sarif_is_valid_and_its_fingerprints_survive_a_push(demo: Path) -> None:
    log = json.loads((demo / "results.sarif").read_text(encoding="utf-8"))
    assert sarif_problems(log) == []
    [run] = log["runs"]
    [alert] = run["results"]
    assert alert["ruleId"] == "CWE-601"
    assert alert["locations"][0]["physicalLocation"]["region"] == {"startLine": 14, "endLine": 15}
    # the same finding on a head where the file grew by three lines above it
    diff = resources.files("pr_router.data.demo").joinpath("example.diff").read_bytes()
    found = Finding(job="security", job_title="Security", path=PATH, line=15, side="RIGHT",
                    start_line=14, severity="high", category="open-redirect", cwe="CWE-601",
                    title="Open redirect", explanation="x", suggestion=None, fingerprint="f")  # fmt: skip
    fps = []
    for patch, shift in ((diff, 0), (_shifted(diff, 3), 3)):
        moved = replace(found, line=15 + shift, start_line=14 + shift)
        [gate] = gate_findings([moved], line_texts(parse_diff(patch)))
        assert gate.line_text == 'if raw.startswith("/"):'
        head = sarif_log({"security": [gate]}, "1" * 40)
        fps.append(head["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT_KEY])
    assert fps[0] == fps[1] == alert["partialFingerprints"][FINGERPRINT_KEY]


def test_gate_findings_fill_the_line_text_only_for_head_lines() -> None:
    lines = {("a.py", 3): "   x = eval(y)   "}
    f = GateFinding("f", "high", "t", "a.py", 3)
    assert f.line_text == ""
    base = Finding(job="security", job_title="S", path="a.py", line=3, side="LEFT",
                   start_line=None, severity="high", category="c", title="t",
                   explanation="e", suggestion=None, fingerprint="f")  # fmt: skip
    assert gate_findings([base], lines)[0].line_text == ""  # a removed line is not in the head
    assert gate_findings([replace(base, side="RIGHT")], lines)[0].line_text == "x = eval(y)"
