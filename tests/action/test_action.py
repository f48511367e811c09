"""Static checks of action.yml and the workflows: contract, pinning, no expression injection."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
WORKFLOWS = sorted([*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob("examples/workflows/*.yml")])
ALL_FILES = [ACTION, *WORKFLOWS]
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")

# DESIGN.md, "Files and environment": the action's inputs and outputs, at least.
DESIGN_INPUTS = {
    "anthropic-api-key", "openai-api-key", "github-token", "policy", "command", "dry-run",
    "fail-on-error",
}  # fmt: skip
DESIGN_OUTPUTS = {"cost-usd", "all-frontier-usd", "savings-usd", "pending-batches"}
# What the `run` command reads (pipeline.settings.Settings.from_env and the provider keys).
CLI_ENV = {
    "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GITHUB_TOKEN", "PR_ROUTER_POLICY",
    "PR_ROUTER_DRY_RUN", "PR_ROUTER_FAIL_ON_ERROR", "PR_ROUTER_DEBUG",
}  # fmt: skip


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def steps_of(path: Path) -> list[dict[str, Any]]:
    data = load(path)
    if path == ACTION:
        return list(data["runs"]["steps"])
    return [s for job in data["jobs"].values() for s in job.get("steps", [])]


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    return load(ACTION)


def test_action_is_composite(action: dict[str, Any]) -> None:
    assert action["runs"]["using"] == "composite"
    assert action["name"] == "pr-router"


def test_inputs_and_defaults(action: dict[str, Any]) -> None:
    inputs = action["inputs"]
    assert DESIGN_INPUTS | {"python-version", "debug"} <= set(inputs)
    assert inputs["github-token"]["default"] == "${{ github.token }}"
    assert inputs["policy"]["default"] == ".github/pr-router.yml"
    assert inputs["command"]["default"] == "run"
    assert inputs["fail-on-error"]["default"] == "false"
    assert inputs["dry-run"]["default"] == "false"
    assert inputs["python-version"]["default"] == "3.12"
    assert all(i.get("description") for i in inputs.values())
    assert not any(i.get("required") for i in inputs.values())


def test_outputs_come_from_the_run_step(action: dict[str, Any]) -> None:
    outputs = action["outputs"]
    assert set(outputs) >= DESIGN_OUTPUTS
    for name, out in outputs.items():
        assert out["value"] == f"${{{{ steps.run.outputs.{name} }}}}"


def test_design_lists_the_same_inputs_and_outputs() -> None:
    design = ROOT.parent / "shared" / "DESIGN.md"
    if not design.exists():
        pytest.skip("shared/DESIGN.md is not next to the repository")
    section = design.read_text(encoding="utf-8").split("## Files and environment", 1)[1]
    section = section.split("- `policies/`", 1)[0]
    inputs, outputs = section.split("Outputs at least", 1)
    assert set(re.findall(r"`([a-z-]+)`", inputs)) - {"run", "collect", "plan", "doctor"} <= set(
        load(ACTION)["inputs"]
    )
    assert set(re.findall(r"`([a-z-]+)`", outputs)) <= set(load(ACTION)["outputs"])


def test_run_step_passes_everything_through_env(action: dict[str, Any]) -> None:
    run = next(s for s in action["runs"]["steps"] if s.get("id") == "run")
    assert set(run["env"]) >= CLI_ENV
    assert run["env"]["PR_ROUTER_COMMAND"] == "${{ inputs.command }}"
    assert '"$PR_ROUTER_COMMAND"' in run["run"]
    header = ACTION.read_text(encoding="utf-8").split("\nname:", 1)[0]
    for name in CLI_ENV:  # documented in the header comment
        assert name in header


def test_install_uses_a_pinned_uv_and_keeps_pip_as_the_fallback(action: dict[str, Any]) -> None:
    [install] = [s for s in action["runs"]["steps"] if s.get("id") == "install"]
    version = install["env"]["UV_VERSION"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(version))
    script = install["run"]
    # The runner's uv first, else the pinned wheel fetched with the setup Python's pip.
    assert script.index("command -v uv") < script.index('"uv==${UV_VERSION}"')
    assert '"$uv" pip install' in script
    assert '"$PYTHON" -m pip --python "$venv/bin/python" install' in script  # the fallback
    # scripts/install_time.sh times the same pinned uv (it reads UV_VERSION from action.yml).
    assert "UV_VERSION" in (ROOT / "scripts" / "install_time.sh").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_expressions_inside_run_scripts(path: Path) -> None:
    for step in steps_of(path):
        script = step.get("run", "")
        assert "${{" not in script, f"{path.name}: step {step.get('name')!r} expands in run:"


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_action_is_pinned_by_sha(path: Path) -> None:
    for step in steps_of(path):
        uses = step.get("uses")
        if uses is None or uses.startswith("./"):
            continue
        assert SHA_PIN.match(uses), f"{path.name}: {uses} is not pinned to a commit SHA"
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.search(r"uses: [^.][^@\s]*@", line):
            assert re.search(r"@[0-9a-f]{40} # v\d", line), f"no version comment: {line}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_workflows_grant_least_privilege(path: Path) -> None:
    data = load(path)
    top = data["permissions"]  # always declared at the top
    assert "write" not in str(top)  # write access only per job, where it is needed
    for job in data["jobs"].values():
        effective = job.get("permissions", top)
        assert isinstance(effective, dict)  # never read-all / write-all
        assert set(effective.values()) <= {"read", "write", "none"}


def _on(path: Path) -> dict[str, Any]:
    data = load(path)
    return data.get("on") or data[True]  # YAML 1.1 reads a bare `on` as True


def test_basic_example() -> None:
    path = ROOT / "examples/workflows/pr-router.yml"
    assert _on(path)["pull_request"]["types"] == [
        "opened", "synchronize", "reopened", "ready_for_review",
    ]  # fmt: skip
    job = load(path)["jobs"]["pr-router"]
    assert job["permissions"] == {
        "contents": "read", "pull-requests": "write", "checks": "write", "issues": "read",
    }  # fmt: skip
    upload = next(s for s in job["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["name"] == "pr-router-ledger-${{ github.run_id }}"


def test_sarif_example_uploads_with_the_only_security_events_permission() -> None:
    sarif = load(ROOT / "examples/workflows/pr-router-sarif.yml")["jobs"]["pr-router"]
    assert sarif["permissions"] == {
        "contents": "read", "pull-requests": "write", "checks": "write", "issues": "read",
        "security-events": "write",
    }  # fmt: skip
    [run] = [s for s in sarif["steps"] if s.get("id") == "pr-router"]
    [upload] = [s for s in sarif["steps"] if "upload-sarif" in s.get("uses", "")]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == run["with"]["sarif"] == "pr-router-results.sarif"
    assert upload["with"]["sha"] == "${{ github.event.pull_request.head.sha }}"
    others = [p for p in WORKFLOWS if p.name != "pr-router-sarif.yml"]
    assert not any("security-events" in p.read_text(encoding="utf-8") for p in others)


def test_collect_example() -> None:
    path = ROOT / "examples/workflows/collect.yml"
    on = _on(path)
    assert on["schedule"][0]["cron"].split()[:2] == ["7", "*"]  # hourly at most
    assert "workflow_dispatch" in on
    step = next(s for s in steps_of(path) if "pr-router@" in s.get("uses", ""))
    assert step["with"]["command"] == "collect"


def test_ci_failure_example() -> None:
    path = ROOT / "examples/workflows/ci-failure-summary.yml"
    assert _on(path)["workflow_run"]["types"] == ["completed"]
    job = load(path)["jobs"]["failure-summary"]
    assert "github.event.workflow_run.conclusion == 'failure'" in job["if"]
    assert job["permissions"]["actions"] == "read"
    assert job["permissions"]["pull-requests"] == "write"


def test_fork_safe_example_keeps_secrets_away_from_pr_code() -> None:
    record = load(ROOT / "examples/workflows/fork-safe-record.yml")["jobs"]["record"]
    route = load(ROOT / "examples/workflows/fork-safe-review.yml")["jobs"]["route"]
    assert _on(ROOT / "examples/workflows/fork-safe-review.yml")["workflow_run"]["workflows"] == [
        "pr-router record"
    ]
    assert "secrets." not in str(record)  # parsed YAML: comments are gone
    assert record["permissions"] == {}
    assert "secrets." in str(route)
    for job in (record, route):  # nothing from the PR is ever checked out
        assert not any("checkout" in s.get("uses", "") for s in job["steps"])


def test_dogfood_workflow_is_a_read_only_dry_run() -> None:
    path = ROOT / ".github/workflows/pr-router.yml"
    job = load(path)["jobs"]["dry-run"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "read"}
    step = next(s for s in job["steps"] if s.get("uses") == "./")
    assert step["with"]["dry-run"] == "true"
    assert "${{ secrets." not in path.read_text(encoding="utf-8")


def _tool(name: str) -> str | None:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name)


def test_lint_workflows_script() -> None:
    if not (_tool("actionlint") and _tool("zizmor")):
        pytest.skip("actionlint and zizmor are not installed (pip install -e '.[dev]')")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [str(ROOT / "scripts" / "lint-workflows")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_commands_example_reads_new_pr_comments_without_checking_out_the_pr() -> None:
    path = ROOT / "examples/workflows/pr-router-commands.yml"
    on = _on(path)
    assert on == {"issue_comment": {"types": ["created"]},
                  "pull_request_review_comment": {"types": ["created"]}}  # fmt: skip
    job = load(path)["jobs"]["command"]
    assert "github.event.issue.pull_request" in job["if"]
    assert "github.event.comment.user.type != 'Bot'" in job["if"]
    assert job["permissions"] == {
        "contents": "read", "pull-requests": "write", "checks": "write",
    }  # fmt: skip
    assert not any("checkout" in s.get("uses", "") for s in job["steps"])
    assert load(path)["concurrency"]["cancel-in-progress"] is False
