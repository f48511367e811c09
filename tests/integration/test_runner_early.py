"""Runs that end before any model job still bill runner minutes: the ledger, ``report``
and the summary comment count them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pr_router.cli import main
from pr_router.emulator import Scenario
from pr_router.ledger import LedgerRun, read_entries
from pr_router.pricing import format_usd

from .harness import Result, World, canned_rules, diff, make_world, webhook

OLD = "1" * 40
NEW = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"  # the synchronize payload's head


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from make_world(tmp_path, Scenario(canned_rules(), batch_duration_s=0.0))


def _private(event: dict[str, Any]) -> dict[str, Any]:
    event["repository"]["private"] = True
    for side in ("head", "base"):
        event["pull_request"][side]["repo"]["private"] = True
    return event


def _report(capsys: pytest.CaptureFixture[str], *ledgers: Path) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["report", *map(str, ledgers), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _run(world: World, event: dict[str, Any]) -> Result:
    # The action's first step ran 100 s before pr-router started: 2 billed minutes ($0.012).
    started = str(int(time.time()) - 100)
    result = world.run(world.env("pull_request", event, PR_ROUTER_STARTED_AT=started))
    assert result.outcome.exit_code == 0
    return result


def _opened(world: World) -> Result:
    """The PR opened at ``OLD`` on a private repository, and its first (full) run."""
    opened = _private(webhook("pull_request.opened.payload.json"))
    opened["pull_request"]["head"]["sha"] = OLD
    world.seed(opened, diff("httpx__d25f2bfeff35.diff"))
    return _run(world, opened)


def test_a_push_that_only_merges_the_base_counts_its_runner_minutes_everywhere(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _opened(world)
    # The author merges the base branch in: the head moves, the PR's own changes do not.
    base = "b" * 40
    world.state.push(2, NEW, diff("httpx__d25f2bfeff35.diff"), "Merge branch 'master' into "
                     "feature", base_sha=base)  # fmt: skip
    sync = _private(webhook("pull_request.synchronize.payload.json"))
    sync["pull_request"]["base"]["sha"] = base
    second = _run(world, sync)

    # No job ran, so no job record: one run record carries the run's runner minutes.
    assert second.ledger == []
    (run,) = list(read_entries(Path(second.env["PR_ROUTER_LEDGER"])))
    assert isinstance(run, LedgerRun)
    assert (run.kind, run.pr, run.head_sha, run.ended) == (
        "run",
        2,
        NEW,
        "no job ran (nothing new)",
    )
    assert (run.runner.minutes, run.runner.usd, run.runner.basis) == (
        2,
        Decimal("0.012"),
        "private",
    )
    assert (second.outputs["runner-minutes"], second.outputs["total-usd"]) == ("2", "0.012000")

    tokens = sum((r.cost_usd for r in first.ledger), Decimal(0))
    assert tokens > 0
    # The summary comment: two runs, each with its 2 minutes, in the PR total and run by run.
    _, body, state = world.summary(2)
    assert (state.runs, state.runner_minutes, state.runner_usd) == (2, 4, Decimal("0.024"))
    total = format_usd(tokens + Decimal("0.024"))
    assert f"PR total: **{total}** over 2 runs" in body
    table = body[body.index("PR lifetime, run by run") :]
    assert f"| **2** (this run) | `{NEW[:7]}` | nothing new | $0.012 |" in table

    # ``report`` on both runs' ledgers counts the same runs and minutes as the summary.
    report = _report(
        capsys, Path(first.env["PR_ROUTER_LEDGER"]), Path(second.env["PR_ROUTER_LEDGER"])
    )
    runner = report["runner"]
    assert (runner["runs"], runner["minutes"], runner["unmeasured_runs"]) == (2, 4, 0)
    assert Decimal(runner["usd"]) == state.runner_usd
    assert Decimal(report["total_with_runner_usd"]) == tokens + state.runner_usd
    assert report["records"] == len(first.ledger)  # job records: the run record is none


def test_a_skipped_draft_run_is_in_the_ledger_and_the_report(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    event = _private(webhook("pull_request.opened.payload.json"))
    event["pull_request"]["draft"] = True
    world.seed(event, diff("httpx__d25f2bfeff35.diff"))
    result = _run(world, event)

    (run,) = list(read_entries(Path(result.env["PR_ROUTER_LEDGER"])))
    assert isinstance(run, LedgerRun)
    assert run.ended.startswith("skipped: draft pull request")
    assert (run.runner.minutes, run.runner.usd) == (2, Decimal("0.012"))
    report = _report(capsys, Path(result.env["PR_ROUTER_LEDGER"]))
    assert (report["runner"]["runs"], report["runner"]["minutes"]) == (1, 2)
    assert Decimal(report["total_with_runner_usd"]) == Decimal("0.012")
    assert report["records"] == 0


def test_a_skipped_run_on_a_pr_with_a_summary_joins_its_total_and_lifetime(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _opened(world)
    tokens = sum((r.cost_usd for r in first.ledger), Decimal(0))
    # The author turns the PR into a draft and pushes: the run is skipped, and bills 2 min.
    world.state.pulls[2].draft = True
    world.state.push(2, NEW, diff("httpx__d25f2bfeff35.diff"), "WIP")
    sync = _private(webhook("pull_request.synchronize.payload.json"))
    sync["pull_request"]["draft"] = True
    skipped = _run(world, sync)
    assert "skipped: draft pull request" in skipped.log

    _, body, state = world.summary(2)
    assert (state.runs, state.runner_minutes, state.runner_usd) == (2, 4, Decimal("0.024"))
    assert state.last_reviewed_sha == OLD  # nothing was reviewed at the new head
    assert state.cost_usd == tokens
    total = format_usd(tokens + Decimal("0.024"))
    assert f"PR total {total} over 2 runs" in body.split("\n", 2)[1]
    assert f"PR total: **{total}** over 2 runs" in body
    table = body[body.index("PR lifetime, run by run") :]
    assert f"| **1** (this run) | `{OLD[:7]}` | whole PR |" in table
    assert f"| 2 | `{NEW[:7]}` | skipped: draft pull request | $0.012 |" in table

    # The next full run counts the skipped one among the earlier runs.
    world.state.pulls[2].draft = False
    ready = _private(webhook("pull_request.ready_for_review.payload.json"))
    ready["pull_request"]["head"]["sha"] = NEW
    third = _run(world, ready)
    _, body, state = world.summary(2)
    assert (state.runs, state.runner_minutes, state.runner_usd) == (3, 6, Decimal("0.036"))
    table = body[body.index("PR lifetime, run by run") :]
    assert f"| 2 | `{NEW[:7]}` | skipped: draft pull request | $0.012 |" in table
    assert "| **3** (this run) |" in table

    # ``report`` on the three ledgers: three runs, 6 minutes, as the summary says.
    ledgers = [Path(r.env["PR_ROUTER_LEDGER"]) for r in (first, skipped, third)]
    runner = _report(capsys, *ledgers)["runner"]
    assert (runner["runs"], runner["minutes"]) == (3, 6)
    assert Decimal(runner["usd"]) == state.runner_usd
