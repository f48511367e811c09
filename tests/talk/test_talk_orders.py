"""What each command asks, decided from the policy: steers, skips and refusals naming keys."""

from __future__ import annotations

from pr_router.policy.loader import load_policy
from pr_router.steer import Steer
from pr_router.talk import Command
from pr_router.talk._orders import ASK_JOB, merge_orders, order_for

POLICY = load_policy(None).policy
TIERS = {"review": "frontier", "security": "frontier", "describe": "efficient"}


def _order(cmd: Command, *, code: bool = True, previous: dict[str, str] | None = None,
           policy=POLICY):  # type: ignore[no-untyped-def]  # fmt: skip
    return order_for(cmd, policy, by="@octocat", code_changed=code, tiers=TIERS,  # type: ignore[arg-type]
                     previous=previous or {})  # fmt: skip


def test_escalate_goes_one_tier_up_and_rejects_the_efficient_answer() -> None:
    order = _order(Command("escalate", 1, job="describe"), previous={"describe": "efficient"})
    assert order.kind == "run"
    assert order.steer == Steer(only=frozenset({"describe"}), tiers={"describe": "standard"},
                                by="@octocat")  # fmt: skip
    assert order.rejects == {"describe": "efficient"}


def test_escalate_to_a_named_tier_and_never_down() -> None:
    up = _order(Command("escalate", 1, job="describe", tier="frontier"))
    assert up.steer.tiers == {"describe": "frontier"}
    top = _order(Command("escalate", 1, job="review"))
    assert top.kind == "refuse"
    assert "already runs on the frontier tier" in top.refusal
    down = _order(Command("escalate", 1, job="review", tier="efficient"))
    assert (down.kind, "only raises" in down.refusal) == ("refuse", True)


def test_skip_of_a_must_stay_frontier_job_needs_the_policy_key() -> None:
    refused = _order(Command("skip", 1, job="review"))
    assert refused.kind == "refuse"
    assert "`commands.allow_below_frontier: true`" in refused.refusal
    assert _order(Command("skip", 1, job="review"), code=False).kind == "skip"  # no code: fine
    allowed = POLICY.model_copy(update={"commands": POLICY.commands.model_copy(
        update={"allow_below_frontier": True})})  # fmt: skip
    assert _order(Command("skip", 1, job="review"), policy=allowed).kind == "skip"
    assert _order(Command("skip", 1, job="docs")).steer.skipped == {"docs": "@octocat"}


def test_rerun_of_a_job_rejects_a_below_frontier_answer_only() -> None:
    assert _order(Command("rerun", 1, job="describe"),
                  previous={"describe": "efficient"}).rejects == {"describe": "efficient"}  # fmt: skip
    assert _order(Command("rerun", 1, job="review"), previous={"review": "frontier"}).rejects == {}
    everything = _order(Command("rerun", 1))
    assert (everything.kind, everything.steer.only, everything.rejects) == ("run", None, {})


def test_reply_only_verbs_and_ask() -> None:
    for verb in ("plan", "help", "accept"):
        assert _order(Command(verb, 1)).kind == verb  # type: ignore[arg-type]
    ask = _order(Command("ask", 1, text="why?"))
    assert (ask.kind, ask.steer.only) == ("ask", frozenset({ASK_JOB}))


def test_merge_joins_a_comments_runs_and_a_named_job_undoes_its_skip() -> None:
    orders = [
        _order(Command("escalate", 1, job="describe")),
        _order(Command("effort", 2, job="review", effort="high")),
        _order(Command("skip", 3, job="docs")),
    ]
    steer = merge_orders(orders, {"docs": "@octocat", "changelog": "@a"})
    assert steer is not None
    assert steer.only == frozenset({"describe", "review"})
    assert (dict(steer.tiers), dict(steer.efforts)) == (
        {"describe": "standard"},
        {"review": "high"},
    )
    assert dict(steer.skipped) == {"docs": "@octocat", "changelog": "@a"}
    rerun = merge_orders([_order(Command("rerun", 1, job="changelog"))], {"changelog": "@a"})
    assert rerun is not None
    assert dict(rerun.skipped) == {}
    assert merge_orders([_order(Command("plan", 1))], {}) is None
