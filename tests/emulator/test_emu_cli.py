"""``pr-router emulator`` as a subprocess: prints the URLs, serves, stops on Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import anthropic
import pytest

from pr_router.commands.emulator import env_lines


def test_env_lines() -> None:
    assert env_lines("http://127.0.0.1:9", github=True) == [
        "export ANTHROPIC_BASE_URL=http://127.0.0.1:9",
        "export OPENAI_BASE_URL=http://127.0.0.1:9/v1",
        "export GITHUB_API_URL=http://127.0.0.1:9/github",
    ]
    assert len(env_lines("http://127.0.0.1:9", github=False)) == 2


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_serves_until_interrupted(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(
        json.dumps({"rules": [{"prompt": "canned", "output": "hello from the file"}]})
    )
    command = [
        sys.executable,
        "-m",
        "pr_router.cli",
        "emulator",
        "--port",
        "0",
        "--scenario",
        str(scenario),
        "--latency",
        "0.01",
    ]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        lines: list[str] = []
        while not any(line.startswith("export GITHUB_API_URL=") for line in lines):
            line = proc.stdout.readline()
            assert line, f"emulator exited early: {proc.stderr.read() if proc.stderr else ''}"
            lines.append(line.strip())
        env = dict(
            line.removeprefix("export ").split("=", 1)
            for line in lines
            if line.startswith("export ")
        )
        assert env["ANTHROPIC_BASE_URL"].startswith("http://127.0.0.1:")
        assert env["OPENAI_BASE_URL"] == env["ANTHROPIC_BASE_URL"] + "/v1"
        assert env["GITHUB_API_URL"] == env["ANTHROPIC_BASE_URL"] + "/github"
        with anthropic.Anthropic(
            api_key="k", base_url=env["ANTHROPIC_BASE_URL"], max_retries=0
        ) as client:
            message = client.messages.create(
                model="m", max_tokens=50, messages=[{"role": "user", "content": "canned"}]
            )
        assert message.content[0].type == "text"
        assert message.content[0].text == "hello from the file"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopped" in out


def test_bad_scenario_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("- fault: 418\n")
    result = subprocess.run(
        [sys.executable, "-m", "pr_router.cli", "emulator", "--scenario", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "rules[0]: rule fault '418'" in result.stderr
