"""``pr-router run`` through the CLI: what the user sees when the runner's environment is
incomplete (usage errors, exit 2) rather than GitHub failing (a warning, exit 0)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pr_router.cli import main
from pr_router.commands.run import log_to_runner

EVENT = Path(__file__).resolve().parents[2] / "src/pr_router/data/demo/event.json"


@pytest.fixture(autouse=True)
def _runner_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A pull_request event, and nothing else of the runner's or the caller's environment."""
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "RUNNER_", "PR_ROUTER_", "ANTHROPIC_", "OPENAI_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(EVENT))
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/shop")
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")  # never reached


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "no GitHub token: GITHUB_TOKEN is empty or not set"),
        ({"GITHUB_TOKEN": ""}, "no GitHub token: GITHUB_TOKEN is empty or not set"),
        ({"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": ""}, "GITHUB_REPOSITORY is not set"),
    ],
)
@pytest.mark.parametrize("command", ["run", "collect"])
def test_missing_settings_are_usage_errors(
    command: str, env: dict[str, str], message: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    assert main([command]) == 2

    out, err = capsys.readouterr()
    assert out == ""  # no warning annotation, no "stopped:" line
    first, hint = err.splitlines()
    assert first.startswith(f"pr-router: error: {message}")
    assert hint.startswith("hint: ")


@pytest.fixture
def pr_router_logger() -> Iterator[logging.Logger]:
    """The package logger, restored afterwards (the command configures it for the process)."""
    logger = logging.getLogger("pr_router")
    handlers, level = list(logger.handlers), logger.level
    logger.handlers = []
    yield logger
    logger.handlers, logger.level = handlers, level


def test_info_is_a_plain_line_and_a_warning_an_annotation(
    pr_router_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    log_to_runner()
    log_to_runner()  # idempotent: one line per record, not two

    pr_router_logger.info("review: nothing new to post (4 already posted)")
    pr_router_logger.warning("per-month budget not checked: no ledger")
    pr_router_logger.debug("not shown")

    assert capsys.readouterr().out.splitlines() == [
        "pr-router: review: nothing new to post (4 already posted)",
        "::warning title=pr-router%3A pr_router::per-month budget not checked: no ledger",
    ]
