"""Everything the jobs need to build their prompts and check their answers, as one value."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pr_router.changes.linemap import LineMap
from pr_router.changes.model import ChangeSet
from pr_router.context import PRContext
from pr_router.policy.models import Policy

__all__ = ["CUSTOM_ID", "FailureLog", "JobInputs"]

CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]+")


@dataclass(frozen=True, slots=True)
class FailureLog:
    """The log of one failed CI job (untrusted text), as the GitHub client returns it."""

    job_name: str
    log: str
    failed_steps: tuple[str, ...] = ()
    url: str = ""


@dataclass(frozen=True, slots=True)
class JobInputs:
    """The PR, its diff, the policy and the optional extras some jobs use.

    ``linemap`` validates line references; without one, it is built from ``changes``. On a
    later push ``changes`` is what the push changed and ``whole`` the whole PR: findings jobs
    look at ``changes``, the description and changelog at ``whole``.
    ``run_tag`` makes ``custom_id`` values unique per run (e.g. ``r123456-1``: run id and
    attempt); it is reduced to the characters providers accept.
    """

    changes: ChangeSet
    context: PRContext
    policy: Policy
    linemap: LineMap | None = None
    changelog_text: str | None = None  # the repository's CHANGELOG (base branch), if any
    failure_logs: tuple[FailureLog, ...] = ()
    run_tag: str = "run"
    whole: ChangeSet | None = None  # on a later push: the whole PR (``changes`` is the push)

    def custom_id(self, job: str) -> str:
        """``<run_tag>-<job>``, matching ``^[a-zA-Z0-9_-]{1,64}$``."""
        name = _UNSAFE.sub("-", job).strip("-")[:40] or "job"
        tag = _UNSAFE.sub("-", self.run_tag).strip("-")[: 63 - len(name)] or "run"
        return f"{tag}-{name}"
