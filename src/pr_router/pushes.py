"""Push rules: what each job does on a later push of a PR (``synchronize``), as pure checks.

On a push with a reviewed head to compare against, the router sees two change sets: what
the author changed since that head (the interdiff, see ``changes.interdiff``) and the whole
PR at the new head. Each job's ``on_push`` rule (catalogue defaults, policy overrides)
decides whether it runs and on which of the two its ``when`` condition is evaluated:

- ``changed`` / ``changed-sensitive``: ``when`` on what changed; nothing changed, no run;
- ``grown``: runs when the PR's changed lines grew by half, and by 30 lines, since the job
  last ran on this PR (``when`` decides when the job never ran here);
- ``surface`` / ``new-surface``: ``when`` on the whole PR (so a changelog already edited in
  an earlier push counts), and the push itself must change user-facing surface;
- ``whole``: ``when`` on the whole PR, every push (what single-model tools do).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pr_router.changes.model import ChangeSet, FileKind
from pr_router.policy.models import PushRule

__all__ = ["GROWTH_FACTOR", "GROWTH_LINES", "PushFacts", "grown", "surface_changed"]

GROWTH_FACTOR = 1.5  # "grew materially": half as many changed lines again ...
GROWTH_LINES = 30  # ... and at least this many more
_SURFACE_KINDS = frozenset({FileKind.DEPENDENCY, FileKind.MIGRATION})


@dataclass(frozen=True, slots=True)
class PushFacts:
    """A push of a PR: the last reviewed head, the whole PR now, and what earlier runs saw."""

    since: str  # the last reviewed head
    whole: ChangeSet  # the whole PR diff at the new head
    ran_lines: Mapping[str, int] = field(default_factory=dict)  # job -> PR lines when it last ran
    note: str = ""  # what the interdiff left out (base updates, reverts), for the summary
    pending: frozenset[str] = frozenset()  # jobs whose earlier batch is still running


def grown(rule_job: str, facts: PushFacts) -> tuple[bool | None, str]:
    """Whether the PR grew materially since ``rule_job`` last ran (None: it never ran here)."""
    before = facts.ran_lines.get(rule_job)
    now = facts.whole.signals.changed_lines
    if before is None:
        return None, "never ran on this PR"
    ok = now >= before * GROWTH_FACTOR and now - before >= GROWTH_LINES
    verb = "grew" if now >= before else "shrank"
    rule = f"rule: x{GROWTH_FACTOR} and +{GROWTH_LINES}"
    return ok, f"PR {verb} from {before} to {now} changed lines since it last ran ({rule})"


def surface_changed(rule: PushRule, changes: ChangeSet) -> tuple[bool, str]:
    """Whether what the push changed touches user-facing surface (``surface``/``new-surface``)."""
    if changes.signals.public_api_changed:
        return True, "the push changed public API, CLI or config surface"
    if rule == "surface":
        kinds = sorted(str(f.kind) for f in changes.files if f.kind in _SURFACE_KINDS)
        if kinds:
            return True, f"the push changed {', '.join(dict.fromkeys(kinds))} files"
        return False, "the push changed no user-facing surface"
    return False, "the push added or changed no public API, CLI or config surface"
