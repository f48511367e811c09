"""Play whole pr-router runs against the emulators with faults, and read back what a user sees.

A ``Case`` describes a fault setup; ``play`` runs it on a PR (the bundled demo PR unless the
case brings its own diff, text and model answers): a ``pull_request`` run, time passing on
the fake clock, then a ``collect``; or the case's own sequence (a run killed while its batch
is in flight, two runs racing, a failed CI run). ``Observed`` is read back from the emulated
PR, as a user and the next run would see it: the sticky summary and its state block, every
review and comment, the batches the providers hold, and the exit codes. ``problems`` lists
every broken promise: a job neither published nor reported failed, a duplicated comment, a
batch result nobody fetched, an exit code against ``fail-on-error``, a fault that never hit.

Nothing sleeps for real: the executor and the emulated providers share a ``FakeClock``, the
emulated faults ask for a 1 ms retry-after, and the GitHub client retries without pacing.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import threading
import urllib.request
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pr_router.emulator import Call, Emulator, FakeClock, Rule, Scenario
from pr_router.emulator.github import GitHubEmulator
from pr_router.emulator.http import Handler, Request, Response
from pr_router.errors import PrRouterError, UsageError
from pr_router.github.client import GitHubClient
from pr_router.github.emulated import EmuJob, EmuRun, Fault, FaultKind, GitHubState
from pr_router.github.models import Comment
from pr_router.github.publish import fingerprints_in
from pr_router.github.state import State, decode_state, find_summary
from pr_router.github.transport import FAST_RETRY
from pr_router.ledger import read_ledger
from pr_router.pipeline.entry import Outcome, collect_from_env, run_from_env
from pr_router.providers.base import (
    BatchHandle,
    BatchItemResult,
    BatchState,
    ModelRequest,
    ModelResponse,
    OnStart,
    Provider,
)
from pr_router.providers.registry import build_providers

__all__ = [
    "BOT",
    "PR",
    "Case",
    "GitHubFault",
    "Observed",
    "default_policy",
    "demo_file",
    "play",
    "policy_with",
    "problems",
]

BOT = "pr-router[bot]"
PR = 42
CI_RUN = 777
KILLED = 137  # what the runner reports for a cancelled step

EndState = Literal["complete", "degraded", "pending", "unpublished", "aborted"]
Steps = Literal["run+collect", "killed+collect", "race+collect", "ci-failure"]


def demo_file(name: str) -> bytes:
    """A file of the bundled demo PR (package data: event, diff, canned answers)."""
    return resources.files("pr_router.data.demo").joinpath(name).read_bytes()


@cache
def _demo_outputs() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(demo_file("outputs.json"))
    return data


# What each job's canned demo answer leaves on the PR when it is published.
DEMO_PROBES: dict[str, tuple[str, ...]] = {
    "review": ("passes the relative-path check", "is parsed but never passed"),
    "security": ("Open redirect through a protocol-relative",),
    "describe": ("After a successful login the user is sent",),
    "changelog": ("a `--session-ttl` option to set how long sessions last",),
    "docs": ("session lifetime in seconds",),
}
# Review and security share one output schema: their canned answers are told apart by the
# task heading of the instructions.
_TASK = {"ReviewOutput": "## Task: code review", "SecurityOutput": "## Task: security scan"}


@cache
def default_policy() -> str:
    """The bundled default policy's text (cases edit it to seed the repository's policy)."""
    return resources.files("pr_router.policy").joinpath("default.yml").read_text("utf-8")


def policy_with(**batch: str) -> str:
    """The default policy with some ``batch:`` settings replaced (e.g. on_item_failure)."""
    text = default_policy()
    for key, value in batch.items():
        text, n = re.subn(rf"(?m)^(  {key}:) \S+", rf"\1 {value}", text)
        assert n == 1, f"batch.{key} not found in the default policy"
    return text


@dataclass(frozen=True)
class GitHubFault:
    """``GitHubState.fail(operation, kind, times, retry_after)`` before a phase."""

    operation: str
    kind: FaultKind
    times: int = 1
    retry_after: int = 0
    phase: Literal["run", "collect"] = "run"


@dataclass(frozen=True)
class Case:
    """One fault setup, the end state it must lead to, and the phase that fails (if any)."""

    id: str
    step: str  # where the fault hits, for the table
    fault: str  # what happens, for the table
    expect: EndState
    rules: tuple[Rule, ...] = ()  # provider scenario rules, before the canned answers
    github: tuple[GitHubFault, ...] = ()
    policy: str | None = None  # .github/pr-router.yml on the base branch (None: bundled default)
    steps: Steps = "run+collect"
    failed: frozenset[str] = frozenset()  # jobs that must end failed, reason in the summary
    unposted: frozenset[str] = frozenset()  # jobs whose results GitHub refused, reason shown
    fails: Literal["", "run", "collect"] = ""  # the phase that exits 1 with fail-on-error
    collect_needed: bool = False  # the run leaves batches for the collect
    collect_after_s: float = 2 * 3600  # simulated time between the run and the collect
    client_timeout_s: float | None = None  # Anthropic requests time out on the client side
    # A PR of its own instead of the demo's (bad-input cases):
    diff: bytes | None = None
    pull: Mapping[str, Any] = field(default_factory=dict)  # merged into pull_request
    comments: tuple[tuple[str, str], ...] = ()  # (author, body) already on the PR
    outputs: Mapping[str, Any] | None = None  # canned answers by schema name
    probes: Mapping[str, tuple[str, ...]] | None = None  # text each published job leaves
    ci_log: str | None = None  # the failed CI job's log ("ci-failure" steps)
    xfail: str | None = None  # a known gap: the case is expected to break a promise

    def scenario_rules(self) -> list[Rule]:
        """This case's rules, then the canned answers."""
        outputs = _demo_outputs() if self.outputs is None else self.outputs
        canned = [
            Rule(job=None if name in _TASK else name, prompt=_TASK.get(name), output=out)
            for name, out in outputs.items()
        ]
        return [*self.rules, *canned]

    def job_probes(self) -> Mapping[str, tuple[str, ...]]:
        """What each job leaves on the PR when it is published."""
        return DEMO_PROBES if self.probes is None else self.probes


@dataclass
class Observed:
    """What a case left behind."""

    case: Case
    fail_on_error: bool
    end_state: EndState
    exit_codes: dict[str, int]  # phase -> exit code ("run", "run-2", "collect")
    published: tuple[str, ...] = ()
    failed: dict[str, str] = field(default_factory=dict)  # job -> reason shown in the summary
    unposted: dict[str, str] = field(default_factory=dict)  # job -> why its review is missing
    pending: tuple[str, ...] = ()
    unreported: tuple[str, ...] = ()  # jobs that ran but are neither published nor failed
    summary_comments: int = 0
    duplicate_findings: int = 0
    batches: int = 0
    lost_batches: tuple[str, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)  # phase -> one-line error
    log: str = ""
    step_summary: str = ""
    unused_faults: tuple[str, ...] = ()  # faults of the case that never hit anything
    prompts: tuple[str, ...] = ()  # every request body sent to a model endpoint
    github: GitHubState = field(default_factory=GitHubState, repr=False)

    @property
    def duplicates(self) -> int:
        """Extra summary comments plus findings posted more than once."""
        return max(self.summary_comments - 1, 0) + self.duplicate_findings

    def bot_texts(self) -> list[str]:
        """Everything the bot wrote on the PR: review bodies, inline and issue comments."""
        own = BOT.casefold()
        gh = self.github
        texts = [r.body for r in gh.reviews.values() if r.author.casefold() == own]
        texts += [c.body for c in gh.review_comments.values() if c.author.casefold() == own]
        texts += [c.body for c in gh.comments.values() if c.author.casefold() == own]
        return texts

    def sticky(self) -> Comment | None:
        """The summary comment the next run reads its state from."""
        return find_summary(_summaries(self.github), BOT)


class Killed(BaseException):
    """The runner killed the process (a cancelled run): nothing after it runs."""


class _Delegating(Provider):
    """A provider that passes every call to a real adapter (subclasses change one thing)."""

    def __init__(self, inner: Provider) -> None:
        self._inner = inner
        self.name = inner.name
        self.supports_batch = inner.supports_batch
        self.supports_cache_control = inner.supports_cache_control

    def complete(self, request: ModelRequest, *, on_start: OnStart | None = None) -> ModelResponse:
        return self._inner.complete(request, on_start=on_start)

    def submit_batch(self, requests: Sequence[ModelRequest]) -> BatchHandle:
        return self._inner.submit_batch(requests)

    def batch_state(self, handle: BatchHandle) -> BatchState:
        return self._inner.batch_state(handle)

    def batch_results(self, handle: BatchHandle) -> list[BatchItemResult]:
        return self._inner.batch_results(handle)

    def close(self) -> None:
        self._inner.close()


class _KillWhilePolling(_Delegating):
    """Dies on the first poll of a batch: after submission, before anything is published."""

    def batch_state(self, handle: BatchHandle) -> BatchState:
        raise Killed(f"killed while waiting for {handle.batch_id}")


class _ShortTimeout(_Delegating):
    """Sends every request with a short client timeout, so a hanging API really times out."""

    def __init__(self, inner: Provider, timeout_s: float) -> None:
        super().__init__(inner)
        self._timeout_s = timeout_s

    def complete(self, request: ModelRequest, *, on_start: OnStart | None = None) -> ModelResponse:
        return super().complete(replace(request, timeout_s=self._timeout_s), on_start=on_start)


class _Rendezvous:
    """Holds the first create-review and the first create-comment of each of two racing runs
    until both have arrived: both runs have read the PR before either writes, every time."""

    _WRITES = (
        ("POST", re.compile(r"/repos/[^/]+/[^/]+/pulls/\d+/reviews")),
        ("POST", re.compile(r"/repos/[^/]+/[^/]+/issues/\d+/comments")),
    )

    def __init__(self, inner: Handler, parties: int = 2, timeout_s: float = 2.0) -> None:
        self._inner = inner
        self._barriers = [threading.Barrier(parties, timeout=timeout_s) for _ in self._WRITES]
        self._seen = [0] * len(self._WRITES)
        self._parties = parties
        self._lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        for i, (method, path) in enumerate(self._WRITES):
            if request.method == method and path.fullmatch(request.path):
                with self._lock:
                    self._seen[i] += 1
                    wait = self._seen[i] <= self._parties
                if wait:
                    with contextlib.suppress(threading.BrokenBarrierError):
                        self._barriers[i].wait()
        return self._inner.handle(request)


class _CountingScenario(Scenario):
    """A scenario that counts how often each of the case's own rules decided a call."""

    def __init__(self, case: Case) -> None:
        # Batches end at once unless a case says otherwise: the run (which does not wait for
        # them) posts them as it would a batch that ended while the synchronous jobs ran.
        super().__init__(case.scenario_rules(), batch_duration_s=0.0)
        self.hits: Counter[int] = Counter()
        self._ours = {id(rule): i for i, rule in enumerate(case.rules)}

    def _count(self, rule: Rule | None) -> Rule | None:
        if rule is not None and id(rule) in self._ours:
            self.hits[self._ours[id(rule)]] += 1
        return rule

    def pick(self, call: Call, *, faults_only: bool = False) -> Rule | None:
        return self._count(super().pick(call, faults_only=faults_only))

    def pick_batch(self, endpoint: str, items: Sequence[Call]) -> Rule | None:
        return self._count(super().pick_batch(endpoint, items))


def _github(env: Mapping[str, str]) -> GitHubClient:
    """The client a run would build from its environment, retrying without sleeps."""
    return GitHubClient.from_env(env, retry=FAST_RETRY)


def _exit_code(call: Callable[[], Outcome], log: io.StringIO) -> tuple[int, str]:
    """Run a command the way ``pr_router.cli.main`` does: errors become one line and a code."""
    try:
        return call().exit_code, ""
    except PrRouterError as exc:
        log.write(f"pr-router: error: {exc}\n")
        return (2 if isinstance(exc, UsageError) else 1), str(exc)


def _event(case: Case) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(demo_file("event.json"))
    event["pull_request"].update(case.pull)
    return event


def _ci_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """A ``workflow_run`` payload: the PR's CI run failed."""
    pull = event["pull_request"]
    return {
        "action": "completed",
        "repository": event["repository"],
        "sender": event["sender"],
        "workflow_run": {
            "id": CI_RUN,
            "name": "CI",
            "head_sha": pull["head"]["sha"],
            "head_branch": pull["head"]["ref"],
            "status": "completed",
            "conclusion": "failure",
            "event": "pull_request",
            "pull_requests": [
                {"number": PR, "head": pull["head"], "base": pull["base"]},
            ],
        },
    }


def _seed(state: GitHubState, case: Case, event: Mapping[str, Any]) -> None:
    pull = event["pull_request"]
    diff = demo_file("example.diff") if case.diff is None else case.diff
    state.seed_pull(event, diff, commits=[(pull["head"]["sha"], pull["title"])])
    state.add_file("CHANGELOG.md", demo_file("files/CHANGELOG.md"), ref=pull["base"]["sha"])
    if case.policy is not None:
        state.add_file(".github/pr-router.yml", case.policy.encode(), ref=pull["base"]["sha"])
    for author, body in case.comments:
        state.add_comment(PR, author, body)
    if case.ci_log is not None:
        job = EmuJob(id=CI_RUN + 1, name="test", conclusion="failure",
                     steps=[("Run tests", "failure")], log=case.ci_log)  # fmt: skip
        state.add_run(EmuRun(id=CI_RUN, name="CI", head_sha=pull["head"]["sha"],
                             head_branch=pull["head"]["ref"], pr_numbers=(PR,), jobs=[job]))  # fmt: skip


class _Play:
    """One case being played: the emulators, the environment and what happened so far."""

    def __init__(self, case: Case, fail_on_error: bool, workdir: Path, emu: Emulator[Any],
                 clock: FakeClock) -> None:  # fmt: skip
        self.case = case
        self.fail_on_error = fail_on_error
        self.workdir = workdir
        self.emu = emu
        self.clock = clock
        self.log = io.StringIO()
        self.codes: dict[str, int] = {}
        self.errors: dict[str, str] = {}

    def env(self, run_id: str, event_name: str = "pull_request") -> dict[str, str]:
        emu, workdir = self.emu, self.workdir
        event_file = "ci-event.json" if event_name == "workflow_run" else "event.json"
        return {
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(workdir / event_file),
            "GITHUB_REPOSITORY": "acme/shop",
            "GITHUB_TOKEN": "emulated-token",
            "GITHUB_API_URL": f"{emu.base_url}/github",
            "GITHUB_RUN_ID": run_id,
            "ANTHROPIC_API_KEY": "emulated-key",
            "ANTHROPIC_BASE_URL": emu.base_url,
            "OPENAI_API_KEY": "emulated-key",
            "OPENAI_BASE_URL": emu.openai_base_url,
            "PR_ROUTER_FAIL_ON_ERROR": "true" if self.fail_on_error else "false",
            "PR_ROUTER_LEDGER": str(workdir / "ledger.jsonl"),
            "GITHUB_STEP_SUMMARY": str(workdir / "step-summary.md"),
            "GITHUB_OUTPUT": str(workdir / "outputs.txt"),
        }

    def command(self, phase: str, call: Callable[[], Outcome]) -> None:
        self.codes[phase], error = _exit_code(call, self.log)
        if error:
            self.errors[phase] = error

    def run(self, phase: str, run_id: str, *, providers: Mapping[str, Provider] | None = None,
            event_name: str = "pull_request") -> None:  # fmt: skip
        env = self.env(run_id, event_name)
        self.command(phase, lambda: run_from_env(env, clock=self.clock, providers=providers,
                                                 github=_github(env), out=self.log))  # fmt: skip

    def collect(self) -> None:
        env = self.env("2001")
        self.command("collect", lambda: collect_from_env(env, clock=self.clock, out=self.log,
                                                         github=_github(env), numbers=(PR,)))  # fmt: skip

    def first(self) -> None:
        """The case's run(s) before the collect."""
        case = self.case
        if case.steps == "killed+collect":
            dying = {n: _KillWhilePolling(p) for n, p in build_providers(self.env("0")).items()}
            try:
                self.run("run", "1001", providers=dying)
            except Killed:
                self.log.write("run 1001 killed while waiting for its batch\n")
                self.codes["run"] = KILLED
        elif case.steps == "race+collect":
            racers = [
                threading.Thread(target=self.run, args=(phase, run_id))
                for phase, run_id in (("run", "1001"), ("run-2", "1002"))
            ]
            for racer in racers:
                racer.start()
            for racer in racers:
                racer.join(timeout=60)
        elif case.steps == "ci-failure":
            self.run("run", "1001", event_name="workflow_run")
        else:
            providers: dict[str, Provider] | None = None
            if case.client_timeout_s is not None:
                providers = dict(build_providers(self.env("0")))
                providers["anthropic"] = _ShortTimeout(providers["anthropic"],
                                                       case.client_timeout_s)  # fmt: skip
            self.run("run", "1001", providers=providers)


def _inject(state: GitHubState, case: Case, phase: str) -> None:
    for fault in case.github:
        if fault.phase == phase:
            state.fail(fault.operation, fault.kind, times=fault.times,
                       retry_after=fault.retry_after)  # fmt: skip


def play(case: Case, *, fail_on_error: bool, workdir: Path) -> Observed:
    """Play ``case`` end to end and read back what it left on the PR and at the providers."""
    workdir.mkdir(parents=True, exist_ok=True)
    clock = FakeClock()
    state = GitHubState(viewer=BOT)
    event = _event(case)
    _seed(state, case, event)
    (workdir / "event.json").write_text(json.dumps(event), encoding="utf-8")
    (workdir / "ci-event.json").write_text(json.dumps(_ci_event(event)), encoding="utf-8")
    github: Handler = GitHubEmulator(state)
    if case.steps == "race+collect":
        github = _Rendezvous(github)
    scenario = _CountingScenario(case)
    with Emulator(scenario=scenario, clock=clock, mounts={"/github": github}) as emu:
        game = _Play(case, fail_on_error, workdir, emu, clock)
        _inject(state, case, "run")
        game.first()
        clock.advance(case.collect_after_s)
        _inject(state, case, "collect")
        game.collect()
        batches = _provider_batches(emu)
        fetched = _fetched_batches(emu, batches)
        prompts = tuple(
            r.body.decode("utf-8", "replace") for r in emu.requests if r.path.startswith("/v1/")
        )
    unused = [f"rule {i}" for i in range(len(case.rules)) if not scenario.hits[i]]
    unused += [f"{f.operation} {f.kind}" for f in state.faults if f.times == _asked(case, f)]
    seen = _observe(case, fail_on_error, state, game, workdir)
    seen.batches = len(batches)
    seen.lost_batches = _lost(seen, batches, fetched)
    seen.unused_faults = tuple(unused)
    seen.prompts = prompts
    return seen


def _get_json(url: str, headers: Mapping[str, str]) -> Any:
    """GET a JSON answer from the emulator (plain HTTP: no SDK client to build)."""
    request = urllib.request.Request(url, headers=dict(headers))
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def _provider_batches(emu: Emulator[Any]) -> dict[str, str]:
    """Every batch the emulated providers hold: id -> provider."""
    claude = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
    listed = _get_json(f"{emu.base_url}/v1/messages/batches?limit=100", claude)
    out = {b["id"]: "anthropic" for b in listed["data"]}
    listed = _get_json(f"{emu.openai_base_url}/batches?limit=100", {"authorization": "Bearer k"})
    return out | {b["id"]: "openai" for b in listed["data"]}


def _fetched_batches(emu: Emulator[Any], batches: Mapping[str, str]) -> set[str]:
    """Batches whose results someone downloaded."""
    paths = {r.path for r in emu.requests.where("GET")}
    fetched = set()
    for batch_id, provider in batches.items():
        if provider == "anthropic":
            if f"/v1/messages/batches/{batch_id}/results" in paths:
                fetched.add(batch_id)
            continue
        batch = _get_json(
            f"{emu.openai_base_url}/batches/{batch_id}", {"authorization": "Bearer k"}
        )
        files = [f for f in (batch.get("output_file_id"), batch.get("error_file_id")) if f]
        if any(f"/v1/files/{f}/content" in paths for f in files) or not files:
            fetched.add(batch_id)  # a batch without result files has nothing to lose
    return fetched


def _summaries(state: GitHubState) -> list[Comment]:
    own = [c for c in state.comments.values() if c.author.casefold() == BOT.casefold()]
    comments = [Comment(id=c.id, author=c.author, body=c.body) for c in own]
    return [c for c in comments if find_summary([c], BOT) is not None]


def _state_of(sticky: Comment | None) -> State:
    return (decode_state(sticky.body) if sticky else None) or State()


def _observe(case: Case, fail_on_error: bool, gh: GitHubState, game: _Play,
             workdir: Path) -> Observed:  # fmt: skip
    seen = Observed(case, fail_on_error, "complete", game.codes, errors=game.errors,
                    log=game.log.getvalue(), github=gh)  # fmt: skip
    summary = workdir / "step-summary.md"
    seen.step_summary = summary.read_text("utf-8") if summary.exists() else ""
    sticky = seen.sticky()
    jobs = (_state_of(sticky).last_run or {}).get("jobs", [])
    status = {j["plan"]["job"]: j["status"] for j in jobs if j["plan"].get("run")}
    everything = "\n".join(seen.bot_texts())
    probes = case.job_probes()
    seen.published = tuple(
        job for job in status if all(p in everything for p in probes.get(job, ("\0",)))
    )
    body = sticky.body if sticky else ""
    for job, st in status.items():
        if st == "failed":
            m = re.search(rf"❌ `{re.escape(job)}` failed: (.+)", body)
            seen.failed[job] = m.group(1).strip() if m else ""
    refused = re.search(r"The review could not be posted: (.+)", body)
    for j in jobs:
        name = j["plan"]["job"]
        if refused and j["plan"].get("output") == "findings" and name not in seen.published:
            seen.unposted[name] = refused.group(1).strip()
    seen.pending = tuple(j for j, st in status.items() if st == "pending")
    seen.unreported = tuple(
        j for j, st in status.items()
        if j not in seen.published and not seen.failed.get(j) and not seen.unposted.get(j)
        and st != "pending"
    )  # fmt: skip
    seen.summary_comments = len(_summaries(gh))
    counts = Counter(fp for t in seen.bot_texts() for fp in fingerprints_in(t))
    seen.duplicate_findings = sum(n - 1 for n in counts.values() if n > 1)
    ledger = workdir / "ledger.jsonl"
    if sticky is None:
        # Job records: something was spent on models. A run record only holds runner minutes.
        spent = ledger.exists() and any(True for _ in read_ledger(ledger))
        seen.end_state = "unpublished" if spent else "aborted"
    elif seen.pending:
        seen.end_state = "pending"
    elif seen.failed or seen.unposted:
        seen.end_state = "degraded"
    return seen


def _lost(seen: Observed, batches: Mapping[str, str], fetched: set[str]) -> tuple[str, ...]:
    """Batches whose results nobody fetched and no state remembers."""
    recorded = {str(p.get("batch_id")) for p in _state_of(seen.sticky()).pending}
    return tuple(sorted(b for b in batches if b not in fetched and b not in recorded))


def _asked(case: Case, fault: Fault) -> int:
    """How many times the case asked ``fault`` to fire."""
    return next(
        f.times for f in case.github if (f.operation, f.kind) == (fault.operation, fault.kind)
    )


def problems(seen: Observed) -> list[str]:
    """Every promise the case broke (empty when the run behaved)."""
    case = seen.case
    out: list[str] = []
    if seen.unused_faults:
        out.append(f"the fault never hit: {', '.join(seen.unused_faults)}")
    if "Traceback" in seen.log:
        out.append("a traceback in the output")
    if seen.end_state != case.expect:
        out.append(f"end state {seen.end_state!r}, expected {case.expect!r}")
    if set(seen.failed) != set(case.failed):
        out.append(f"failed jobs {sorted(seen.failed)}, expected {sorted(case.failed)}")
    if set(seen.unposted) != set(case.unposted):
        out.append(f"unposted jobs {sorted(seen.unposted)}, expected {sorted(case.unposted)}")
    out += [f"{job} failed without a reason" for job, reason in seen.failed.items() if not reason]
    out += _false_claims(seen)
    if seen.unreported:
        out.append(f"neither published nor reported failed: {', '.join(seen.unreported)}")
    if seen.pending and case.expect != "pending":
        out.append(f"still pending after collect: {', '.join(seen.pending)}")
    if seen.summary_comments > 1:
        out.append(f"{seen.summary_comments} summary comments")
    if seen.duplicate_findings:
        out.append(f"{seen.duplicate_findings} finding(s) posted twice")
    if seen.lost_batches:
        out.append(f"batch results never fetched nor recorded: {', '.join(seen.lost_batches)}")
    said = "::warning::" in seen.log or "::error::" in seen.log or bool(seen.errors)
    if seen.end_state in ("unpublished", "aborted") and not said:
        out.append("the run published nothing and said nothing about it")
    out += _exit_code_problems(seen)
    return out


def _false_claims(seen: Observed) -> list[str]:
    """The summary must not say a job's findings are on the PR when they are not."""
    sticky = seen.sticky()
    body = sticky.body if sticky else ""
    return [
        f"the summary says {job}'s findings were posted, but they are not on the PR"
        for job in seen.unposted
        if re.search(rf"`{re.escape(job)}`: findings \d+ (inline|in the review body)", body)
    ]


def _exit_code_problems(seen: Observed) -> list[str]:
    """fail-on-error false: an outage never fails CI. True: the phase that failed exits 1."""
    out = []
    for phase, code in seen.exit_codes.items():
        if code == KILLED:
            continue  # the runner's doing, not ours
        failing = bool(seen.case.fails) and phase.startswith(seen.case.fails)
        wanted = 1 if seen.fail_on_error and failing else 0
        if code != wanted:
            out.append(
                f"{phase} exited {code} with fail-on-error {str(seen.fail_on_error).lower()}"
            )
    return out
