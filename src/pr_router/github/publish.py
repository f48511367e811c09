"""Publishing: one review with inline comments per run, one sticky summary comment per PR.

Findings carry a hidden fingerprint so a rerun never posts the same finding twice. When
GitHub rejects the review (422: some comment's line is not in the diff, and GitHub does
not say which), every finding moves into the review body instead: nothing is lost and the
run does not fail for it. Bodies are kept inside GitHub's comment limit.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from pr_router.errors import GitHubError
from pr_router.github.models import (
    Comment,
    InlineComment,
    ReviewComment,
    ReviewPosted,
)
from pr_router.github.state import SUMMARY_MARKER, State, encode_state, find_summary, scrub_markers

__all__ = [
    "COMMENT_LIMIT",
    "InlineComment",
    "Publisher",
    "ReviewResult",
    "SummaryResult",
    "compose_summary",
    "finding_marker",
    "fingerprint",
    "fingerprints_in",
    "post_review",
    "split_body",
    "upsert_summary",
]

# GitHub rejects comment and review bodies longer than this many characters.
COMMENT_LIMIT = 65_536

_FINDING_RE = re.compile(r"<!-- pr-router:finding ([0-9a-f]{8,64}) -->")
_TRIM_NOTE = "\n\n*… {n:,} characters trimmed to fit GitHub's comment limit …*\n\n"
_CONTINUED = "*(continued, part {i} of {n})*\n\n"


class Publisher(Protocol):
    """The slice of ``GitHubClient`` publishing needs (a fake in tests is enough)."""

    def list_issue_comments(self, number: int) -> list[Comment]:
        """Conversation comments of a PR."""
        ...

    def create_issue_comment(self, number: int, body: str) -> Comment:
        """Post a conversation comment."""
        ...

    def edit_issue_comment(self, comment_id: int, body: str) -> Comment:
        """Replace a conversation comment's body."""
        ...

    def delete_issue_comment(self, comment_id: int) -> None:
        """Delete a conversation comment (a duplicate summary lost to a concurrent run)."""
        ...

    def delete_review_comment(self, comment_id: int) -> None:
        """Delete an inline review comment (a finding a concurrent run posted first)."""
        ...

    def list_review_comments(self, number: int) -> list[ReviewComment]:
        """Inline review comments of a PR."""
        ...

    def reply_to_review_comment(self, number: int, comment_id: int, body: str) -> ReviewComment:
        """Reply in an inline comment's thread (a command's answer, in the finding's thread)."""
        ...

    def create_review(
        self,
        number: int,
        commit_sha: str,
        body: str,
        comments: Sequence[InlineComment] = (),
        event: str = "COMMENT",
    ) -> ReviewPosted:
        """Create one submitted review."""
        ...


def fingerprint(*parts: str) -> str:
    """A stable 16-hex-digit id for a finding from its identifying parts (not its line)."""
    normalized = "\0".join(" ".join(p.split()).casefold() for p in parts)
    return hashlib.sha256(normalized.encode()).hexdigest()[:16]


def finding_marker(fp: str) -> str:
    """The hidden marker that ends every inline comment we post."""
    return f"<!-- pr-router:finding {fp} -->"


def fingerprints_in(body: str) -> set[str]:
    """Fingerprints of the finding markers in a comment body."""
    return set(_FINDING_RE.findall(body or ""))


def split_body(text: str, limit: int = COMMENT_LIMIT) -> list[str]:
    """Split text into parts of at most ``limit`` characters, at line ends where possible."""
    if limit < 1:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    current = ""
    for raw in text.splitlines(keepends=True):
        line = raw
        while len(line) > limit:  # a single over-long line: hard cut
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            parts.append(current)
            current = ""
        current += line
    if current or not parts:
        parts.append(current)
    return parts


def _trim(text: str, room: int) -> tuple[str, bool]:
    """Fit text into ``room`` characters by cutting its middle, with a note saying so."""
    if len(text) <= room:
        return text, False
    note_len = len(_TRIM_NOTE.format(n=len(text)))
    keep = max(room - note_len, 0)
    head = text[: keep * 2 // 3]
    tail = text[len(text) - (keep - len(head)) :] if keep > len(head) else ""
    return head + _TRIM_NOTE.format(n=len(text) - len(head) - len(tail)) + tail, True


def _inline_body(finding: InlineComment) -> str:
    marker = "\n\n" + finding_marker(finding.fingerprint)
    text, _ = _trim(scrub_markers(finding.body), COMMENT_LIMIT - len(marker))
    return text + marker


def _finding_item(f: InlineComment) -> str:
    lines = f"line {f.line}" if f.start_line is None else f"lines {f.start_line}–{f.line}"
    where = f"`{f.path}` {lines}"
    side = " (removed code)" if f.side == "LEFT" else ""
    text = scrub_markers(f.body).strip().replace("\n", "\n  ")
    return f"- **{where}**{side}\n  {text}\n  {finding_marker(f.fingerprint)}\n"


def _review_body(body: str, moved: Sequence[InlineComment], reason: str) -> str:
    text = scrub_markers(body).strip()
    if not moved:
        return text
    items = "".join(_finding_item(f) for f in moved)
    return f"{text}\n\n**{reason}**\n\n{items}".lstrip()


@dataclass(frozen=True, slots=True)
class ReviewResult:
    """What ``post_review`` did."""

    review_ids: tuple[int, ...] = ()  # the review, plus continuation reviews if the body was split
    issue_comment_id: int | None = None  # only when GitHub refused every review
    posted: tuple[str, ...] = ()  # fingerprints posted as inline comments
    comment_ids: dict[str, int] = field(default_factory=dict)  # fingerprint -> review comment id
    moved_to_body: tuple[str, ...] = ()  # fingerprints listed in the body instead
    duplicates: tuple[str, ...] = ()  # fingerprints skipped because already posted
    note: str | None = None  # what went differently from the plan, for the run log

    @property
    def nothing_posted(self) -> bool:
        """No review and no comment was created (nothing new, or nothing at all, to post)."""
        return not self.review_ids and self.issue_comment_id is None

    @property
    def published(self) -> tuple[str, ...]:
        """Every fingerprint that reached the PR this run (remember them in the state)."""
        return self.posted + self.moved_to_body


def _new_findings(
    findings: Sequence[InlineComment], seen: Collection[str]
) -> tuple[list[InlineComment], list[str]]:
    fresh: list[InlineComment] = []
    dupes: list[str] = []
    taken = set(seen)
    for f in findings:
        if f.fingerprint in taken:
            dupes.append(f.fingerprint)
        else:
            taken.add(f.fingerprint)
            fresh.append(f)
    return fresh, dupes


def _ours(comments: Iterable[ReviewComment], own_login: str) -> list[ReviewComment]:
    own = own_login.casefold()
    return [c for c in comments if (c.author or "").casefold() == own]


def _parts(text: str) -> list[str]:
    """The text as parts that each fit a comment, numbered when there is more than one."""
    parts = split_body(text, COMMENT_LIMIT - len(_CONTINUED.format(i=999, n=999)))
    if len(parts) == 1:
        return parts
    return [_CONTINUED.format(i=i, n=len(parts)) + p for i, p in enumerate(parts, 1)]


def _post(
    client: Publisher, pr: int, head_sha: str, text: str, comments: Sequence[InlineComment] = ()
) -> tuple[int, ...]:
    """Post the review (inline comments on its first part), continuing in more reviews."""
    parts = _parts(text)
    first = client.create_review(pr, head_sha, parts[0], comments).id
    return (first, *(client.create_review(pr, head_sha, part).id for part in parts[1:]))


def post_review(
    client: Publisher,
    pr: int,
    head_sha: str,
    findings: Sequence[InlineComment],
    body: str,
    *,
    own_login: str,
    known_fingerprints: Collection[str] = (),
    anchorable: Callable[[InlineComment], bool] | None = None,
) -> ReviewResult:
    """Post one COMMENT review; skip findings already on the PR; never lose one on a 422.

    ``known_fingerprints`` (from the sticky state) covers findings that earlier runs moved
    into a review body. ``anchorable`` pre-checks a finding against the diff; those it
    rejects go into the body from the start. Nothing is posted when no new finding is left
    and ``body`` is blank.
    """
    existing = _ours(client.list_review_comments(pr), own_login)
    seen = set(known_fingerprints).union(*(fingerprints_in(c.body) for c in existing))
    fresh, dupes = _new_findings(findings, seen)
    if not fresh and not body.strip():
        return ReviewResult(duplicates=tuple(dupes))  # normal on a rerun: not a note
    inline = [f for f in fresh if anchorable is None or anchorable(f)]
    outside = [f for f in fresh if f not in inline]
    text = _review_body(body, outside, "Findings outside the diff")
    try:
        ids = _post(client, pr, head_sha, text, [replace(f, body=_inline_body(f)) for f in inline])
    except GitHubError as exc:
        if exc.status != 422:
            raise
        # GitHub does not say which comment it rejected: list every finding in the body.
        text = _review_body(body, fresh, "Findings (GitHub could not place them on the diff)")
        note = f"GitHub rejected the review ({exc}); {len(fresh)} findings moved to the body"
        result = ReviewResult(moved_to_body=_fps(fresh), duplicates=tuple(dupes), note=note)
        return _fallback(client, pr, head_sha, text, result=result)
    comment_ids, raced, settled = (
        _settle(client, pr, ids[0], own_login) if inline else ({}, (), None)
    )
    return ReviewResult(
        review_ids=ids,
        posted=tuple(fp for fp in _fps(inline) if fp not in raced),
        comment_ids=comment_ids,
        moved_to_body=_fps(outside),
        duplicates=(*dupes, *raced),
        note=settled,
    )


def _fps(findings: Iterable[InlineComment]) -> tuple[str, ...]:
    return tuple(f.fingerprint for f in findings)


def _fallback(
    client: Publisher, pr: int, head_sha: str, text: str, *, result: ReviewResult
) -> ReviewResult:
    """Post ``text`` (every finding listed) as a body-only review, else as a comment."""
    try:
        return replace(result, review_ids=_post(client, pr, head_sha, text))
    except GitHubError as again:
        if again.status != 422:
            raise
    # Even a body-only review was refused (e.g. the head commit vanished in a force-push).
    ids = [client.create_issue_comment(pr, part).id for part in _parts(text)]
    note = f"{result.note}; the review was refused too, so they were posted as a comment"
    return replace(result, issue_comment_id=ids[0], note=note)


def _settle(
    client: Publisher, pr: int, review_id: int, own_login: str
) -> tuple[dict[str, int], tuple[str, ...], str | None]:
    """After posting: each fingerprint's review comment id, and the findings a concurrent run
    had already posted (GitHub cannot create conditionally, so two runs that listed the
    comments before either posted both post). The oldest comment of a finding stays; this
    review's later copies are deleted, so racing runs agree on which one goes."""
    ids: dict[str, int] = {}
    oldest: dict[str, int] = {}
    mine: list[tuple[str, int]] = []
    for c in sorted(_ours(client.list_review_comments(pr), own_login), key=lambda c: c.id):
        for fp in fingerprints_in(c.body):
            oldest.setdefault(fp, c.id)
            if c.review_id == review_id:
                mine.append((fp, c.id))
    raced: list[str] = []
    kept: list[str] = []
    for fp, comment_id in mine:
        if oldest[fp] == comment_id:
            ids[fp] = comment_id
            continue
        try:
            client.delete_review_comment(comment_id)
            raced.append(fp)
        except GitHubError as exc:
            ids[fp] = comment_id
            kept.append(f"{comment_id} ({exc})")
    note = None
    if raced or kept:
        note = (
            f"{len(raced)} finding(s) a concurrent run posted first were removed from this review"
        )
        note += f"; could not remove {', '.join(kept)}" if kept else ""
    return ids, tuple(raced), note


@dataclass(frozen=True, slots=True)
class SummaryResult:
    """What ``upsert_summary`` did."""

    comment_id: int
    action: str  # "created", "updated" or "unchanged"
    trimmed: bool = False


def compose_summary(body: str, state: State, limit: int = COMMENT_LIMIT) -> tuple[str, bool]:
    """The full summary comment: marker, visible body (middle trimmed to fit), state block."""
    head = SUMMARY_MARKER + "\n"
    tail = "\n\n" + encode_state(state)
    room = limit - len(head) - len(tail)
    if room < 200:
        raise ValueError("the state block leaves no room for the summary")
    visible, trimmed = _trim(scrub_markers(body).strip(), room)
    return head + visible + tail, trimmed


def upsert_summary(
    client: Publisher, pr: int, body: str, state: State, own_login: str
) -> SummaryResult:
    """Edit our summary comment in place, or create it the first time."""
    text, trimmed = compose_summary(body, state)
    existing = find_summary(client.list_issue_comments(pr), own_login)
    if existing is None:
        return SummaryResult(client.create_issue_comment(pr, text).id, "created", trimmed)
    if existing.body == text:
        return SummaryResult(existing.id, "unchanged", trimmed)
    return SummaryResult(client.edit_issue_comment(existing.id, text).id, "updated", trimmed)
