"""``pr-router emulator`` as a subprocess: prints the URLs, serves, stops on SIGINT/SIGTERM.

Every wait has a timeout and the process is killed in ``finally``: no outcome hangs the run.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
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


def _read_until(proc: subprocess.Popen[bytes], prefix: str, timeout: float) -> list[str]:
    """Lines of ``proc``'s stdout up to the one starting with ``prefix``; fails after timeout."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()  # read the pipe unbuffered: select() sees what is not yet read
    data = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while not any(line.startswith(prefix) for line in data.decode().splitlines()):
            left = max(0.0, deadline - time.monotonic())
            assert sel.select(left), f"no {prefix!r} line after {timeout:g}s"
            chunk = os.read(fd, 65536)
            assert chunk, "emulator exited early"
            data += chunk
    return [line.strip() for line in data.decode().splitlines()]


def _ignoring_sigint() -> None:
    # What a shell does for a command it starts in the background (`cmd &`): the child
    # inherits SIGINT ignored, and Python then installs no KeyboardInterrupt handler.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals to a child process")
@pytest.mark.parametrize(
    ("signum", "sigint_ignored"),
    [(signal.SIGINT, False), (signal.SIGINT, True), (signal.SIGTERM, False)],
    ids=["sigint", "sigint-inherited-ignored", "sigterm"],
)
def test_serves_until_interrupted(
    tmp_path: Path, signum: signal.Signals, sigint_ignored: bool
) -> None:
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
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_ignoring_sigint if sigint_ignored else None,  # noqa: PLW1509
    )
    try:
        lines = _read_until(proc, "export GITHUB_API_URL=", timeout=30)
        env = dict(
            line.removeprefix("export ").split("=", 1)
            for line in lines
            if line.startswith("export ")
        )
        assert env["ANTHROPIC_BASE_URL"].startswith("http://127.0.0.1:")
        assert env["OPENAI_BASE_URL"] == env["ANTHROPIC_BASE_URL"] + "/v1"
        assert env["GITHUB_API_URL"] == env["ANTHROPIC_BASE_URL"] + "/github"
        with anthropic.Anthropic(
            api_key="k", base_url=env["ANTHROPIC_BASE_URL"], max_retries=0, timeout=10
        ) as client:
            message = client.messages.create(
                model="m", max_tokens=50, messages=[{"role": "user", "content": "canned"}]
            )
        assert message.content[0].type == "text"
        assert message.content[0].text == "hello from the file"
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert proc.returncode == 0, err.decode()
    assert f"stopped ({signum.name})" in out.decode()


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
