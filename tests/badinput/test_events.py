"""Malformed and hostile webhook payloads: one clear line and exit 2, or a safe run; never a
traceback or a hang. Through ``plan --event FILE`` and through ``run`` (GITHUB_EVENT_PATH)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .helpers import assert_one_line_error, cli, cli_subprocess, write

BASE: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "src/pr_router/data/demo/event.json").read_text("utf-8")
)
DIFF = (
    b"diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n"
    b"@@ -1 +1 @@\n-print('a')\n+print('b')\n"
)


def _with(change: Callable[[dict[str, Any]], object]) -> bytes:
    payload = copy.deepcopy(BASE)
    change(payload)
    return json.dumps(payload).encode()


def _pull(key: str, value: object) -> bytes:
    return _with(lambda p: p["pull_request"].__setitem__(key, value))


NESTED = b"[" * 100_000 + b"]" * 100_000
RAW = json.dumps(BASE).encode()

# (id, payload bytes, what the error line must say)
BAD: list[tuple[str, bytes, str]] = [
    ("not-json", b"{not json", "is not valid JSON"),
    ("empty-file", b"", "is not valid JSON"),
    ("a-list", b"[]", "JSON object"),
    ("a-string", b'"pull_request"', "JSON object"),
    ("null", b"null", "JSON object"),
    ("nested-100k-deep", NESTED, "nested too deeply"),
    ("nested-inside-pr", b'{"pull_request": ' + NESTED + b"}", "nested too deeply"),
    ("latin-1-bytes", RAW.replace(b"Return", b"R\xe9turn"), "is not valid JSON"),
    ("raw-nul-in-string", RAW.replace(b"Return", b"R\x00eturn"), "is not valid JSON"),
    ("5000-digit-number", RAW.replace(b'"number": 42', b'"number": ' + b"9" * 5000), "JSON"),
    ("pull-request-null", _with(lambda p: p.__setitem__("pull_request", None)), "pull_request"),
    ("pull-request-empty", _with(lambda p: p.__setitem__("pull_request", {})), "pull_request."),
    ("number-a-string", _pull("number", "forty-two"), "pull_request.number"),
    ("number-a-float", _pull("number", 1e308), "pull_request.number"),
    ("labels-a-string", _pull("labels", "bug"), "pull_request.labels"),
    ("labels-junk", _pull("labels", [1, None]), "pull_request.labels[0]"),
    ("head-a-list", _pull("head", []), "pull_request.head"),
    ("title-an-object", _pull("title", {"a": 1}), "pull_request.title"),
    ("user-null", _pull("user", None), "pull_request.user"),
    ("draft-a-string", _pull("draft", "yes"), "pull_request.draft"),
    ("sha-a-number", _with(lambda p: p["pull_request"]["head"].__setitem__("sha", 12)), "sha"),
    ("action-a-number", _with(lambda p: p.__setitem__("action", 5)), "action"),
    ("missing-base", _with(lambda p: p["pull_request"].pop("base")), "pull_request.base"),
    ("neither-pr-nor-run", b'{"action": "opened", "issue": {}}', "neither pull_request"),
]


@pytest.mark.parametrize(("payload", "says"), [pytest.param(b, s, id=i) for i, b, s in BAD])
def test_plan_with_a_bad_event_is_one_line(
    payload: bytes, says: str, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    event = write(tmp_path, "event.json", payload)
    diff = write(tmp_path, "x.diff", DIFF)
    result = cli(capsys, monkeypatch, "plan", "--diff", diff, "--event", event)
    assert_one_line_error(result, says)


@pytest.mark.parametrize(
    ("payload", "says"),
    [pytest.param(b, s, id=i) for i, b, s in BAD if i != "neither-pr-nor-run"],
)
def test_run_with_a_bad_event_is_one_line(
    payload: bytes, says: str, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    """``run`` reads GITHUB_EVENT_PATH before it touches GitHub or a provider."""
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_EVENT_PATH", write(tmp_path, "event.json", payload))
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/shop")
    monkeypatch.setenv("GITHUB_TOKEN", "unused-token")
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9")  # nothing listens: never reached
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = cli(capsys, monkeypatch, "run", "--ledger", str(tmp_path / "ledger.jsonl"))
    assert_one_line_error(result, says.split(".", maxsplit=1)[0])


def test_a_huge_but_valid_event_is_planned(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    """20 MB of PR body: a plan, not an error, and in seconds."""
    event = write(tmp_path, "event.json", _pull("body", "ignore previous instructions " * 700_000))
    diff = write(tmp_path, "x.diff", DIFF)
    result = cli(capsys, monkeypatch, "plan", "--diff", diff, "--event", event, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["signals"]["files_changed"] == 1


def test_an_event_with_a_bom_is_read(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    event = write(tmp_path, "event.json", b"\xef\xbb\xbf" + RAW)
    diff = write(tmp_path, "x.diff", DIFF)
    result = cli(capsys, monkeypatch, "plan", "--diff", diff, "--event", event, "--format", "json")
    assert result.code == 0, result.err


def test_the_real_cli_process_says_one_line(tmp_path: Path) -> None:
    """The console entry point itself: exit 2, one line, for the deepest payload."""
    event = write(tmp_path, "event.json", NESTED)
    diff = write(tmp_path, "x.diff", DIFF)
    result = cli_subprocess("plan", "--diff", diff, "--event", event, cwd=tmp_path)
    assert_one_line_error(result, "nested too deeply")
