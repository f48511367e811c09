"""SARIF 2.1.0 for code scanning: valid against the official schema, rule ids from the CWE,
locations on the head commit, fingerprints that survive a push."""

from __future__ import annotations

import copy
from dataclasses import replace

from pr_router.gate.sarif import FINGERPRINT_KEY, line_texts, partial_fingerprint, sarif_log

from .factories import finding
from .sarif_schema import sarif_problems

HEAD1, HEAD2 = "1" * 40, "2" * 40
LINE = '    cur.execute("SELECT * FROM users WHERE name = \'" + name + "\'")'


def _log(findings_by_job, head=HEAD1, lines=None):  # type: ignore[no-untyped-def]
    lines = lines or {}
    placed = {
        job: [replace(f, line_text=" ".join(lines.get((f.path, f.start_line or f.line), "").split()))
              for f in found]
        for job, found in findings_by_job.items()
    }  # fmt: skip
    return sarif_log(placed, head, repo_uri="https://github.com/acme/shop")


def test_valid_against_the_official_schema() -> None:
    log = _log(
        {
            "security": [
                finding("a" * 16, "high"),
                finding("b" * 16, "medium", cwe=None, category="Weak crypto", line=30),
                finding("c" * 16, "low", side="LEFT", line=3),
                finding("d" * 16, "high", line=None),
            ],
            "review": [finding("e" * 16, "info", cwe=None, category="style", start_line=4, line=6)],
        },
        lines={("src/db.py", 12): LINE},
    )
    assert sarif_problems(log) == []
    security, review = log["runs"]
    assert security["automationDetails"] == {"id": "pr-router/security/"}
    assert [r["id"] for r in security["tool"]["driver"]["rules"]] == [
        "CWE-89", "pr-router/security/weak-crypto",
    ]  # fmt: skip
    cwe = security["tool"]["driver"]["rules"][0]
    assert cwe["helpUri"] == "https://cwe.mitre.org/data/definitions/89.html"
    assert cwe["properties"] == {
        "tags": ["security", "external/cwe/cwe-89"],
        "security-severity": "8.0",
    }
    first = security["results"][0]
    assert (first["ruleId"], first["ruleIndex"], first["level"]) == ("CWE-89", 0, "error")
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "src/db.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12},
    }
    # a removed line is not in the head, a file outside the diff has no line: not written
    assert len(security["results"]) == 2
    assert security["properties"]["not_located"] == 2
    assert security["versionControlProvenance"] == [
        {"repositoryUri": "https://github.com/acme/shop", "revisionId": HEAD1}
    ]
    assert review["results"][0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 4, "endLine": 6,
    }  # fmt: skip


def test_fingerprints_are_equal_for_the_same_finding_on_two_heads() -> None:
    before = _log({"security": [finding(line=12)]}, HEAD1, {("src/db.py", 12): LINE})
    # the next push adds five lines above it, and reindents nothing else
    after = _log({"security": [finding(line=17)]}, HEAD2, {("src/db.py", 17): "  " + LINE + " "})
    fp1 = before["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT_KEY]
    fp2 = after["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT_KEY]
    assert fp1 == fp2
    changed = _log(
        {"security": [finding(line=12)]}, HEAD2, {("src/db.py", 12): "cur.execute(q, (name,))"}
    )
    assert changed["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT_KEY] != fp1


def test_same_line_text_twice_in_a_file_gets_two_fingerprints() -> None:
    lines = {("src/db.py", 12): LINE, ("src/db.py", 40): LINE}
    log = _log({"security": [finding("a" * 16, line=12), finding("b" * 16, line=40)]}, lines=lines)
    fps = [r["partialFingerprints"][FINGERPRINT_KEY] for r in log["runs"][0]["results"]]
    assert fps[0] != fps[1]
    assert fps[0].rsplit(":", 1)[0] == fps[1].rsplit(":", 1)[0]


def test_the_checker_catches_a_broken_log() -> None:
    log = _log({"security": [finding()]})
    broken = copy.deepcopy(log)
    broken["version"] = "2.0.0"
    del broken["runs"][0]["tool"]
    problems = sarif_problems(broken)
    assert any("version" in p for p in problems)
    assert any("tool" in p for p in problems)


def test_line_texts_reads_head_lines_from_a_diff() -> None:
    from pr_router.changes import parse_diff

    diff = b"--- a/src/db.py\n+++ b/src/db.py\n@@ -1,2 +1,2 @@\n ctx = 1\n-old\n+new line\n"
    assert line_texts(parse_diff(diff)) == {
        ("src/db.py", 1): "ctx = 1",
        ("src/db.py", 2): "new line",
    }
    assert partial_fingerprint("CWE-89", "a.py", " x  =  1 ") == partial_fingerprint(
        "CWE-89", "a.py", "x = 1"
    )
