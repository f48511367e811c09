"""Run one PR through the whole pipeline against the emulator, as ``pr-router demo`` does.

The GitHub emulation is seeded with the diff as an opened PR (and the setup's policy on the
base branch); the providers answer with ``_canned`` outputs; the clock is a ``FakeClock``.
``run_from_env`` (the ``pr-router run`` entry point: read, plan, budget, execute, publish,
write the ledger) is followed an hour later (simulated) by ``collect_from_env``, which
finishes the batches: the two steps of ``pr-router demo``. The figures are the records of
the ledger file those two commands wrote, deduplicated as ``pr-router report`` does.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tempfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from _canned import CallLog, Lengths, scenario_for
from _setups import POLICY_PATH, Setup
from pr_router.changes import analyze
from pr_router.emulator import Emulator, FakeClock
from pr_router.emulator.github import GitHubEmulator
from pr_router.github.emulated import GitHubState
from pr_router.ledger import LedgerRecord, read_ledger
from pr_router.pipeline.entry import collect_from_env, run_from_env
from pr_router.pipeline.settings import Settings
from pr_router.plan import Plan
from pr_router.report import dedupe

__all__ = ["Case", "CaseRun", "pr_event", "run_case", "seed_github"]

BOT = "pr-router[bot]"
REPO = "bench/corpus"
COLLECT_AFTER_S = 3600.0  # simulated time between the run and the scheduled collect


@dataclass(frozen=True, slots=True)
class Case:
    """One PR: the diff and what the event says about it."""

    name: str
    number: int
    diff: bytes
    title: str
    head_sha: str = ""
    base_sha: str = ""

    def shas(self) -> tuple[str, str]:
        """Head and base shas (made up from the name when the manifest has none)."""
        made = hashlib.sha1(self.name.encode()).hexdigest()
        return self.head_sha or made, self.base_sha or made[::-1]


@dataclass(frozen=True, slots=True)
class CaseRun:
    """What one PR cost under one setup: its ledger records and the PR's signals."""

    case: str
    setup: str
    changed_lines: int
    files: int
    code_changed: bool
    docs_only: bool
    records: tuple[str, ...]  # ledger records (JSON), deduplicated, pending ones left out
    instructions: dict[str, int] = field(default_factory=dict)  # job -> instruction tokens
    estimate_usd: str = "0"
    estimate_all_frontier_usd: str = "0"
    pending_left: int = 0
    warnings: tuple[str, ...] = ()  # what the pipeline logged at warning level and above
    error: str | None = None
    diff_rebuilt: bool = False  # GitHub refused the diff (too large): rebuilt from its files

    def ledger(self) -> list[LedgerRecord]:
        """The records as ``LedgerRecord`` objects."""
        return [LedgerRecord.model_validate_json(r) for r in self.records]

    def cost(self) -> Decimal:
        """What this PR cost under this setup."""
        return sum((r.cost_usd for r in self.ledger()), Decimal(0))


def _demo(name: str) -> bytes:
    return resources.files("pr_router.data.demo").joinpath(name).read_bytes()


def pr_event(case: Case, *, private: bool | None = None) -> dict[str, Any]:
    """The ``pull_request`` ``opened`` payload of ``case`` (the demo's, re-pointed).

    ``private`` sets ``repository.private`` (None: left out, as in the demo's payload).
    """
    event: dict[str, Any] = json.loads(_demo("event.json"))
    head, base = case.shas()
    pull = event["pull_request"]
    pull.update(number=case.number, title=case.title,
                body=f"{case.title}\n\nCommit {head[:12]} from the benchmark corpus ({case.name}).")  # fmt: skip
    pull["head"]["sha"], pull["base"]["sha"] = head, base
    for side in ("head", "base"):
        pull[side]["repo"]["full_name"] = REPO
    event.update(number=case.number, action="opened")
    event["repository"]["full_name"] = REPO
    if private is not None:
        event["repository"]["private"] = private
        for side in ("head", "base"):
            pull[side]["repo"]["private"] = private
    return event


def _env(emu: Emulator[Any], folder: Path, case: Case, setup: Setup) -> dict[str, str]:
    return {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(folder / "event.json"),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_TOKEN": "bench-token",
        "GITHUB_API_URL": f"{emu.base_url}/github",
        "GITHUB_RUN_ID": f"{setup.name}-{case.number}",
        "ANTHROPIC_API_KEY": "bench-key",
        "ANTHROPIC_BASE_URL": emu.base_url,
        "OPENAI_API_KEY": "bench-key",
        "OPENAI_BASE_URL": emu.openai_base_url,
        "PR_ROUTER_POLICY": POLICY_PATH,
        "PR_ROUTER_LEDGER": str(folder / "ledger.jsonl"),
    }


def seed_github(setup: Setup, case: Case, event: dict[str, Any]) -> GitHubState:
    """GitHub with the PR, a CHANGELOG.md and the setup's policy on the base branch."""
    state = GitHubState(viewer=BOT)
    head, base = case.shas()
    state.seed_pull(event, case.diff, commits=[(head, case.title)])
    state.add_file("CHANGELOG.md", _demo("files/CHANGELOG.md"), ref=base)
    if setup.policy_text is not None:
        state.add_file(POLICY_PATH, setup.policy_text.encode(), ref=base)
    return state


def _pipeline(setup: Setup, case: Case, log: CallLog, lengths: dict[str, int]) -> tuple[list[LedgerRecord], Plan | None, bool]:  # fmt: skip
    """``pr-router run`` on the opened PR, then ``pr-router collect`` an hour later; and
    whether GitHub refused the diff as too large (the run rebuilt it from the files list)."""
    # A private repository: runner minutes are billed, so the router weighs them.
    event = pr_event(case, private=True)
    clock = FakeClock()
    github = seed_github(setup, case, event)
    with (
        tempfile.TemporaryDirectory() as tmp,
        Emulator(scenario=scenario_for(lengths, log), clock=clock,
                 mounts={"/github": GitHubEmulator(github)}) as emu,
    ):  # fmt: skip
        folder = Path(tmp)
        (folder / "event.json").write_text(json.dumps(event), encoding="utf-8")
        env = _env(emu, folder, case, setup)
        settings = Settings.from_env(env)
        first = run_from_env(env, settings=settings, clock=clock, out=io.StringIO())
        clock.advance(COLLECT_AFTER_S)
        collect_from_env(env, settings=settings, clock=clock, out=io.StringIO(),
                         numbers=(case.number,))  # fmt: skip
        ledger = folder / "ledger.jsonl"
        records = list(read_ledger(ledger)) if ledger.exists() else []
    plan = first.summaries[0].plan if first.summaries else None
    rebuilt = any(c.status == 406 for c in github.calls_to("pulls/get"))
    return dedupe(records), plan, rebuilt


def run_case(setup: Setup, case: Case, lengths: Lengths | None = None) -> CaseRun:
    """Run ``case`` under ``setup`` and return its ledger records."""
    signals = analyze(case.diff).signals
    changed = signals.lines_added + signals.lines_removed
    base = CaseRun(case.name, setup.name, changed, signals.files_changed, signals.code_changed,
                   signals.docs_only, ())  # fmt: skip
    log = CallLog()
    lengths_by_job = (lengths or Lengths()).for_pr(changed, signals.code_changed)
    caught = _Caught()
    logger = logging.getLogger("pr_router")
    logger.addHandler(caught)
    logger.propagate = False
    try:
        records, plan, rebuilt = _pipeline(setup, case, log, lengths_by_job)
    except Exception as exc:  # a benchmark reports a broken case instead of dying on it
        return replace(base, error=f"{type(exc).__name__}: {exc}")
    finally:
        logger.removeHandler(caught)
        logger.propagate = True
    kept = [r for r in records if r.status != "pending"]
    settled = {r.job for r in kept}
    return replace(
        base,
        records=tuple(r.model_dump_json() for r in kept),
        instructions=dict(log.instructions),
        estimate_usd=str(plan.total_usd if plan else 0),
        estimate_all_frontier_usd=str(plan.all_frontier_usd if plan else 0),
        pending_left=len({r.job for r in records if r.status == "pending"} - settled),
        warnings=tuple(caught.messages),
        error=None if plan else "the run produced no summary",
        diff_rebuilt=rebuilt,
    )


class _Caught(logging.Handler):
    """Keeps the pipeline's warnings with the case instead of printing them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
