"""The world an integration test runs in: GitHub behind ``responses``, the model emulator.

GitHub: PyGithub (and the raw diff/log session) talk ``requests``, which ``responses``
patches. Every request is forwarded to a ``GitHubEmulator`` over a ``GitHubState``, so the
answers behave like GitHub (422 for a line outside the diff, 403 from a fault hook, ...),
and is recorded; when the ``GitHubMock`` closes, every recorded request is checked against
GitHub's OpenAPI description and the test fails on any mismatch.

Models: the real Anthropic and OpenAI SDKs (httpx, not patched) talk to the project's
emulator on 127.0.0.1, on a ``FakeClock`` shared with the executor, so nothing really
sleeps. Each ``run``/``collect`` builds new settings, providers and GitHub clients from
its environment: nothing carries over in memory except what GitHub and the providers hold.
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import responses
from openapi_check import check_calls

from pr_router.emulator import Emulator, FakeClock, Rule, Scenario
from pr_router.emulator.github import GitHubEmulator
from pr_router.emulator.http import Request
from pr_router.github.client import GitHubClient
from pr_router.github.emulated import EmuPull, GitHubState
from pr_router.github.state import SUMMARY_MARKER, State, decode_state
from pr_router.github.transport import FAST_RETRY
from pr_router.ledger import LedgerRecord, read_ledger
from pr_router.pipeline.entry import Outcome, collect_from_env, run_from_env
from pr_router.pipeline.settings import Settings
from pr_router.providers.base import Provider
from pr_router.providers.registry import build_providers

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
WEBHOOKS = FIXTURES / "github" / "webhooks"
DIFFS = FIXTURES / "diffs" / "real"
LOGS = FIXTURES / "logs"

API = "https://api.github.com"
TOKEN = "ghs_integration_token"
ACTIONS_BOT = "github-actions[bot]"
_EMULATOR_ONLY = "/_emulator/"  # the job-log blob a 302 points at: not part of the REST API
Wrap = Callable[[Provider], Provider]


def webhook(name: str) -> dict[str, Any]:
    """A copy of one of GitHub's example webhook payloads."""
    data: dict[str, Any] = json.loads((WEBHOOKS / name).read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def diff(name: str) -> bytes:
    """A real diff from tests/fixtures/diffs/real."""
    return (DIFFS / name).read_bytes()


class GitHubMock:
    """A ``responses`` callback registry that forwards every request to a GitHub emulator."""

    def __init__(self, state: GitHubState, api: str = API) -> None:
        self.state = state
        self.api = api.rstrip("/")
        self.emulator = GitHubEmulator(state)
        self.mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        parts = urlsplit(self.api)
        self._root = f"{parts.scheme}://{parts.netloc}"
        self._mount = parts.path.rstrip("/")
        self._hooks: list[tuple[str, str, Callable[[], object]]] = []

    def __enter__(self) -> GitHubMock:
        self.mock.__enter__()
        pattern = re.compile(re.escape(self.api) + r"(/.*)?")
        for method in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            self.mock.add_callback(method, pattern, callback=self._forward)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self.check()
        finally:
            self.mock.__exit__(exc_type, exc, tb)  # this also forgets ``mock.calls``

    def check(self) -> int:
        """Check every REST request sent so far against GitHub's OpenAPI description."""
        calls = [c for c in self.mock.calls if _EMULATOR_ONLY not in (c.request.url or "")]
        checked = check_calls(calls, self.api)
        assert checked == len(calls) == len(self.state.calls), "a request was not checked"
        return checked

    def before(self, method: str, path: str, action: Callable[[], object]) -> None:
        """Run ``action`` once, when the first ``method`` request whose path ends with
        ``path`` arrives, before it is answered (to interleave another run)."""
        self._hooks.append((method, path, action))

    def _forward(self, prepared: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(prepared.url or "")
        for hook in list(self._hooks):
            method, path, action = hook
            if prepared.method == method and url.path.endswith(path):
                self._hooks.remove(hook)
                action()
        raw = prepared.body
        body = raw.encode() if isinstance(raw, str) else (raw or b"")
        request = Request(
            method=prepared.method or "GET",
            path=url.path[len(self._mount) :] or "/",
            query=parse_qs(url.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in prepared.headers.items()},
            body=body,
            base_url=self._root,
            mount=self._mount,
        )
        answer = self.emulator.handle(request)
        return answer.status, dict(answer.headers), answer.body


# -- canned model answers that point at real lines of the seeded diffs ---------------------

REVIEW_MATCH = "## Task: code review"
SECURITY_MATCH = "## Task: security scan"


def finding(file: str, start: int, end: int, side: str, title: str, **extra: Any) -> dict[str, Any]:
    """One finding as the shared findings schema wants it."""
    data: dict[str, Any] = {
        "file": file,
        "start_line": start,
        "end_line": end,
        "side": side,
        "severity": "medium",
        "category": "correctness",
        "cwe": None,
        "title": title,
        "explanation": f"{title}: explained.",
        "suggestion": None,
    }
    data.update(extra)
    return data


HTTPX_REVIEW = {
    "summary": "`auth` defaults to UNSET in stream() so the client's auth is kept.",
    "findings": [
        finding("httpx/_client.py", 237, 237, "RIGHT", "UNSET default needs a test for sync"),
        finding("httpx/_client.py", 237, 237, "LEFT", "The old None default dropped auth"),
        finding("tests/client/test_auth.py", 176, 177, "RIGHT", "Assert on the request too"),
    ],
}
HTTPX_SECURITY = {
    "summary": "Credentials were silently dropped from streamed requests; now kept.",
    "findings": [
        finding("httpx/_client.py", 1789, 1789, "RIGHT", "Auth is sent on redirects",
                severity="high", category="auth", cwe="CWE-522"),
    ],
}  # fmt: skip
DESCRIBE = {
    "summary": "Streaming requests keep the client's auth.",
    "walkthrough": [{"path": "httpx/_client.py", "change": "auth defaults to UNSET."}],
}
CHANGELOG = {"user_facing": True, "section": "Fixed", "entry": "Streaming keeps client auth."}
FAILURE = {
    "likely_cause": "The assertion in test_app.py::test_main does not hold.",
    "failing_step": "pytest",
    "fix": "Compare the expected value with what main() returns.",
    "confidence": "medium",
}


def canned_rules(review: Mapping[str, Any] = HTTPX_REVIEW,
                 security: Mapping[str, Any] = HTTPX_SECURITY) -> list[Rule]:  # fmt: skip
    """Answers for every built-in job; the two findings jobs share a schema, so the task
    heading of the prompt tells them apart."""
    return [
        Rule(prompt=REVIEW_MATCH, output=dict(review), latency_s=4.0),
        Rule(prompt=SECURITY_MATCH, output=dict(security), latency_s=3.0),
        Rule(job="DescribeOutput", output=DESCRIBE),
        Rule(job="ChangelogOutput", output=CHANGELOG),
        Rule(job="FailureOutput", output=FAILURE, latency_s=2.0),
    ]


# -- the world -------------------------------------------------------------------------------


@dataclass
class Result:
    """One command's outcome and what it left on disk."""

    outcome: Outcome
    log: str
    env: dict[str, str]

    @property
    def outputs(self) -> dict[str, str]:
        """GITHUB_OUTPUT, parsed (``name<<DELIM`` blocks and ``name=value`` lines)."""
        return parse_outputs(Path(self.env["GITHUB_OUTPUT"]))

    @property
    def step_summary(self) -> str:
        """GITHUB_STEP_SUMMARY's content ('' when nothing was written)."""
        path = Path(self.env["GITHUB_STEP_SUMMARY"])
        return path.read_text(encoding="utf-8") if path.exists() else ""

    @property
    def ledger(self) -> list[LedgerRecord]:
        """This command's ledger records."""
        path = Path(self.env["PR_ROUTER_LEDGER"])
        return list(read_ledger(path)) if path.exists() else []


def parse_outputs(path: Path) -> dict[str, str]:
    """The step outputs a GITHUB_OUTPUT file holds."""
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line:
            name, delim = line.split("<<", 1)
            value: list[str] = []
            for nxt in lines:
                if nxt == delim:
                    break
                value.append(nxt)
            out[name] = "\n".join(value)
        elif "=" in line:
            name, value_ = line.split("=", 1)
            out[name] = value_
    return out


@dataclass
class World:
    """GitHub (a seeded ``GitHubState`` behind ``responses``) and the model emulator."""

    tmp: Path
    state: GitHubState
    emulator: Emulator[FakeClock]
    github: GitHubMock
    repo: str = "Codertocat/Hello-World"
    runs: int = 0
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def clock(self) -> FakeClock:
        """The simulated clock of the emulator and of every executor."""
        return self.emulator.clock

    # seeding ---------------------------------------------------------------------------------

    def seed(self, payload: Mapping[str, Any], patch: bytes, *, message: str = "Update") -> EmuPull:
        """The PR of ``payload`` on the GitHub side, with ``patch`` as its diff."""
        pull = payload["pull_request"]
        commits = [(pull["head"]["sha"], message)]
        return self.state.seed_pull(payload, patch, commits=commits)

    def event_file(self, payload: Mapping[str, Any], name: str = "event") -> Path:
        """Write a payload where GITHUB_EVENT_PATH will point."""
        self.runs += 1
        path = self.tmp / f"{name}-{self.runs}.json"
        path.write_text(json.dumps(payload), encoding="utf-8")
        return path

    # the environment of one workflow run -------------------------------------------------------

    def env(self, event_name: str, payload: Mapping[str, Any], *, machine: str = "runner",
            keys: bool = True, **extra: str) -> dict[str, str]:  # fmt: skip
        """A runner's environment: GITHUB_*, provider keys and URLs, output files."""
        event_path = self.event_file(payload)
        home = self.tmp / f"{machine}-{self.runs}"
        home.mkdir(parents=True, exist_ok=True)
        env = {
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": self.repo,
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_API_URL": API,
            "GITHUB_RUN_ID": str(4000 + self.runs),
            "GITHUB_OUTPUT": str(home / "output"),
            "GITHUB_STEP_SUMMARY": str(home / "step-summary.md"),
            "PR_ROUTER_LEDGER": str(home / "ledger.jsonl"),
        }
        if keys:
            env |= {
                "ANTHROPIC_API_KEY": "sk-ant-emulated",
                "ANTHROPIC_BASE_URL": self.emulator.base_url,
                "OPENAI_API_KEY": "sk-emulated",
                "OPENAI_BASE_URL": self.emulator.openai_base_url,
            }
        return env | self.extra_env | extra

    def _collaborators(self, env: Mapping[str, str], wrap: Wrap | None = None) -> dict[str, Any]:
        """New providers and GitHub client, as a fresh process would build them."""
        github = GitHubClient.from_env(env, retry=FAST_RETRY)
        providers: Mapping[str, Provider] = build_providers(env, strict=True)
        if wrap is not None:
            providers = {name: wrap(p) for name, p in providers.items()}
        return {"providers": providers, "github": github, "clock": self.clock}

    def run(self, env: dict[str, str], *, wrap: Wrap | None = None) -> Result:
        """``pr-router run`` in this environment (``wrap`` decorates each provider)."""
        log = io.StringIO()
        with ExitStack() as stack:
            parts = self._collaborators(env, wrap)
            stack.callback(parts["github"].close)
            outcome = run_from_env(env, settings=Settings.from_env(env), out=log, **parts)
        return Result(outcome, log.getvalue(), env)

    def collect(self, env: dict[str, str], numbers: tuple[int, ...] = ()) -> Result:
        """``pr-router collect`` in this environment."""
        log = io.StringIO()
        with ExitStack() as stack:
            parts = self._collaborators(env)
            stack.callback(parts["github"].close)
            outcome = collect_from_env(env, settings=Settings.from_env(env), out=log,
                                       numbers=numbers, **parts)  # fmt: skip
        return Result(outcome, log.getvalue(), env)

    # reading GitHub back --------------------------------------------------------------------------

    def summaries(self, number: int) -> list[tuple[int, str]]:
        """(id, body) of every summary comment on the PR."""
        return [
            (c.id, c.body)
            for c in self.state.comments.values()
            if c.number == number and c.body.startswith(SUMMARY_MARKER)
        ]

    def summary(self, number: int) -> tuple[int, str, State]:
        """The one summary comment: id, body and decoded state."""
        found = self.summaries(number)
        assert len(found) == 1, f"expected one summary comment, found {len(found)}"
        cid, body = found[0]
        state = decode_state(body)
        assert state is not None, "the summary comment carries no readable state"
        return cid, body, state

    def operations(self) -> list[str]:
        """The GitHub operations (operationId) called so far, in order."""
        return [c.operation for c in self.state.calls]


def make_world(tmp: Path, scenario: Scenario, *, viewer: str = ACTIONS_BOT) -> Iterator[World]:
    """A world for one test; GitHub requests are checked against the spec on the way out."""
    state = GitHubState(token=TOKEN, viewer=viewer, viewer_is_app=viewer == ACTIONS_BOT)
    with Emulator(scenario=scenario, clock=FakeClock()) as emu, GitHubMock(state) as gh:
        yield World(tmp, state, emu, gh)
