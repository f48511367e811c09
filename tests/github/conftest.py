"""Fixtures for the GitHub layer: webhook payloads, the emulator behind a real socket, a client."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openapi_check import check_request

from pr_router.emulator.github import GitHubEmulator, GitHubState
from pr_router.emulator.http import Request
from pr_router.emulator.server import Emulator
from pr_router.github.client import GitHubClient
from pr_router.github.transport import FAST_RETRY

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "github"
WEBHOOKS = FIXTURES / "webhooks"
TOKEN = "ghs_emulated_token"

# A small PR diff: two hunks in app.py, a deleted file, a new file.
DIFF = b"\n".join(
    [
        b"diff --git a/src/app.py b/src/app.py",
        b"index 1111111..2222222 100644",
        b"--- a/src/app.py",
        b"+++ b/src/app.py",
        b"@@ -1,4 +1,5 @@",
        b" import os",
        b"+import subprocess",
        b" ",
        b" def main():",
        b"     return 0",
        b"@@ -20,3 +21,3 @@ def helper():",
        b"     x = 1",
        b"-    y = 2",
        b"+    y = eval(input())",
        b"     return x + y",
        b"diff --git a/old.txt b/old.txt",
        b"deleted file mode 100644",
        b"--- a/old.txt",
        b"+++ /dev/null",
        b"@@ -1,2 +0,0 @@",
        b"-one",
        b"-two",
        b"diff --git a/docs/new.md b/docs/new.md",
        b"new file mode 100644",
        b"--- /dev/null",
        b"+++ b/docs/new.md",
        b"@@ -0,0 +1,2 @@",
        b"+# New",
        b"+text",
        b"",
        b"",
    ]
)


def load_webhook(name: str) -> dict[str, Any]:
    """A copy of one webhook example payload."""
    with (WEBHOOKS / name).open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return copy.deepcopy(data)


@dataclass
class Emulated:
    """A running GitHub emulator, its state, and a client pointed at it."""

    state: GitHubState
    emulator: Emulator
    client: GitHubClient

    @property
    def api_url(self) -> str:
        """The GITHUB_API_URL of the emulator."""
        return self.emulator.url_for("/github")

    def client_for(self, **kwargs: Any) -> GitHubClient:
        """Another client for the same emulator."""
        kwargs.setdefault("retry", FAST_RETRY)
        return GitHubClient.from_token(TOKEN, self.state.repo, base_url=self.api_url, **kwargs)


def seeded_state() -> GitHubState:
    """Hello-World PR #1 from the opened webhook, with DIFF, files, a failed CI run."""
    from pr_router.github.emulated import EmuJob, EmuRun

    state = GitHubState(token=TOKEN, viewer="pr-router-bot")
    pull = state.seed_pull(
        load_webhook("pull_request.opened.payload.json"),
        DIFF,
        commits=[("a" * 40, "Add subprocess import"), ("b" * 40, "Read y from input")],
    )
    state.add_file(".github/pr-router.yml", b"version: 1\n", pull.base_ref)
    state.add_file("CHANGELOG.md", b"# Changelog\n", pull.base_sha)
    job = EmuJob(
        id=555,
        name="test",
        conclusion="failure",
        steps=[("checkout", "success"), ("pytest", "failure")],
        log="collected 3 items\nFAILED test_app.py::test_main - AssertionError\n",
    )
    ok = EmuJob(id=556, name="lint", conclusion="success", steps=[("ruff", "success")])
    state.add_run(
        EmuRun(
            id=777,
            name="CI",
            head_sha=pull.head_sha,
            head_branch=pull.head_ref,
            pr_numbers=(pull.number,),
            jobs=[job, ok],
        )
    )
    return state


@pytest.fixture
def emulated() -> Iterator[Emulated]:
    """The emulator on a loopback port; every request it saw is checked against the spec."""
    state = seeded_state()
    with Emulator(mounts={"/github": GitHubEmulator(state)}) as emulator:
        client = GitHubClient.from_token(
            TOKEN, state.repo, base_url=emulator.url_for("/github"), retry=FAST_RETRY
        )
        yield Emulated(state, emulator, client)
        client.close()
        for rec in emulator.requests:
            if rec.path.startswith("/github/") and "/_emulator/" not in rec.path:
                req = Request(rec.method, rec.path, rec.query, rec.headers, rec.body, "", "")
                check_request(req, base_path="/github")
