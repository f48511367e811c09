"""benchmarks/lifetime.py on real PR histories: every push through ``run`` against the
emulator, then ``collect``; what each push looked at, what ran, what was posted."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

from _emulated import CaseRun
from _floor import floor_of
from _histories import find
from _lifetime_run import HistoryRun, run_history
from _lifetime_stats import RunnerModel, figures, floor_figures
from _setups import lifetime_setups
from pr_router.changes import analyze
from pr_router.changes.interdiff import interdiff
from pr_router.estimate import invariant_prefix_tokens
from pr_router.jobs.outputs import FindingsOutput, strict_schema
from pr_router.jobs.prompts import SYSTEM_PREAMBLE
from pr_router.ledger import LedgerRecord
from pr_router.pricing import MTOK
from pr_router.tokens import estimate_tokens

from .conftest import run_json

SETUPS = {s.name: s for s in lifetime_setups()}


def _run(repo: str, number: int, setup: str = "default", *, private: bool = True) -> HistoryRun:
    run = run_history(SETUPS[setup], find(repo, number), private)
    assert run.error is None, run.error
    return run


def _of(run: HistoryRun, push: int) -> list[LedgerRecord]:
    """The records written by the ``run`` of push ``push`` (1-based)."""
    run_id = run.pushes[push - 1].run_id
    return [r for r in run.ledger() if r.run_id.startswith(f"{run_id}-")]


def test_a_base_merged_into_the_pr_is_not_reviewed_again() -> None:
    history = find("pytest-dev/pytest", 14702)
    assert "base-merge" in history.kinds
    assert history.pushes[2].merges_base  # push 3 merges main into the PR
    run = _run("pytest-dev/pytest", 14702)
    assert [p.looked_at for p in run.pushes] == [
        "whole PR", f"changes since {find('pytest-dev/pytest', 14702).pushes[0].head[:7]}",
        "nothing new",
    ]  # fmt: skip
    assert not [r for r in _of(run, 3) if r.job_class == "critical"]
    assert run.reposted == 0


def test_a_rebase_and_force_push_is_not_reviewed_again() -> None:
    history = find("pallets/click", 997)
    assert "rebased" in history.kinds
    before, forced = history.pushes[-2], history.pushes[-1]
    assert forced.base != before.base  # the force-push stands on a newer base
    assert forced.head != before.head
    run = _run("pallets/click", 997)
    assert run.pushes[-1].looked_at == "nothing new"
    assert not _of(run, len(run.pushes))
    # peer-rerun re-reviews the whole PR after the rebase, as the tools it stands for do.
    peer = _run("pallets/click", 997, "peer-rerun")
    assert peer.pushes[-1].looked_at == "whole PR (policy)"
    assert {r.job for r in _of(peer, len(peer.pushes))} >= {"review", "security"}


def test_a_push_that_only_reverts_runs_nothing_and_reposts_nothing() -> None:
    history = find("pypa/pip", 13974)
    assert interdiff(history.pushes[0].diff, history.pushes[1].diff).empty  # only reverts
    run = _run("pypa/pip", 13974)
    assert run.pushes[1].looked_at == "nothing new"
    assert not [r for r in _of(run, 2) if r.job_class == "critical"]
    assert run.reposted == 0


def test_a_push_that_only_touches_docs_gets_a_frontier_review_and_no_scan() -> None:
    history = find("scrapy/scrapy", 6527)
    pushed = interdiff(history.pushes[0].diff, history.pushes[1].diff).diff
    assert analyze(pushed).signals.docs_only  # push 2 changes docs only
    run = _run("scrapy/scrapy", 6527)
    second = {r.job: r for r in _of(run, 2)}
    assert run.pushes[1].looked_at.startswith("changes since")
    assert second["review"].tier == "frontier"
    assert "security" not in second


def test_a_push_while_the_previous_runs_batches_are_pending() -> None:
    # pypa/pip#14012: the second push comes 5 minutes after the first, while the first
    # run's describe batch is still running: it is not submitted again, and a later run or
    # the scheduled collect posts it when it ends. On a public repository (runner minutes
    # free) the router batches the description; on a private one it weighs them.
    run = _run("pypa/pip", 14012, private=False)
    jobs = Counter(r.job for r in run.ledger())
    assert jobs["describe"] == 1
    assert run.pending_left == 0
    described = next(r for r in run.ledger() if r.job == "describe")
    assert described.mode == "batch"
    assert described.status == "ok"
    assert described.custom_id == f"r{run.pushes[0].run_id}-1-describe"  # run 1's request
    assert not described.run_id.startswith(f"{run.pushes[0].run_id}-")  # finished later


def test_the_next_push_reads_the_prefix_the_last_run_cached() -> None:
    # pypa/pip#14159: push 2 comes a minute after push 1, push 3 three days later. The
    # schema and system text (the prefix that stays the same) written by push 1 are read by
    # push 2; push 3 finds the entry expired and writes it again.
    run = _run("pypa/pip", 14159)
    # The emulator counts the schema as the API receives it (JSON with spaces); the router's
    # estimate of the same prefix counts it compact, a few percent less.
    schema = json.dumps(strict_schema(FindingsOutput), sort_keys=True)
    prefix = estimate_tokens(schema) + estimate_tokens(SYSTEM_PREAMBLE)
    assert 0.9 < invariant_prefix_tokens("findings") / prefix <= 1.0
    (first,) = [r for r in _of(run, 1) if r.job == "review"]
    (second,) = [r for r in _of(run, 2) if r.job == "review"]
    (third,) = [r for r in _of(run, 3) if r.job == "review"]
    assert first.usage.cache_read == 0
    assert first.usage.cache_write_5m > prefix
    assert second.usage.cache_read == prefix
    assert third.usage.cache_read == 0
    assert third.usage.cache_write_5m > prefix


def test_the_attainable_bound_lies_between_the_floor_and_default() -> None:
    # pypa/pip#14159 again: push 2 read the invariant prefix from push 1's cache, push 3 did
    # not. The bound charges every later push only for what is new in it.
    runner = RunnerModel()
    run = _run("pypa/pip", 14159)
    default = figures("default", [run], runner)
    floor = floor_figures([run], runner)
    best = floor.attainable[run.history]
    assert floor.tokens_usd < best < default.tokens_usd
    doc = default.to_json(runner, None, floor)
    assert doc["tco_public_x_attainable"] == round(float(default.tokens_usd / best), 4) > 1.0
    assert floor.to_json(runner, None, floor)["tokens_usd_attainable"] == round(float(best), 6)
    # Push 3 wrote the invariant prefix again; in the bound it reads it, as push 2 did.
    (review,) = [r for r in _of(run, 3) if r.job == "review"]
    raws = tuple(r.model_dump_json() for r in _of(run, 3))
    case = CaseRun("pip 3", "default", 0, 0, True, False, raws, run.instructions)
    (second,) = [r for r in _of(run, 2) if r.job == "review"]
    prefix = second.usage.cache_read
    assert prefix > 0
    cold = sum(f.attainable for f in floor_of(case))
    warm = sum(f.attainable for f in floor_of(case, carried=prefix))
    assert review.rates is not None
    rates = review.rates
    assert cold - warm == Decimal(prefix) * (rates.cache_write_5m - rates.cache_read) / MTOK


def test_peer_rerun_counts_the_findings_a_tool_without_dedup_posts_again() -> None:
    peer = _run("pytest-dev/pytest", 14702, "peer-rerun")
    again = sum(p.repeats for p in peer.pushes)
    assert again > 0
    assert peer.reposted == again  # every whole-PR re-review finds the same findings again
    assert _run("pytest-dev/pytest", 14702).reposted == 0


def test_peer_rerun_costs_more_over_a_lifetime_than_default() -> None:
    runner = RunnerModel()
    default = figures("default", [_run("pytest-dev/pytest", 14702)], runner)
    peer = figures("peer-rerun", [_run("pytest-dev/pytest", 14702, "peer-rerun")], runner)
    assert peer.tokens_usd > default.tokens_usd > Decimal(0)
    assert peer.runs == default.runs == 3
    assert default.critical_frontier == default.critical > 0


def test_lifetime_json_has_the_contract_keys() -> None:
    doc = run_json("lifetime.py", "--limit", "2", "--workers", "1")
    assert list(doc) == ["peer-rerun", "single-frontier", "default", "frugal", "strict", "floor"]
    for fig in doc.values():
        assert {"tokens_usd", "runner_minutes", "tco_private_usd", "tco_public_usd",
                "median_pr_usd", "p90_pr_usd", "runs", "critical_frontier_share",
                "reposted_findings"} <= set(fig)  # fmt: skip
        assert fig["corpus"] == "benchmarks/lifetime_corpus"
        assert fig["errors"] == []
    assert doc["default"]["reposted_findings"] == 0


def test_a_description_refreshed_on_a_later_push_is_accepted_on_the_efficient_tier() -> None:
    # pallets/click#938 grows over five pushes: the description is refreshed on a later push
    # from the whole PR, and the walkthrough of the whole PR's files is accepted at once.
    run = _run("pallets/click", 938)
    described = [r for r in run.ledger() if r.job == "describe"]
    assert len(described) >= 2
    assert {(r.tier, r.attempt, r.status) for r in described} == {("efficient", 1, "ok")}


def test_a_push_with_nothing_new_is_a_run_the_ledger_counts() -> None:
    # pypa/pip#13974: the second push changes nothing the PR's diff shows. No job runs, yet
    # the run took its runner minutes: the benchmark counts it, and so does the ledger (a
    # run record), so ``pr-router report`` counts the same runs as the benchmark.
    run = _run("pypa/pip", 13974)
    assert [p.looked_at for p in run.pushes] == ["whole PR", "nothing new"]
    assert len({r.run_id for r in run.ledger()}) == 1  # job records: the first run's only
    assert run.runs_in_ledger == len(run.pushes) == 2
    fig = figures("default", [run], RunnerModel())
    assert fig.runs == fig.runs_in_ledger == 2
