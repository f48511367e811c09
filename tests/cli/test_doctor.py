"""``pr-router doctor`` against the emulator: all pass, then each check failing in turn."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from pr_router.cli import main
from pr_router.doctor import Check, doctor, exit_code, render
from pr_router.emulator import Emulator, Rule, Scenario
from pr_router.emulator.github import GitHubEmulator
from pr_router.github.emulated import GitHubState
from pr_router.github.transport import FAST_RETRY

TOKEN = "ghs_doctor"
HAIKU_45 = "tiers:\n  frontier: {provider: anthropic, model: claude-opus-5-5}\n  standard: {provider: anthropic, model: claude-haiku-4-5}\n  efficient: {provider: anthropic, model: claude-haiku-5-5}\n"


def _github() -> tuple[GitHubState, int]:
    demo = resources.files("pr_router.data.demo")
    event = json.loads(demo.joinpath("event.json").read_text(encoding="utf-8"))
    state = GitHubState(token=TOKEN)
    pull = state.seed_pull(event, demo.joinpath("example.diff").read_bytes())
    return state, pull.number


class Setup:
    """A running emulator (providers and GitHub) and the environment of a workflow."""

    def __init__(self, scenario: Scenario) -> None:
        self.state, self.number = _github()
        self.emulator = Emulator(scenario, mounts={"/github": GitHubEmulator(self.state)})

    def env(self, **drop: bool) -> dict[str, str]:
        env = {
            "ANTHROPIC_API_KEY": "sk-ant-x",
            "ANTHROPIC_BASE_URL": self.emulator.base_url,
            "OPENAI_API_KEY": "sk-x",
            "OPENAI_BASE_URL": self.emulator.openai_base_url,
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_REPOSITORY": self.state.repo,
            "GITHUB_API_URL": self.emulator.url_for("/github"),
        }
        return {k: v for k, v in env.items() if not drop.get(k)}

    def run(self, policy: Path | None = None, **drop: bool) -> list[Check]:
        return doctor(self.env(**drop), policy_path=policy, pr=self.number, retry=FAST_RETRY)


@pytest.fixture
def make() -> Iterator[Any]:
    started: list[Emulator[Any]] = []

    def start(scenario: Scenario | None = None) -> Setup:
        setup = Setup(scenario or Scenario())
        started.append(setup.emulator.start())
        return setup

    yield start
    for emu in started:
        emu.stop()


def _line(checks: list[Check], name: str) -> Check:
    (found,) = [c for c in checks if c.name == name]
    return found


def test_everything_passes_on_a_good_setup(make: Any) -> None:
    checks = make().run()
    assert exit_code(checks) == 0
    names = [c.name for c in checks]
    assert names[0] == "policy"
    for tier in ("frontier", "standard", "efficient"):
        assert _line(checks, f"{tier} model").status == "ok"
        assert _line(checks, f"{tier} price").status == "ok"
    assert _line(checks, "anthropic batch").status == "ok"
    assert _line(checks, "openai batch").status == "ok"
    assert _line(checks, "github read").status == "ok"
    assert _line(checks, "github comments").status == "ok"
    assert _line(checks, "github checks").status == "ok"  # the gate is on by default
    assert all(c.status in ("ok", "skip") for c in checks), render(checks)
    assert render(checks).endswith("no blockers")


def test_an_unknown_model_is_a_blocker(make: Any) -> None:
    checks = make(Scenario(unknown_models=["claude-opus-5-5"])).run()
    line = _line(checks, "frontier model")
    assert line.status == "fail"
    assert "claude-opus-5-5: not served (404" in line.detail
    assert exit_code(checks) == 2
    assert "FAIL  frontier model" in render(checks)


def test_a_missing_key_is_a_blocker(make: Any) -> None:
    checks = make().run(ANTHROPIC_API_KEY=True)
    assert _line(checks, "frontier model").detail.endswith("ANTHROPIC_API_KEY is not set")
    batch = _line(checks, "anthropic batch")  # the default policy batches auxiliary jobs
    assert (batch.status, batch.detail) == ("fail", "ANTHROPIC_API_KEY is not set")
    assert exit_code(checks) == 2


def test_a_token_without_write_is_a_blocker(make: Any) -> None:
    setup = make()
    setup.state.fail("issues/create-comment", "forbidden")
    checks = setup.run()
    line = _line(checks, "github comments")
    assert line.status == "fail"
    assert "add `pull-requests: write`" in line.detail
    assert not setup.state.comments  # the probe wrote nothing
    assert exit_code(checks) == 2


def test_a_token_without_checks_write_is_a_blocker_when_the_gate_is_on(make: Any) -> None:
    setup = make()
    setup.state.fail("checks/create", "forbidden")
    checks = setup.run()
    assert _line(checks, "github checks").status == "fail"
    assert exit_code(checks) == 2


def test_a_prefix_below_the_caching_minimum_is_said_not_blocking(make: Any, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text(HAIKU_45, encoding="utf-8")
    checks = make().run(policy)
    line = _line(checks, "standard cache")
    assert line.status == "warn"
    assert "under the 4,096 this model caches" in line.detail
    assert exit_code(checks) == 0


def test_a_batch_endpoint_refusing_is_a_blocker(make: Any) -> None:
    scenario = Scenario([Rule(fault="500", endpoint="/v1/messages/batches")])
    checks = make(scenario).run()
    line = _line(checks, "anthropic batch")
    assert line.status == "fail"
    assert "the Batch API refused: 500" in line.detail
    assert exit_code(checks) == 2


def test_an_invalid_policy_is_the_only_line(make: Any, tmp_path: Path) -> None:
    policy = tmp_path / "bad.yml"
    policy.write_text("tiers: {}\nnot_a_key: 1\n", encoding="utf-8")
    checks = make().run(policy)
    assert [c.name for c in checks] == ["policy"]
    assert checks[0].status == "fail"
    assert exit_code(checks) == 2


def test_the_command_prints_the_table_and_exits_2_on_a_blocker(
    make: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    setup = make(Scenario(unknown_models=["claude-opus-5-5"]))
    monkeypatch.chdir(tmp_path)  # no .github/pr-router.yml here: the bundled default
    for key, value in setup.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PR_ROUTER_POLICY", raising=False)
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    assert main(["doctor", "--pr", str(setup.number)]) == 2
    out = capsys.readouterr().out
    assert "FAIL  frontier model" in out
    assert out.rstrip().endswith("blocker(s)")
