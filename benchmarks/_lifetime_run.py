"""Run one PR history through the whole pipeline against the emulator, push by push.

One emulated GitHub per history and setup, kept across pushes: the first push is a
``pull_request`` ``opened`` event, every later one a ``synchronize`` after the head moved
(``GitHubState.push``: the PR diff at the new head, the base branch tip the push stands
on). Between pushes the simulated clock advances by the real time between the two commits
(at least a minute, at most three days); when that is over an hour, the scheduled
``collect`` runs an hour after the earlier push, as the shipped collect workflow does.
After the last push, ``collect`` runs an hour later. Every command is the real entry point
(``run_from_env`` / ``collect_from_env``); the figures are the ledger's records,
deduplicated as ``pr-router report`` does.

Canned answers (``_canned``) are sized on what each prompt shows: a findings answer on the
added and removed lines in its prompt (``LENGTHS``), so an incremental review of a small
push answers briefly and a whole-PR re-review answers at the PR's size.
"""

from __future__ import annotations

import io
import json
import logging
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _canned import CallLog, Lengths, scenario_for, seen_lines
from _emulated import COLLECT_AFTER_S, Case, _env, pr_event
from _histories import History, Push
from _setups import POLICY_PATH, Setup
from pr_router.changes import analyze
from pr_router.emulator import Call, Emulator, FakeClock
from pr_router.emulator.github import GitHubEmulator
from pr_router.github.emulated import GitHubState
from pr_router.github.publish import fingerprints_in
from pr_router.github.state import SUMMARY_MARKER
from pr_router.ledger import LedgerRecord, read_entries, read_ledger
from pr_router.pipeline.entry import collect_from_env, run_from_env
from pr_router.pipeline.settings import Settings
from pr_router.policy.loader import check_policy_text, load_policy
from pr_router.report import dedupe

__all__ = ["BOT", "HistoryRun", "PushRun", "run_history"]

BOT = "pr-router[bot]"
NUMBER = 7
MIN_GAP_S = 60.0
MAX_GAP_S = 3 * 86_400.0
# The cost benchmark's answer lengths, with the size law continued below 10 lines instead of
# clamped there: (lines / 200) ** 0.2 is 0.35 at one line. A push of a few lines gets a
# review of a few hundred tokens, not the 0.6x floor sized for whole PRs.
LENGTHS = Lengths(min_factor=0.35)
_CHANGELOG = b"# Changelog\n\n## Unreleased\n\n- Earlier entry.\n"


@dataclass(frozen=True, slots=True)
class PushRun:
    """One ``run`` of a history: its run id, what it looked at, its runner time."""

    index: int
    run_id: str
    code_changed: bool  # the whole PR at this push changes code
    seconds: float  # time the run spent in the executor (the services' clock)
    looked_at: str
    repeats: int = 0  # findings the run found again and did not post again
    error: str | None = None


@dataclass(frozen=True, slots=True)
class HistoryRun:
    """A whole history under one setup: its runs, collects, ledger and what was posted."""

    history: str
    setup: str
    pushes: tuple[PushRun, ...]
    records: tuple[str, ...]  # ledger records (JSON), deduplicated, pending ones left out
    batch_wait_s: float = 0.0  # the setup's batch.wait_seconds (0: batches disabled)
    collected_later: int = 0  # batches the scheduled collects finished
    instructions: dict[str, int] = field(default_factory=dict)
    reposted: int = 0  # findings posted twice on the PR (or, without dedup, found again)
    pending_left: int = 0
    error: str | None = None
    # pushes whose run left a ledger entry (a job record, or a run record when no job ran):
    # the runs whose runner minutes ``pr-router report`` counts
    runs_in_ledger: int = 0

    def ledger(self) -> list[LedgerRecord]:
        """The records as ``LedgerRecord`` objects."""
        return [LedgerRecord.model_validate_json(r) for r in self.records]


def _gap(before: Push, after: Push) -> float:
    seconds = (after.time - before.time).total_seconds()
    return min(max(seconds, MIN_GAP_S), MAX_GAP_S)


def _event(h: History, i: int, private: bool) -> dict[str, Any]:
    push = h.pushes[i]
    case = Case(h.name, NUMBER, push.diff, h.title, push.head, push.base)
    event = pr_event(case, private=private)
    event["action"] = "opened" if i == 0 else "synchronize"
    if i:
        event["before"], event["after"] = h.pushes[i - 1].head, push.head
    return event


def _files_at(state: GitHubState, setup: Setup, ref: str) -> None:
    state.add_file("CHANGELOG.md", _CHANGELOG, ref=ref)
    if setup.policy_text is not None:
        state.add_file(POLICY_PATH, setup.policy_text.encode(), ref=ref)


def _reposted(state: GitHubState) -> int:
    """Findings whose marker was posted in more than one review comment (or review body)."""
    inline = Counter(fp for c in state.review_comments.values() if c.author == BOT
                     for fp in fingerprints_in(c.body))  # fmt: skip
    bodies = [r.body for r in state.reviews.values() if r.author == BOT]
    bodies += [c.body for c in state.comments.values()
               if c.author == BOT and not c.body.lstrip().startswith(SUMMARY_MARKER)]  # fmt: skip
    listed = Counter(fp for b in bodies for fp in fingerprints_in(b))
    return sum(n - 1 for n in (*inline.values(), *listed.values()) if n > 1)


class _Sizes:
    """Answer lengths by call: findings sized on the lines the prompt shows."""

    def __init__(self) -> None:
        self.code_changed = True

    def __call__(self, call: Call) -> Mapping[str, int]:
        return LENGTHS.for_pr(max(seen_lines(call), 1), self.code_changed)


@dataclass
class _World:
    setup: Setup
    history: History
    folder: Path
    clock: FakeClock
    state: GitHubState
    emu: Emulator[Any]
    private: bool = True

    def env(self, i: int) -> dict[str, str]:
        case = Case(self.history.name, NUMBER, b"", self.history.title)
        env = _env(self.emu, self.folder, case, self.setup)
        env["GITHUB_RUN_ID"] = f"{self.setup.name}-{self.history.number}-{i + 1}"
        return env

    def collect(self) -> None:
        env = self.env(len(self.history.pushes))
        collect_from_env(env, settings=Settings.from_env(env), clock=self.clock,
                         out=io.StringIO(), numbers=(NUMBER,), wall_clock=self.now)  # fmt: skip

    def now(self) -> datetime:
        """The simulated wall clock: the corpus's commit times drive the gaps between runs."""
        return datetime.fromtimestamp(self.clock.time(), UTC)

    def push(self, i: int, sizes: _Sizes) -> PushRun:
        h, push = self.history, self.history.pushes[i]
        event = _event(h, i, self.private)
        if i == 0:
            self.state.seed_pull(event, push.diff, commits=[(push.head, push.message)])
        else:
            gap = _gap(h.pushes[i - 1], push)
            if gap > COLLECT_AFTER_S:
                self.clock.advance(COLLECT_AFTER_S)
                self.collect()
                gap -= COLLECT_AFTER_S
            self.clock.advance(gap)
            self.state.push(NUMBER, push.head, push.diff, push.message, base_sha=push.base)
        _files_at(self.state, self.setup, push.base)
        (self.folder / "event.json").write_text(json.dumps(event), encoding="utf-8")
        env = self.env(i)
        code = analyze(push.diff).signals.code_changed
        sizes.code_changed = code
        out = run_from_env(env, settings=Settings.from_env(env), clock=self.clock,
                           out=io.StringIO(), wall_clock=self.now)  # fmt: skip
        summary = out.summaries[0] if out.summaries else None
        return PushRun(i + 1, env["GITHUB_RUN_ID"], code,
                       summary.wait_seconds if summary else 0.0,
                       summary.looked_at if summary else "",
                       sum(j.findings_duplicate for j in summary.jobs) if summary else 0,
                       None if summary else out.message or "no summary")  # fmt: skip


def _wait_budget(setup: Setup) -> float:
    """How long a run of ``setup`` waits for its batches (0 when batches are off)."""
    if setup.policy_text is None:
        policy = load_policy(None).policy
    else:
        loaded = check_policy_text(setup.policy_text, source=setup.name).loaded
        assert loaded is not None, f"the {setup.name} policy does not load"
        policy = loaded.policy
    return float(policy.batch.wait_seconds) if policy.batch.enabled else 0.0


def _settled(records: Iterable[LedgerRecord]) -> tuple[list[LedgerRecord], int]:
    kept = [r for r in records if r.status != "pending"]
    done = {(r.run_id, r.job) for r in kept}
    left = {(r.run_id, r.job) for r in records if r.status == "pending"} - done
    return kept, len(left)


def run_history(setup: Setup, history: History, private: bool = True) -> HistoryRun:
    """Every push of ``history`` under ``setup``, then the last collect.

    ``private``: the PR is on a private repository (the benchmark's case, as in the cost
    benchmark): runner minutes are billed, so the router weighs them when it chooses batch
    or sync, and ``tco_private_usd`` prices the runs that decision made.
    """
    log, sizes, clock = CallLog(), _Sizes(), FakeClock()
    state = GitHubState(viewer=BOT)
    logger = logging.getLogger("pr_router")
    level, logger.level = logger.level, logging.CRITICAL  # the runs' own lines are noise here
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            Emulator(scenario=scenario_for(sizes, log), clock=clock,
                     mounts={"/github": GitHubEmulator(state)}) as emu,
        ):  # fmt: skip
            world = _World(setup, history, Path(tmp), clock, state, emu, private)
            pushes = tuple(world.push(i, sizes) for i in range(len(history.pushes)))
            clock.advance(COLLECT_AFTER_S)
            world.collect()
            ledger = Path(tmp) / "ledger.jsonl"
            records = dedupe(read_ledger(ledger)) if ledger.exists() else []
            entries = {e.run_id for e in read_entries(ledger)} if ledger.exists() else set()
    except Exception as exc:  # a benchmark reports a broken history instead of dying on it
        return HistoryRun(history.name, setup.name, (), (), error=f"{type(exc).__name__}: {exc}")
    finally:
        logger.level = level
    kept, left = _settled(records)
    collects = f"{setup.name}-{history.number}-{len(history.pushes) + 1}-"
    later = len({r.batch_id for r in kept if r.run_id.startswith(collects)})
    # A setup without dedup stands for tools that post a finding again on every push that
    # finds it again: each repeat our publisher held back is one they would have posted.
    repeats = 0 if setup.dedup else sum(p.repeats for p in pushes)
    run = HistoryRun(history.name, setup.name, pushes, tuple(r.model_dump_json() for r in kept),
                     _wait_budget(setup), later, dict(log.instructions),
                     _reposted(state) + repeats, pending_left=left,
                     runs_in_ledger=sum(any(r.startswith(f"{p.run_id}-") for r in entries)
                                        for p in pushes))  # fmt: skip
    errors = [f"push {p.index}: {p.error}" for p in pushes if p.error]
    return replace(run, error="; ".join(errors) or None)
