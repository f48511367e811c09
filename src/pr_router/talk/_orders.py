"""What each command asks the pipeline to do, decided from the policy alone (pure).

``order_for`` turns a parsed ``Command`` into an ``Order``: a ``Steer`` for the router (which
jobs run, on what tier and effort), a skip, a reply-only verb, or a refusal that names the
policy key that would allow it. Nothing is spent on a refusal. ``merge_orders`` joins the
orders of one comment into one run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pr_router.policy.models import TIERS, Policy, Tier
from pr_router.steer import Steer
from pr_router.talk._grammar import Command

__all__ = ["ASK_JOB", "Order", "merge_orders", "order_for"]

ASK_JOB = "ask"  # the job name an ``ask`` runs (and is billed) under
OrderKind = Literal["run", "skip", "plan", "ask", "help", "accept", "refuse"]


@dataclass(frozen=True)
class Order:
    """One command, decided: what to run or record, or why not."""

    command: Command
    kind: OrderKind
    steer: Steer = field(default_factory=Steer)
    refusal: str = ""
    rejects: Mapping[str, Tier] = field(default_factory=dict)  # job -> tier of the answer
    # a rejected answer: an escalate or rerun of a job whose last answer was below frontier


def _up(tier: Tier) -> Tier | None:
    i = TIERS.index(tier)
    return TIERS[i + 1] if i + 1 < len(TIERS) else None


def _rejects(job: str, previous: Mapping[str, Tier]) -> dict[str, Tier]:
    tier = previous.get(job)
    return {job: tier} if tier is not None and tier != "frontier" else {}


def _escalate(cmd: Command, by: str, current: Tier, previous: Mapping[str, Tier]) -> Order:
    job = cmd.job or ""
    target: Tier | None = cmd.tier or _up(current)  # type: ignore[assignment]
    if target is None or TIERS.index(target) <= TIERS.index(current):
        hint = "" if current == "frontier" else f" (`--tier {_up(current) or 'frontier'}`)"
        why = f"`{job}` already runs on the {current} tier; `escalate` only raises{hint}"
        return Order(cmd, "refuse", refusal=why)
    steer = Steer(only=frozenset({job}), tiers={job: target}, by=by)
    return Order(cmd, "run", steer, rejects=_rejects(job, previous))


def _skip(cmd: Command, by: str, policy: Policy, code_changed: bool) -> Order:
    job = cmd.job or ""
    if (
        job in policy.must_stay_frontier
        and code_changed
        and not policy.commands.allow_below_frontier
    ):
        why = (f"`{job}` is in `must_stay_frontier` and this PR changes code, so a command "
               "cannot skip it (the policy key `commands.allow_below_frontier: true` allows it)")  # fmt: skip
        return Order(cmd, "refuse", refusal=why)
    return Order(cmd, "skip", Steer(skipped={job: by}, by=by))


def order_for(cmd: Command, policy: Policy, *, by: str, code_changed: bool,
              tiers: Mapping[str, Tier], previous: Mapping[str, Tier]) -> Order:  # fmt: skip
    """The order for one command.

    ``tiers`` are the jobs' tiers as routed now, ``previous`` the tiers of the answers on the
    PR (the last run's); ``by`` is who gave the command (``@login``).
    """
    job = cmd.job or ""
    if cmd.verb in ("plan", "help", "accept"):
        return Order(cmd, cmd.verb)
    if cmd.verb == "ask":
        if ASK_JOB in policy.jobs:
            why = f"the policy defines its own job `{ASK_JOB}`, so `ask` is off on this repository"
            return Order(cmd, "refuse", refusal=why)
        return Order(cmd, "ask", Steer(only=frozenset({ASK_JOB}), by=by))
    if cmd.verb == "skip":
        return _skip(cmd, by, policy, code_changed)
    if cmd.verb == "rerun" and cmd.job is None:
        return Order(cmd, "run", Steer(by=by))
    if cmd.verb == "escalate":
        current = previous.get(job) or tiers.get(job) or "efficient"
        return _escalate(cmd, by, current, previous)
    if cmd.verb == "effort":
        efforts = {job: cmd.effort} if cmd.effort else {}
        return Order(cmd, "run", Steer(only=frozenset({job}), efforts=efforts, by=by))  # type: ignore[arg-type]
    return Order(cmd, "run", Steer(only=frozenset({job}), by=by), rejects=_rejects(job, previous))


def merge_orders(orders: Sequence[Order], skipped: Mapping[str, str]) -> Steer | None:
    """One steer for the run orders of a comment (None when nothing runs).

    ``skipped`` are the jobs already skipped on the PR, with this comment's skips added.
    """
    runs = [o.steer for o in orders if o.kind in ("run", "ask")]
    if not runs:
        return None
    only: frozenset[str] | None = frozenset()
    for steer in runs:
        only = None if only is None or steer.only is None else only | steer.only
    tiers = {k: v for s in runs for k, v in s.tiers.items()}
    efforts = {k: v for s in runs for k, v in s.efforts.items()}
    # a job a command names runs again, even if it was skipped on the PR before
    kept = {job: by for job, by in skipped.items() if only is None or job not in only}
    return Steer(only=only, tiers=tiers, efforts=efforts, skipped=kept, by=runs[0].by)
