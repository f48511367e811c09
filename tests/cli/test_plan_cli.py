"""``pr-router plan`` end to end: the JSON contract on real diffs, errors, start-up imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pr_router.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src/pr_router/data/demo"
COPIES = ROOT / "tests/fixtures/diffs"
SHARED = ROOT.parent / "shared/fixtures/diffs/real"
SIGNAL_KEYS = {
    "files_changed", "lines_added", "lines_removed", "file_kinds", "code_changed", "docs_only",
    "security_sensitive", "sensitive_reasons", "risk", "estimated_diff_tokens",
}  # fmt: skip
RUN_KEYS = {
    "job",
    "class",
    "run",
    "tier",
    "provider",
    "model",
    "mode",
    "effort",
    "reasons",
    "estimate",
}
CATALOGUE = ["review", "security", "describe", "changelog", "docs", "failure-summary"]


def _plan_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["plan", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _check_contract(doc: dict[str, Any]) -> None:
    assert doc["schema_version"] == 1
    assert set(doc["signals"]) >= SIGNAL_KEYS
    assert [j["job"] for j in doc["jobs"]] == CATALOGUE
    for job in doc["jobs"]:
        assert job["reasons"], job
        if job["run"]:
            assert set(job) >= RUN_KEYS
            assert {"input_tokens", "output_tokens", "usd"} <= set(job["estimate"])
            assert isinstance(job["estimate"]["input_tokens"], int)
        else:
            assert {"job", "class", "run", "reasons"} == set(job) - {"on_push"}
    totals = doc["totals"]
    assert totals["usd"] <= totals["all_frontier_usd"] + 1e-9
    # Code PRs: review and security on the frontier tier.
    if doc["signals"]["code_changed"]:
        for job in doc["jobs"][:2]:
            assert (job["run"], job.get("tier")) == (True, "frontier"), job


def _corpus() -> list[Path]:
    real = sorted(SHARED.glob("*.diff")) if SHARED.is_dir() else []
    return real or sorted((COPIES / "real").glob("*.diff"))


@pytest.mark.parametrize("diff", _corpus(), ids=lambda p: p.name)
def test_plan_json_on_every_real_diff(diff: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _check_contract(_plan_json(capsys, "--diff", str(diff)))


def test_event_payload_sets_title_labels_and_draft(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _plan_json(
        capsys, "--diff", str(DEMO / "example.diff"), "--event", str(DEMO / "event.json")
    )
    describe = next(j for j in doc["jobs"] if j["job"] == "describe")
    assert describe["run"] is True
    assert "runs: PR was opened" in describe["reasons"]
    draft = json.loads((DEMO / "event.json").read_text())
    draft["pull_request"]["draft"] = True
    path = COPIES.parent / "_draft_event.json"
    try:
        path.write_text(json.dumps(draft))
        doc = _plan_json(capsys, "--diff", str(DEMO / "example.diff"), "--event", str(path))
    finally:
        path.unlink()
    assert not any(j["run"] for j in doc["jobs"])
    assert "draft PR: nothing runs until it is ready for review" in doc["notices"]


# A docs-only commit that edits pages about migrations (paths as in Django's and Alembic's docs).
_MIGRATION_DOCS_DIFF = """\
diff --git a/docs/migrations/0002_squash.rst b/docs/migrations/0002_squash.rst
--- a/docs/migrations/0002_squash.rst
+++ b/docs/migrations/0002_squash.rst
@@ -1,3 +1,4 @@
 Squashing migrations
 ====================
+Run ``squashmigrations`` once the old ones are applied everywhere.
 See also the topic guide.
diff --git a/docs/topics/migrations.txt b/docs/topics/migrations.txt
--- a/docs/topics/migrations.txt
+++ b/docs/topics/migrations.txt
@@ -10,2 +10,2 @@
-Migrations are Django's way of propagating changes.
+Migrations are Django's way of propagating changes you make to your models.
 They're designed to be mostly automatic.
"""


def test_a_docs_only_commit_about_migrations_skips_the_security_scan(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    diff = tmp_path / "docs.diff"
    diff.write_text(_MIGRATION_DOCS_DIFF)
    doc = _plan_json(capsys, "--diff", str(diff))
    signals = doc["signals"]
    assert signals["file_kinds"] == {"docs": 2}
    assert (signals["docs_only"], signals["code_changed"]) == (True, False)
    assert signals["security_sensitive"] is False
    security = next(j for j in doc["jobs"] if j["job"] == "security")
    assert security["run"] is False
    # The same change to a real migration is scanned.
    diff.write_text(
        _MIGRATION_DOCS_DIFF.replace(
            "docs/migrations/0002_squash.rst", "app/migrations/0002_squash.py"
        )
    )
    doc = _plan_json(capsys, "--diff", str(diff))
    assert doc["signals"]["file_kinds"] == {"docs": 1, "migration": 1}
    assert next(j for j in doc["jobs"] if j["job"] == "security")["run"] is True


def test_text_and_markdown_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--diff", str(DEMO / "example.diff")]) == 0
    text = capsys.readouterr().out
    assert "review" in text
    assert "routing saves" in text
    assert main(["plan", "--diff", str(DEMO / "example.diff"), "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("#### Routing")
    assert "| job | class | tier | model | mode | effort | est. cost | why |" in md


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["--diff", "does-not-exist.diff"],
            None,
            "cannot read diff does-not-exist.diff: No such file or directory",
        ),
        (["--diff", "-"], b"", "is empty"),
        (["--diff", "-"], b"this is not a diff\n", "no file changes found (not a unified diff?)"),
        (["--diff", str(DEMO / "example.diff"), "--policy", "missing.yml"], None, "missing.yml"),
        ([], None, "no diff given"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], stdin: bytes | None, message: str, tmp_path: Path) -> None:  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    proc = subprocess.run([sys.executable, "-m", "pr_router.cli", "plan", *args], input=stdin,
                          capture_output=True, cwd=tmp_path, env=env, timeout=60, check=False)  # fmt: skip
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert message in err
    assert "Traceback" not in err
    assert err.splitlines()[0].startswith("pr-router: error: ")
    assert len(err.splitlines()) <= 2  # the error, then at most one hint line


def test_policy_typo_names_file_line_and_field(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text(
        "tiers:\n"
        "  frontier: {provider: anthropic, model: claude-opus-5-5}\n"
        "  standard: {provider: anthropic, model: claude-sonnet-5-5}\n"
        "  efficient: {provider: anthropic, model: claude-haiku-5-5}\n"
        "jobs:\n"
        "  review:\n"
        "    teir: standard\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pr_router.cli", "plan", "--diff", str(DEMO / "example.diff"), "--policy", str(policy)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    first = proc.stderr.splitlines()[0]
    assert f"{policy}:7:5" in first
    assert "jobs.review" in first
    assert "teir" in first
    assert "Traceback" not in proc.stderr


def test_help_and_plan_do_not_import_vendor_sdks() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from pr_router.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help']) if len(sys.argv) < 2 else main(sys.argv[1:])\n"
        "print(sorted(m for m in ('anthropic', 'openai', 'github', 'httpx2', 'genai_prices')"
        " if m in sys.modules))\n"
    )
    # --help imports none of them; plan needs the price data (genai-prices, which brings its
    # own HTTP client for updates it never makes here) but no vendor SDK and no PyGithub.
    cases = {(): "[]", ("plan", "--diff", str(DEMO / "example.diff")): "['genai_prices', 'httpx2']"}
    for args, expected in cases.items():
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                             timeout=60, check=True).stdout  # fmt: skip
        assert out.strip().splitlines()[-1] == expected, (args, out)
