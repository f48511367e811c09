"""The composite action end to end: action.yml's own ``run:`` scripts, run by bash the way
the runner runs them, in a simulated runner environment pointed at the emulator.

``uses:`` steps (setup-python, the cache) and the install step need the network and are
skipped; the install step's output ``bin`` (where the run step finds ``pr-router``) is set
to this virtualenv's bin directory, which is what the install step would have produced.
Everything else is as on a runner: one GITHUB_OUTPUT file per step, read back into
``steps.<id>.outputs``; inputs reach the scripts only through each step's ``env:``; the
action's outputs are resolved from its ``outputs:`` expressions.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_check import check_request

from pr_router.emulator import Emulator, FakeClock, Scenario
from pr_router.emulator.github import GitHubEmulator
from pr_router.emulator.http import Request
from pr_router.github.emulated import GitHubState

from .harness import ACTIONS_BOT, canned_rules, diff, parse_outputs, webhook

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
VENV_BIN = str(Path(sys.executable).parent)
TOKEN = "ghs_workflow_token_e2e"
KEYS = {"anthropic-api-key": "sk-ant-e2e-secret", "openai-api-key": "sk-openai-e2e-secret"}
_EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")
BATCH_S = 3600.0


@dataclass
class Step:
    """What one step did."""

    id: str | None
    name: str
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


@dataclass
class ActionRun:
    """The steps that ran, and the action's outputs."""

    steps: list[Step] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def code(self) -> int:
        """The exit code of the last step that ran (a failing step ends the action)."""
        return self.steps[-1].code

    def step(self, step_id: str) -> Step:
        """The step with this id."""
        return next(s for s in self.steps if s.id == step_id)


class Runner:
    """Runs action.yml the way a runner would, minus the steps that need the network."""

    def __init__(self, tmp: Path, emu: Emulator[FakeClock]) -> None:
        self.tmp = tmp
        self.emu = emu
        self.workspace = tmp / "workspace"
        self.workspace.mkdir()
        self.runs = 0

    def runner_env(self, event_name: str, payload: Mapping[str, Any]) -> dict[str, str]:
        """The variables the runner sets for every step, plus the job's own ``env:``."""
        self.runs += 1
        event_path = self.tmp / f"event-{self.runs}.json"
        event_path.write_text(json.dumps(payload), encoding="utf-8")
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.tmp),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": "Codertocat/Hello-World",
            "GITHUB_RUN_ID": str(7000 + self.runs),
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_API_URL": self.emu.url_for("/github"),
            "GITHUB_STEP_SUMMARY": str(self.tmp / f"step-summary-{self.runs}.md"),
            "RUNNER_TEMP": str(self.tmp / "runner-temp"),
            "RUNNER_OS": "Linux",
            # the workflow's job-level env: where the SDKs find the emulator
            "ANTHROPIC_BASE_URL": self.emu.base_url,
            "OPENAI_BASE_URL": self.emu.openai_base_url,
        }

    def run(self, event_name: str, payload: Mapping[str, Any], **inputs: str) -> ActionRun:
        """Run every step of the action with these inputs (by their action.yml names)."""
        env = self.runner_env(event_name, payload)
        values = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
        values |= {k.replace("_", "-"): v for k, v in inputs.items()}
        context = {"inputs": values, "steps": {}, "github": {"token": TOKEN},
                   "runner": {"os": "Linux"}}  # fmt: skip
        context["inputs"]["github-token"] = _resolve(values["github-token"], context)
        result = ActionRun()
        for index, spec in enumerate(ACTION["runs"]["steps"]):
            step_id = spec.get("id")
            if step_id == "install":
                context["steps"]["install"] = {"outputs": {"bin": VENV_BIN}}
                continue
            if "uses" in spec:
                continue
            step = self._run_step(index, spec, env, context)
            result.steps.append(step)
            if step_id:
                context["steps"][step_id] = {"outputs": step.outputs}
            if step.code != 0:
                break
        result.outputs = {
            name: _resolve(out["value"], context) for name, out in ACTION["outputs"].items()
        }
        return result

    def _run_step(self, index: int, spec: dict[str, Any], base: dict[str, str],
                  context: dict[str, Any]) -> Step:  # fmt: skip
        assert spec.get("shell") == "bash"
        assert "${{" not in spec["run"], "inputs must reach scripts through env:"
        output = self.tmp / f"output-{self.runs}-{index}"
        output.touch()
        script = self.tmp / f"step-{self.runs}-{index}.sh"
        script.write_text(spec["run"], encoding="utf-8")
        env = base | {"GITHUB_OUTPUT": str(output)}
        env |= {k: _resolve(str(v), context) for k, v in (spec.get("env") or {}).items()}
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        return Step(spec.get("id"), spec["name"], proc.returncode, proc.stdout, proc.stderr,
                    parse_outputs(output))  # fmt: skip


def _resolve(text: str, context: Mapping[str, Any]) -> str:
    """``${{ a.b.c }}`` expressions (plain property paths) against the context."""

    def value(match: re.Match[str]) -> str:
        node: Any = context
        for part in match.group(1).split("."):
            node = node.get(part, "") if isinstance(node, Mapping) else ""
        return str(node)

    return _EXPR.sub(value, text)


@pytest.fixture
def github() -> GitHubState:
    state = GitHubState(token=TOKEN, viewer=ACTIONS_BOT, viewer_is_app=True)
    event = webhook("pull_request.opened.payload.json")
    pull = event["pull_request"]
    state.seed_pull(event, diff("httpx__d25f2bfeff35.diff"), commits=[(pull["head"]["sha"], "x")])
    # The repository's policy, read from the base branch: the default does not wait for
    # batches at all (the runner's real clock would; the emulated provider ends them later).
    policy = (ROOT / "src" / "pr_router" / "policy" / "default.yml").read_text(encoding="utf-8")
    assert "  wait_seconds: 0 #" in policy
    state.add_file(".github/pr-router.yml", policy.encode(), ref=pull["base"]["sha"])
    return state


@pytest.fixture
def runner(tmp_path: Path, github: GitHubState) -> Iterator[Runner]:
    scenario = Scenario(canned_rules(), batch_duration_s=BATCH_S)
    with Emulator(scenario=scenario, clock=FakeClock(),
                  mounts={"/github": GitHubEmulator(github)}) as emu:  # fmt: skip
        yield Runner(tmp_path, emu)
        checked = 0
        for rec in emu.requests:
            if rec.path.startswith("/github/") and "/_emulator/" not in rec.path:
                check_request(
                    Request(rec.method, rec.path, rec.query, rec.headers, rec.body, ""),
                    base_path="/github",
                )
                checked += 1
        assert checked == len(github.calls)


@pytest.mark.slow  # two pr-router processes: the SDK imports take most of it
def test_the_action_reviews_the_pr_and_a_collect_finishes_it(
    runner: Runner, github: GitHubState
) -> None:
    event = webhook("pull_request.opened.payload.json")

    first = runner.run("pull_request", event, **KEYS)

    run = first.step("run")
    assert first.code == 0, run.stderr
    assert [s.name for s in first.steps] == [
        "Record when pr-router started", "Compute the install cache key", "Mask secrets",
        "Run pr-router",
    ]  # fmt: skip
    assert first.step("started").outputs["at"].isdigit()
    assert first.step("key").outputs["dir"] == str(runner.tmp / "runner-temp" / "pr-router")
    masks = first.steps[2].stdout.splitlines()
    assert masks == [f"::add-mask::{v}" for v in (*KEYS.values(), TOKEN)]
    for secret in (*KEYS.values(), TOKEN):
        assert secret not in run.stdout + run.stderr
    # outputs: resolved from steps.run.outputs, as the workflow sees them
    assert Decimal(first.outputs["cost-usd"]) > 0
    assert Decimal(first.outputs["all-frontier-usd"]) > Decimal(first.outputs["cost-usd"])
    assert Decimal(first.outputs["savings-usd"]) == (
        Decimal(first.outputs["all-frontier-usd"]) - Decimal(first.outputs["cost-usd"])
    )
    # runner minutes, measured from the action's first step (a public repository: free)
    assert int(first.outputs["runner-minutes"]) >= 1
    assert Decimal(first.outputs["total-usd"]) == (
        Decimal(first.outputs["cost-usd"]) + Decimal(first.outputs["runner-usd"])
    )
    (pending,) = first.outputs["pending-batches"].split(",")
    assert pending.startswith("anthropic:")
    assert first.outputs["jobs-failed"] == ""
    # on the PR: the review with its inline comments, the summary with the batches pending
    assert len(github.reviews) == 1
    assert len(github.review_comments) == 4
    (summary,) = github.comments.values()
    assert summary.author == ACTIONS_BOT
    assert "⏳ 2 pending" in summary.body
    assert (runner.workspace / "pr-router-ledger.jsonl").exists()

    runner.emu.clock.advance(BATCH_S)
    later = runner.run("schedule", {"schedule": "0 * * * *"}, command="collect", **KEYS)

    assert later.code == 0, later.step("run").stderr
    assert later.outputs["pending-batches"] == ""
    assert Decimal(later.outputs["cost-usd"]) > 0
    (summary,) = github.comments.values()
    assert "⏳" not in summary.body
    assert "<details><summary>Description · describe" in summary.body
    assert len(github.reviews) == 1


def test_an_unknown_command_fails_before_pr_router_starts(runner: Runner) -> None:
    result = runner.run("pull_request", webhook("pull_request.opened.payload.json"),
                        command="rm -rf /", **KEYS)  # fmt: skip

    assert result.code == 2
    assert result.step("run").stdout.startswith("::error title=pr-router::the command input")
    assert runner.emu.requests.snapshot() == []


def test_a_fork_pr_without_secrets_is_a_notice_not_a_failure(
    runner: Runner, github: GitHubState
) -> None:
    event = webhook("pull_request.opened.payload.json")
    event["pull_request"]["head"]["repo"]["full_name"] = "mallory/Hello-World"

    result = runner.run("pull_request", event)  # no keys: secrets are not passed to forks

    assert result.code == 0
    stdout = result.step("run").stdout
    assert "::notice::pr-router ran in plan-only mode" in stdout
    assert stdout.count("plan-only mode") == 1, stdout  # said once, not again as a stop line
    assert "/user failed with 403" not in result.step("run").stderr  # expected, not noise
    assert github.comments == {}
    assert github.reviews == {}
    assert result.outputs["cost-usd"] == "0.000000"


def test_a_refused_token_stops_the_run_with_one_line(runner: Runner) -> None:
    result = runner.run("pull_request", webhook("pull_request.opened.payload.json"),
                        github_token="ghs_revoked", **KEYS)  # fmt: skip

    run = result.step("run")
    assert result.code == 0, run.stderr  # a GitHub refusal never fails CI without fail-on-error
    (stopped,) = [line for line in run.stdout.splitlines() if "stopped:" in line]
    assert stopped.startswith("pr-router: stopped: ")
    assert result.outputs["cost-usd"] == "0.000000"
