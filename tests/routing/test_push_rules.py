"""Push rules on real PR histories: what each job does on a later push (``synchronize``)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from pr_router.changes import analyze
from pr_router.changes.interdiff import interdiff
from pr_router.context import PRContext
from pr_router.pipeline.push_diff import changes_of
from pr_router.plan import Plan
from pr_router.policy.loader import load_policy
from pr_router.pricing import PriceTable
from pr_router.pushes import PushFacts
from pr_router.render.plan import plan_text
from pr_router.router import route

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from _histories import find

PRICES = PriceTable(at=datetime(2026, 11, 22, tzinfo=UTC))
PUSH = PRContext(repo="o/r", number=1, title="t", body="A description.", action="synchronize")


def _plan(repo: str, number: int, at: int, ran: dict[str, int] | None = None,
          pending: frozenset[str] = frozenset()) -> Plan:  # fmt: skip
    h = find(repo, number)
    old, new = h.pushes[at - 1], h.pushes[at]
    push = PushFacts(old.head, analyze(new.diff), ran or {}, pending=pending)
    inter = changes_of(interdiff(old.diff, new.diff).diff, source="interdiff")
    return route(load_policy(None).policy, inter, PUSH,
                 prices=PRICES, push=push)  # fmt: skip


def _runs(plan: Plan) -> dict[str, bool]:
    return {j.job: j.run for j in plan.jobs}


def test_a_docs_only_push_on_a_code_pr_is_reviewed_on_the_frontier_tier_and_not_scanned() -> None:
    plan = _plan("scrapy/scrapy", 6527, 1, {"describe": 10})
    review = plan.job("review")
    assert review.run
    assert review.tier == "frontier"
    assert not plan.job("security").run
    assert not plan.job("changelog").run
    assert "the push changed no user-facing surface" in plan.job("changelog").reasons


def test_a_push_that_only_reverts_runs_nothing() -> None:
    plan = _plan("pypa/pip", 13974, 1, {"describe": 10})
    assert not any(_runs(plan).values())
    reason = plan.job("review").reasons[-1]
    assert reason.startswith("nothing changed since")
    assert "reverts" in reason


def test_a_rebase_runs_nothing_but_never_described_jobs_follow_their_when() -> None:
    plan = _plan("pallets/click", 997, 2)  # describe never ran here: its `when` decides
    assert _runs(plan) == {"review": False, "security": False, "describe": False,
                           "changelog": False, "docs": False, "failure-summary": False}  # fmt: skip
    assert "PR already has a description" in "; ".join(plan.job("describe").reasons)


def test_the_description_is_refreshed_only_when_the_pr_grew_materially() -> None:
    h = find("pallets/flask", 4720)
    lines = analyze(h.pushes[2].diff).signals.changed_lines
    small = _plan("pallets/flask", 4720, 2, {"describe": lines - 5})
    big = _plan("pallets/flask", 4720, 2, {"describe": lines // 3})
    assert not small.job("describe").run
    assert "since it last ran (rule: x1.5 and +30)" in small.job("describe").reasons[-1]
    assert big.job("describe").run
    assert any("grew from" in r for r in big.job("describe").reasons)


def test_plan_shows_each_jobs_push_rule() -> None:
    plan = _plan("pytest-dev/pytest", 14702, 1)
    text = plan_text(plan)
    assert ("On a push: review changed; security changed-sensitive; describe grown; "
            "changelog surface; docs new-surface") in text  # fmt: skip
    assert [j.on_push for j in plan.jobs] == [
        "changed", "changed-sensitive", "grown", "surface", "new-surface", None,
    ]  # fmt: skip


def test_a_job_whose_earlier_batch_is_still_running_is_not_sent_again() -> None:
    h = find("pallets/flask", 4720)
    lines = analyze(h.pushes[2].diff).signals.changed_lines
    plan = _plan("pallets/flask", 4720, 2, {"describe": lines // 3}, frozenset({"describe"}))
    assert not plan.job("describe").run
    assert "batch of this job is still running" in plan.job("describe").reasons[-1]


def test_effort_follows_the_push_and_the_tier_follows_the_pr() -> None:
    # pallets/click#2202, push 3: 21 routine lines of a larger code PR.
    plan = _plan("pallets/click", 2202, 2)
    review = plan.job("review")
    assert (review.tier, review.effort) == ("frontier", "low")
    assert any("small routine change" in r for r in review.reasons)
