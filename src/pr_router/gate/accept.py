"""Acceptances of findings, read from the findings' review threads.

A finding's inline comment ends with its hidden marker (``pr-router:finding FP``), so the
comment's thread says which finding a reply or a reaction is about. An acceptance counts
only from a person (not the token's own identity, not a bot) with write permission: the
permission check and the command parsing are passed in (``can_write``, ``parse``), so this
module stays pure given its inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence

from pr_router.gate.verdict import Acceptance
from pr_router.github.models import Reaction, ReviewComment
from pr_router.github.publish import fingerprints_in

__all__ = ["finding_threads", "thread_acceptances"]


def _person(login: str | None, own_login: str) -> bool:
    name = (login or "").casefold()
    return bool(name) and name != own_login.casefold() and not name.endswith("[bot]")


def finding_threads(
    comments: Iterable[ReviewComment], own_login: str, fingerprints: Collection[str]
) -> dict[int, str]:
    """Our inline comments that carry one of ``fingerprints``: comment id -> fingerprint."""
    own = own_login.casefold()
    threads: dict[int, str] = {}
    for c in comments:
        if (c.author or "").casefold() != own or c.in_reply_to_id is not None:
            continue
        for fp in fingerprints_in(c.body):
            if fp in fingerprints:
                threads[c.id] = fp
    return threads


def thread_acceptances(
    comments: Sequence[ReviewComment],
    own_login: str,
    fingerprints: Collection[str],
    *,
    can_write: Callable[[str], bool],
    parse: Callable[[str], str | None] | None = None,
    reactions: Callable[[int], Sequence[Reaction]] | None = None,
    reaction: str | None = None,
) -> list[Acceptance]:
    """Acceptances in the threads of our finding comments, oldest first.

    ``parse`` returns the reason of an accept command in a reply (None: not one);
    ``reactions`` lists a comment's reactions, read only when the policy names ``reaction``.
    """
    threads = finding_threads(comments, own_login, fingerprints)
    found: list[Acceptance] = []
    if parse is not None:
        for c in sorted(comments, key=lambda c: c.id):
            fp = threads.get(c.in_reply_to_id or 0)
            if fp is None or not _person(c.author, own_login):
                continue
            reason = parse(c.body)
            if reason is not None and can_write(c.author or ""):
                found.append(Acceptance(fp, c.author or "", reason, "reply"))
    if reactions is not None and reaction:
        for comment_id, fp in sorted(threads.items()):
            for r in reactions(comment_id):
                if r.content == reaction and _person(r.user, own_login) and can_write(r.user or ""):
                    found.append(Acceptance(fp, r.user or "", f"reacted :{reaction}:", "reaction"))
                    break
    return found
