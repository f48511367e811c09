"""The server: mounts, recording, binding, clean shutdown."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from pr_router.emulator import Emulator, FakeClock, Rule, Scenario
from pr_router.emulator.http import Request, Response, json_response


class Echo:
    """A mounted handler that answers with what it was given."""

    def __init__(self, name: str, delay_s: float = 0.0) -> None:
        self.name = name
        self.delay_s = delay_s
        self.seen: list[Request] = []

    def handle(self, request: Request) -> Response:
        self.seen.append(request)
        response = json_response(
            {"handler": self.name, "path": request.path, "mount": request.mount}
        )
        response.delay_s = self.delay_s
        return response


class Broken:
    def handle(self, request: Request) -> Response:
        raise RuntimeError("boom")


def get(url: str, **headers: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers), timeout=5
        ) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


def test_longest_mount_prefix_wins() -> None:
    github, actions = Echo("github"), Echo("actions")
    with Emulator(mounts={"/github": github, "/github/repos/o/r/actions": actions}) as emu:
        assert get(emu.base_url + "/github/repos/o/r/pulls/1?per_page=5") == (
            200,
            {"handler": "github", "path": "/repos/o/r/pulls/1", "mount": "/github"},
        )
        assert get(emu.base_url + "/github/repos/o/r/actions/runs")[1]["handler"] == "actions"
        assert get(emu.url_for("github"))[1]["path"] == "/"
        status, body = get(emu.base_url + "/githubx")  # not under the mount: the providers' root
        assert status == 404
        assert body["error"]["message"] == "no route for /githubx"
        assert github.seen[0].base_url == emu.base_url
    assert github.seen[0].query == {"per_page": ["5"]}


def test_requests_are_recorded_with_full_paths() -> None:
    with Emulator(mounts={"/github": Echo("github")}) as emu:
        get(emu.base_url + "/github/user", authorization="token t")
        recorded = emu.requests[0]
    assert (recorded.method, recorded.path, recorded.headers["authorization"]) == (
        "GET",
        "/github/user",
        "token t",
    )
    assert recorded.json is None
    assert len(emu.requests) == 1
    emu.requests.clear()
    assert list(emu.requests) == []


def test_mount_delay_uses_the_emulator_clock() -> None:
    clock = FakeClock()
    with Emulator(clock=clock, mounts={"/slow": Echo("slow", delay_s=30)}) as emu:
        started = time.monotonic()
        assert get(emu.base_url + "/slow")[0] == 200
        assert time.monotonic() - started < 1
    assert clock.now() == 30


def test_handler_errors_become_500() -> None:
    with Emulator(mounts={"/broken": Broken()}) as emu:
        status, body = get(emu.base_url + "/broken/x")
    assert status == 500
    assert "boom" in body["error"]["message"]


def test_binds_loopback_only_and_releases_the_port() -> None:
    with Emulator() as emu:
        host, port = emu.base_url.removeprefix("http://").split(":")
        assert host == "127.0.0.1"
        with socket.create_connection((host, int(port)), timeout=2):
            pass
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", int(port)), timeout=0.5),
    ):
        pass
    with pytest.raises(RuntimeError, match="not running"):
        _ = emu.base_url


def test_fixed_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Emulator(port=port) as emu:
        assert emu.base_url == f"http://127.0.0.1:{port}"
        assert emu.openai_base_url == f"http://127.0.0.1:{port}/v1"


def test_root_mount_is_refused() -> None:
    with pytest.raises(ValueError, match="root"):
        Emulator(mounts={"/": Echo("x")})


def test_stop_releases_held_connections() -> None:
    scenario = Scenario([Rule(fault="timeout", hang_s=30)])
    emu = Emulator(scenario=scenario).start()
    results: list[int] = []

    def call() -> None:
        body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "x"}]}).encode()
        request = urllib.request.Request(
            emu.openai_base_url + "/chat/completions",
            data=body,
            headers={"authorization": "Bearer k"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                results.append(response.status)
        except urllib.error.HTTPError as exc:
            exc.close()
            results.append(exc.code)

    thread = threading.Thread(target=call)
    thread.start()
    deadline = time.monotonic() + 5
    while not emu.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    emu.stop()
    thread.join(10)
    assert not thread.is_alive()
    assert time.monotonic() - started < 2
    assert results == [504]
    emu.stop()  # idempotent


def test_manual_clock_sleepers_are_released_on_stop() -> None:
    clock = FakeClock(auto_advance=False)
    emu = Emulator(clock=clock, mounts={"/slow": Echo("slow", delay_s=100)}).start()
    errors: list[BaseException] = []

    def call() -> None:
        try:
            get(emu.base_url + "/slow")
        except Exception as exc:  # the connection is dropped on shutdown
            errors.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    deadline = time.monotonic() + 5
    while not emu.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    emu.stop()
    thread.join(10)
    assert not thread.is_alive()
    assert len(errors) == 1


def test_public_api_is_small_and_sorted() -> None:
    import pr_router.emulator as package

    assert package.__all__ == sorted(package.__all__)
    assert set(package.__all__) == {
        "Call",
        "Clock",
        "Emulator",
        "FakeClock",
        "RealClock",
        "RecordedRequest",
        "RequestLog",
        "Rule",
        "Scenario",
    }


def test_importing_the_emulator_does_not_import_the_sdks() -> None:
    import subprocess
    import sys

    code = (
        "import sys, pr_router.emulator; print('anthropic' in sys.modules, 'openai' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False False"
