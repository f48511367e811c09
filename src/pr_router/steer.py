"""What commands change in one run's routing: which jobs run, and any tier or effort asked.

A ``Steer`` is the routing side of a command (``/pr-router escalate describe``): the router
applies it after the rules and before the hard constraints, so ``must_stay_frontier`` and
the critical-path rules still hold. A steer only raises tiers and sets efforts; the one thing
it can take away, a job skipped on the PR, is checked against the policy before it gets here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pr_router.policy.models import Effort, Tier

__all__ = ["Steer"]


@dataclass(frozen=True)
class Steer:
    """Command overrides for one run (``only`` None: every job that would run)."""

    only: frozenset[str] | None = None
    tiers: Mapping[str, Tier] = field(default_factory=dict)
    efforts: Mapping[str, Effort] = field(default_factory=dict)
    skipped: Mapping[str, str] = field(default_factory=dict)  # job -> who skipped it
    by: str = ""  # who gave the command, e.g. "@octocat"

    def asked(self, job: str) -> bool:
        """True when the command names this job (it runs even if its trigger does not hold)."""
        return self.only is not None and job in self.only
