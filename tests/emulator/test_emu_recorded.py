"""The emulator answers recorded real Anthropic requests with the same wire shapes."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from pr_router.emulator import Emulator, Rule, Scenario

RECORDED = sorted(
    (Path(__file__).parent.parent / "fixtures" / "providers" / "anthropic").glob("*.json")
)


def shape(node: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON value (list items merged)."""
    out: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            out.add(prefix + key)
            out |= shape(value, f"{prefix}{key}.")
    elif isinstance(node, list):
        for item in node:
            out |= shape(item, prefix + "[].")
    return out


def events(sse: str) -> list[str]:
    """SSE event names without pings, runs of deltas collapsed to one."""
    names = [n for n in re.findall(r"^event: (\w+)", sse, flags=re.M) if n != "ping"]
    return [n for i, n in enumerate(names) if i == 0 or n != names[i - 1]]


def send(emu: Emulator[Any], body: Any) -> tuple[int, dict[str, str], str]:
    headers = {
        "x-api-key": "k",
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
    }
    request = urllib.request.Request(
        emu.base_url + "/v1/messages", data=json.dumps(body).encode(), headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), exc.read().decode()


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.name[:40])
def test_replayed_exchange_has_the_recorded_shape(path: Path) -> None:
    exchanges = json.loads(path.read_text(encoding="utf-8"))
    limited = sum(1 for x in exchanges if x["response"]["status_code"] == 429)
    scenario = Scenario([Rule(fault="429", times=limited)] if limited else [])
    with Emulator(scenario=scenario) as emu:
        for exchange in exchanges:
            recorded = exchange["response"]
            status, headers, text = send(emu, exchange["request"]["body"])
            assert status == recorded["status_code"]
            assert headers["content-type"] == recorded["headers"]["content-type"]
            if status == 429:
                assert headers["x-should-retry"] == recorded["headers"]["x-should-retry"]
            if isinstance(recorded["body"], str):  # a stream
                assert events(text) == events(recorded["body"])
            else:
                assert shape(json.loads(text)) == shape(recorded["body"])
