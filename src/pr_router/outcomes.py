"""Outcomes: what users did with each published result, as accepted / rejected / unknown.

Every ledger record that published something lists the comments it produced in
``published`` (``issue_comment:ID``, ``review_comment:ID`` or ``review:ID``; a bare number is
an issue comment). What the GitHub REST API can tell about them, strongest signal first:

1. reactions: 👍 (``+1``) and 👎 (``-1``) left by people (not by us, not by bots) on our
   comments, summed over the record's comments;
2. replies to our inline comments (review comments whose ``in_reply_to_id`` is ours), read
   for a few plain phrases ("fixed", "good catch" / "false positive", "won't fix");
3. lines: an inline comment GitHub marks outdated (``line`` is null) or whose line text is
   gone from the PR's final head (``file_at``), or whose ``suggestion`` block now stands in
   the file, was acted upon;
4. changelog: the entry we suggested is found (or not) in the changelog of the base branch
   after the merge (``file_at``).

The first signal that decides wins; with none the outcome is ``unknown``. Not available
through REST: whether a review thread was *resolved* (GraphQL ``isResolved``), and whether
the author adopted a suggested PR description (not compared here). Reactions on a comment
that several jobs share (the summary comment) are not attributed to any one of them.

Classification is pure; ``collect_outcomes`` is a thin collector over a GitHub client.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal, Protocol

from pr_router.github.models import Comment, Reaction, ReviewComment
from pr_router.ledger import LedgerRecord, Outcome

__all__ = [
    "Classified",
    "OutcomeClient",
    "PublishedRef",
    "Signal",
    "apply_outcomes",
    "changelog_entry",
    "collect_outcomes",
    "decide",
    "from_changelog",
    "from_lines",
    "from_reactions",
    "from_replies",
    "parse_published",
]

RefKind = Literal["issue_comment", "review_comment", "review"]
_REF = re.compile(r"^(?:(issue_comment|review_comment|review):)?(\d{1,20})$")
_SUGGESTION = re.compile(r"```suggestion[^\n]*\n(.*?)```", re.DOTALL)
_FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.DOTALL)
_ACCEPT_WORDS = ("fixed", "done", "good catch", "addressed", "applied", "thanks", "nice catch")
_REJECT_WORDS = (
    "false positive", "not an issue", "won't fix", "wont fix", "wontfix", "not applicable",
    "irrelevant", "incorrect", "that's wrong", "not relevant", "ignore",
)  # fmt: skip
_SIMILAR = 0.8  # an edited entry still counts as ours above this similarity


@dataclass(frozen=True, slots=True)
class Signal:
    """What decided (or failed to decide) an outcome, and why."""

    source: str  # "reactions", "replies", "lines", "changelog", "none"
    outcome: Outcome
    detail: str


_NONE = Signal("none", "unknown", "no signal")


@dataclass(frozen=True, slots=True)
class PublishedRef:
    """One comment a result produced."""

    kind: RefKind
    id: int


def parse_published(ref: str) -> PublishedRef | None:
    """``review_comment:123`` and the like; None for a reference we cannot read."""
    match = _REF.match(ref.strip())
    if match is None:
        return None
    kind = match.group(1) or "issue_comment"
    return PublishedRef(kind, int(match.group(2)))  # type: ignore[arg-type]


# --- pure classification ----------------------------------------------------------------


def _human(login: str | None, own_login: str) -> bool:
    name = (login or "").casefold()
    return bool(name) and name != own_login.casefold() and not name.endswith("[bot]")


def from_reactions(reactions: Iterable[Reaction], own_login: str) -> Signal:
    """👍 against 👎 from people; a tie decides nothing."""
    people = [r for r in reactions if _human(r.user, own_login)]
    up = sum(1 for r in people if r.content == "+1")
    down = sum(1 for r in people if r.content == "-1")
    detail = f"👍 {up}, 👎 {down}"
    if up > down:
        return Signal("reactions", "accepted", detail)
    if down > up:
        return Signal("reactions", "rejected", detail)
    return Signal("reactions", "unknown", detail if up else "no 👍/👎")


def _verdict(text: str) -> Outcome:
    lowered = " ".join(text.casefold().split())
    if any(w in lowered for w in _REJECT_WORDS):
        return "rejected"  # "thanks, but false positive" is a rejection
    if any(w in lowered for w in _ACCEPT_WORDS):
        return "accepted"
    return "unknown"


def from_replies(bodies: Iterable[str]) -> Signal:
    """Replies by people to our inline comments, read for plain phrases."""
    verdicts = [_verdict(b) for b in bodies]
    yes, no = verdicts.count("accepted"), verdicts.count("rejected")
    detail = f"{len(verdicts)} replies: {yes} agree, {no} disagree"
    if yes > no:
        return Signal("replies", "accepted", detail)
    if no > yes:
        return Signal("replies", "rejected", detail)
    return Signal("replies", "unknown", detail if verdicts else "no replies")


def _lines(text: bytes | None) -> list[str]:
    return [] if text is None else text.decode("utf-8", "replace").splitlines()


def _contains_block(haystack: Sequence[str], block: Sequence[str]) -> bool:
    if not block:
        return False
    wanted = [b.strip() for b in block]
    stripped = [h.strip() for h in haystack]
    n = len(wanted)
    return any(stripped[i : i + n] == wanted for i in range(len(stripped) - n + 1))


def from_lines(comment: ReviewComment, before: bytes | None, after: bytes | None) -> Signal:
    """Whether the code an inline comment pointed at changed by the PR's final head."""
    where = f"{comment.path}:{comment.line or '?'}"
    final = _lines(after)
    suggestion = _SUGGESTION.search(comment.body)
    if suggestion and _contains_block(final, suggestion.group(1).splitlines()):
        return Signal("lines", "accepted", f"{where}: suggestion applied")
    if comment.line is None:
        return Signal("lines", "accepted", f"{comment.path}: commented lines changed (outdated)")
    old = _lines(before)
    if after is None or not 1 <= comment.line <= len(old):
        return Signal("lines", "unknown", f"{where}: file not comparable")
    target = old[comment.line - 1]
    if target.strip() and not _contains_block(final, [target]):
        return Signal("lines", "accepted", f"{where}: commented line changed later")
    return Signal("lines", "unknown", f"{where}: commented line unchanged")


def changelog_entry(body: str) -> str | None:
    """The entry a changelog comment suggests: its first fenced block, else first bullet."""
    section = body
    heading = re.search(r"^#+ .*changelog.*$", body, re.IGNORECASE | re.MULTILINE)
    if heading is not None:
        section = body[heading.end() :]
        nxt = re.search(r"^#+ ", section, re.MULTILINE)
        section = section[: nxt.start()] if nxt else section
    fence = _FENCE.search(section)
    text = fence.group(1) if fence else section
    for line in text.splitlines():
        entry = _normal(line)
        if entry and (fence or line.lstrip().startswith(("-", "*"))):
            return entry
    return None


def _normal(line: str) -> str:
    """A changelog line without bullet, PR reference and extra spaces, case-folded."""
    text = re.sub(r"^\s*[-*+]\s*", "", line)
    text = re.sub(r"\(?#\d+\)?|\[#\d+\]\([^)]*\)", "", text)
    return " ".join(text.split()).casefold()


def from_changelog(entry: str | None, changelog: bytes | None, merged: bool) -> Signal:
    """Whether the suggested entry (or a close edit of it) is in the merged changelog."""
    if entry is None:
        return Signal("changelog", "unknown", "no entry found in our comment")
    if not merged:
        return Signal("changelog", "unknown", "PR not merged (yet)")
    if changelog is None:
        return Signal("changelog", "unknown", "no changelog on the base branch")
    wanted = _normal(entry)
    best = max(
        (SequenceMatcher(None, wanted, _normal(line)).ratio() for line in _lines(changelog)),
        default=0.0,
    )
    if best >= _SIMILAR:
        return Signal("changelog", "accepted", f"entry in the merged changelog ({best:.0%} alike)")
    return Signal("changelog", "rejected", "entry not in the merged changelog")


def decide(signals: Iterable[Signal]) -> Signal:
    """The first signal that decides; else ``unknown`` with what was looked at."""
    looked: list[Signal] = []
    for s in signals:
        if s.outcome != "unknown":
            return s
        looked.append(s)
    if not looked:
        return _NONE
    return Signal("none", "unknown", "; ".join(f"{s.source}: {s.detail}" for s in looked))


# --- the collector ----------------------------------------------------------------------


class OutcomeClient(Protocol):
    """The slice of ``GitHubClient`` the collector uses."""

    def reactions_for_issue_comment(self, comment_id: int) -> list[Reaction]:
        """Reactions on a conversation comment."""
        ...

    def reactions_for_review_comment(self, comment_id: int) -> list[Reaction]:
        """Reactions on an inline review comment."""
        ...

    def list_review_comments(self, number: int) -> list[ReviewComment]:
        """Inline review comments of a PR."""
        ...

    def list_issue_comments(self, number: int) -> list[Comment]:
        """Conversation comments of a PR."""
        ...

    def file_at(self, path: str, ref: str) -> bytes | None:
        """A file's content at a ref, or None."""
        ...


@dataclass(frozen=True, slots=True)
class Classified:
    """A record and the signal that decided its outcome."""

    record: LedgerRecord
    signal: Signal


@dataclass
class _PR:
    """What the collector fetched for one PR (each list once)."""

    review: dict[int, ReviewComment] = field(default_factory=dict)
    issue: dict[int, Comment] = field(default_factory=dict)
    replies: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


def _fetch_pr(client: OutcomeClient, number: int, own_login: str) -> _PR:
    pr = _PR()
    for c in client.list_review_comments(number):
        pr.review[c.id] = c
        parent = c.in_reply_to_id
        if isinstance(parent, int) and _human(c.author, own_login):
            pr.replies[parent].append(c.body)
    pr.issue = {c.id: c for c in client.list_issue_comments(number)}
    return pr


def _shared(records: Sequence[LedgerRecord]) -> set[tuple[int | None, str]]:
    """Comments that records of more than one job published (no single author to credit)."""
    jobs: dict[tuple[int | None, str], set[str]] = defaultdict(set)
    for r in records:
        for ref in r.published:
            jobs[(r.pr, ref)].add(r.job)
    return {k for k, v in jobs.items() if len(v) > 1}


@dataclass
class _Collector:
    client: OutcomeClient
    own_login: str
    head_shas: Mapping[int, str]
    merged_refs: Mapping[int, str]
    changelog_path: str
    shared: set[tuple[int | None, str]]
    prs: dict[int, _PR] = field(default_factory=dict)
    files: dict[tuple[str, str], bytes | None] = field(default_factory=dict)

    def file(self, path: str, ref: str | None) -> bytes | None:
        if ref is None:
            return None
        if (path, ref) not in self.files:
            self.files[(path, ref)] = self.client.file_at(path, ref)
        return self.files[(path, ref)]

    def classify(self, r: LedgerRecord) -> Signal:
        assert r.pr is not None  # only records of a PR are collected
        if r.pr not in self.prs:
            self.prs[r.pr] = _fetch_pr(self.client, r.pr, self.own_login)
        pr = self.prs[r.pr]
        refs = [(ref, p) for ref in r.published if (p := parse_published(ref)) is not None]
        reactions: list[Reaction] = []
        for raw, ref in refs:
            if (r.pr, raw) in self.shared:
                continue
            if ref.kind == "review_comment":
                reactions += self.client.reactions_for_review_comment(ref.id)
            elif ref.kind == "issue_comment":
                reactions += self.client.reactions_for_issue_comment(ref.id)
        signals = [from_reactions(reactions, self.own_login)]
        inline = [
            pr.review[p.id] for _, p in refs if p.kind == "review_comment" and p.id in pr.review
        ]
        signals.append(from_replies(b for c in inline for b in pr.replies.get(c.id, [])))
        signals += self._lines(inline, self.head_shas.get(r.pr))
        if r.job == "changelog":
            signals.append(self._changelog(r.pr, pr, refs))
        return decide(signals)

    def _lines(self, inline: Sequence[ReviewComment], head: str | None) -> list[Signal]:
        found = [
            from_lines(c, self.file(c.path, c.commit_id), self.file(c.path, head)) for c in inline
        ]
        changed = [s for s in found if s.outcome == "accepted"]
        if changed:
            detail = f"{len(changed)} of {len(found)} findings acted upon ({changed[0].detail})"
            return [Signal("lines", "accepted", detail)]
        return found[:1]

    def _changelog(self, number: int, pr: _PR, refs: Sequence[tuple[str, PublishedRef]]) -> Signal:
        bodies = [
            pr.issue[p.id].body for _, p in refs if p.kind == "issue_comment" and p.id in pr.issue
        ]
        entry = next((e for b in bodies if (e := changelog_entry(b)) is not None), None)
        ref = self.merged_refs.get(number)
        return from_changelog(entry, self.file(self.changelog_path, ref), ref is not None)


def collect_outcomes(
    client: OutcomeClient,
    records: Iterable[LedgerRecord],
    *,
    own_login: str,
    head_shas: Mapping[int, str] | None = None,
    merged_refs: Mapping[int, str] | None = None,
    changelog_path: str = "CHANGELOG.md",
) -> list[Classified]:
    """Classify every ``ok`` record of a PR that published something and has no outcome yet.

    ``head_shas`` maps a PR to its final head commit (for the line comparison);
    ``merged_refs`` maps each merged PR to the base-branch ref to read the changelog at.
    """
    todo = [r for r in records if r.status == "ok" and r.pr is not None and r.published]
    todo = [r for r in todo if r.outcome in (None, "unknown")]
    collector = _Collector(
        client, own_login, head_shas or {}, merged_refs or {}, changelog_path, _shared(todo)
    )
    return [Classified(r, collector.classify(r)) for r in todo]


def apply_outcomes(
    records: Iterable[LedgerRecord], classified: Iterable[Classified]
) -> list[LedgerRecord]:
    """The records with the decided outcomes filled in (undecided ones stay as they were)."""
    decided = {id(c.record): c.signal.outcome for c in classified if c.signal.outcome != "unknown"}
    return [
        r.model_copy(update={"outcome": decided[id(r)]}) if id(r) in decided else r for r in records
    ]
