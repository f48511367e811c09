"""What a run looks at: the whole PR, or on a later push only what the author changed.

On ``synchronize`` with a last reviewed head, the PR diff is read at both heads: the new
one (``pulls/N``) and the old one (``compare/BASE...OLD``: GitHub diffs from the merge base
of the two, so that is the PR diff as it was at the old head, whatever the base did since).
``changes.interdiff`` keeps what the author changed between them. When the old head cannot
be compared (force-pushed away and gone from GitHub), the whole PR is reviewed and the
summary says why.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from pr_router.changes import analyze, compute_signals
from pr_router.changes.interdiff import interdiff, with_context
from pr_router.changes.model import ChangeSet
from pr_router.context import PRContext
from pr_router.errors import PrRouterError
from pr_router.github.client import GitHubClient
from pr_router.policy.catalog import resolve_jobs
from pr_router.policy.models import Policy
from pr_router.pushes import PushFacts

__all__ = ["Looked", "changes_of", "looked_at"]

log = logging.getLogger("pr_router")


@dataclass(frozen=True, slots=True)
class Looked:
    """The change set the findings jobs look at, and the push facts (None: the whole PR)."""

    changes: ChangeSet
    push: PushFacts | None
    since: str | None  # the last reviewed head the findings jobs' diff starts from
    what: str  # for the lifetime table: "whole PR", "changes since abc1234", ...
    note: str | None = None  # for the summary: what was left out, or why the whole PR
    unseen: tuple[str, ...] = ()  # for the summary: files GitHub did not serve, and why


def changes_of(diff: bytes, *, source: str, ignore: Sequence[str] = ()) -> ChangeSet:
    """``analyze`` of a diff; an empty diff (a push that changed nothing new) has no files."""
    if not diff.strip():
        return ChangeSet(files=(), signals=compute_signals(()))
    return analyze(diff, source=source, ignore=ignore)


def _sensitive_context(policy: Policy) -> bool:
    return any(j.on_push == "changed-sensitive" for j in resolve_jobs(policy) if j.enabled)


def _reviews_whole(policy: Policy) -> bool:
    return any(j.name == "review" and j.on_push == "whole" for j in resolve_jobs(policy))


def looked_at(github: GitHubClient, pr: PRContext, since: str | None, policy: Policy,
              ran_lines: Mapping[str, int], *, pending: Collection[str] = ()) -> Looked:  # fmt: skip
    """The whole PR, or on a later push what changed since ``since`` (see module);
    ``pending``: jobs whose earlier batch is still running (not sent again)."""
    assert pr.number is not None
    source = f"PR #{pr.number} diff"
    fetched = github.pull_diff(pr.number)
    whole_diff, unseen = fetched.data, fetched.notices()
    whole = analyze(whole_diff, source=source, ignore=policy.ignore)
    if pr.action != "synchronize" or not since or not pr.head_sha or since == pr.head_sha:
        return Looked(whole, None, None, "whole PR", unseen=unseen)
    try:
        before = github.compare_diff(pr.base_sha or pr.base_ref or "HEAD", since)
    except PrRouterError as exc:  # a force-push can make the old head unreachable
        log.warning("incremental diff unavailable (%s); reviewing the whole PR", exc)
        why = f"the last reviewed head {since[:7]} could not be compared ({exc})"
        return Looked(whole, None, None, "whole PR", f"Reviewed the whole PR: {why}.", unseen)
    if before.rebuilt and (before.unseen or before.at_cap):
        # files missing from the old diff count as changed since: seen again, never skipped
        unseen += (f"the diff at {since[:7]} was rebuilt from GitHub's files list too "
                   f"({before.listed} file(s) listed): files it lacks are treated as "
                   "changed since",)  # fmt: skip
    old = before.data
    inter = interdiff(old, whole_diff)
    push = PushFacts(since, whole, dict(ran_lines), inter.describe(), frozenset(pending))
    if _reviews_whole(policy):
        return Looked(whole, push, None, "whole PR (policy)", unseen=unseen)
    changes = changes_of(inter.diff, source=source, ignore=policy.ignore)
    paths = {h.path for h in changes.signals.sensitive_hits}
    if paths and _sensitive_context(policy):
        context = with_context(inter.diff, old, whole_diff, paths)
        changes = analyze(context, source=source, ignore=policy.ignore)
    what = f"changes since {since[:7]}" if changes.files else "nothing new"
    return Looked(changes, push, since, what, f"Since {since[:7]}: {inter.describe()}.", unseen)
