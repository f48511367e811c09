"""Outcomes: pure classification of each signal, and the collector over a fake GitHub client."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from pr_router.github.models import Comment, Reaction, ReviewComment
from pr_router.outcomes import (
    PublishedRef,
    Signal,
    apply_outcomes,
    changelog_entry,
    collect_outcomes,
    decide,
    from_changelog,
    from_lines,
    from_reactions,
    from_replies,
    parse_published,
)
from pr_router.tokens import TokenUsage

from .ledgers import record

BOT = "github-actions[bot]"


def r(content: str, user: str | None = "alice") -> Reaction:
    """A reaction by ``user``."""
    return Reaction(content, user)


@pytest.mark.parametrize(
    ("reactions", "outcome", "detail"),
    [
        ([r("+1")], "accepted", "👍 1, 👎 0"),
        ([r("+1"), r("-1", "bob"), r("-1", "carol")], "rejected", "👍 1, 👎 2"),
        ([r("+1"), r("-1", "bob")], "unknown", "👍 1, 👎 1"),
        ([r("+1", BOT), r("+1", "dependabot[bot]"), r("+1", None)], "unknown", "no 👍/👎"),
        ([r("heart"), r("laugh", "bob")], "unknown", "no 👍/👎"),
        ([r("-1", "GitHub-Actions[bot]"), r("+1", "alice")], "accepted", "👍 1, 👎 0"),
    ],
)
def test_from_reactions(reactions: list[Reaction], outcome: str, detail: str) -> None:
    assert from_reactions(reactions, BOT) == Signal("reactions", outcome, detail)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bodies", "outcome"),
    [
        (["Fixed in 3f2a, thanks!"], "accepted"),
        (["Good catch"], "accepted"),
        (["This is a false positive: the input is validated upstream."], "rejected"),
        (["Thanks, but won't fix"], "rejected"),
        (["Why?"], "unknown"),
        ([], "unknown"),
        (["done", "not an issue", "wontfix"], "rejected"),
    ],
)
def test_from_replies(bodies: list[str], outcome: str) -> None:
    assert from_replies(bodies).outcome == outcome


BEFORE = b"def load(path):\n    data = open(path).read()\n    return pickle.loads(data)\n"
AFTER_FIXED = b"def load(path):\n    with open(path) as fh:\n        return json.load(fh)\n"
AFTER_SUGGESTED = b"def load(path):\n    data = open(path).read()\n    return json.loads(data)\n"


def rc(line: int | None = 3, body: str = "Unsafe deserialization.", cid: int = 1) -> ReviewComment:
    """An inline comment of ours on src/io.py."""
    return ReviewComment(cid, BOT, body, "src/io.py", line, "RIGHT", 9, "c0ffee")


@pytest.mark.parametrize(
    ("comment", "before", "after", "outcome", "detail"),
    [
        (rc(), BEFORE, AFTER_FIXED, "accepted", "src/io.py:3: commented line changed later"),
        (rc(), BEFORE, BEFORE, "unknown", "src/io.py:3: commented line unchanged"),
        (rc(None), None, None, "accepted", "src/io.py: commented lines changed (outdated)"),
        (rc(body="Use json:\n```suggestion\n    return json.loads(data)\n```"), BEFORE,
         AFTER_SUGGESTED, "accepted", "src/io.py:3: suggestion applied"),
        (rc(), BEFORE, None, "unknown", "src/io.py:3: file not comparable"),  # file deleted
        (rc(9), BEFORE, AFTER_FIXED, "unknown", "src/io.py:9: file not comparable"),
    ],
)  # fmt: skip
def test_from_lines(comment: ReviewComment, before: bytes | None, after: bytes | None,
                    outcome: str, detail: str) -> None:  # fmt: skip
    assert from_lines(comment, before, after) == Signal("lines", outcome, detail)  # type: ignore[arg-type]


SUMMARY = """<!-- pr-router:summary -->
### Description
Adds a JSON loader.

### Changelog entry
```markdown
- Load settings from JSON instead of pickle (#42)
```

### Docs suggestions
- mention it
"""


@pytest.mark.parametrize(
    ("body", "entry"),
    [
        (SUMMARY, "load settings from json instead of pickle"),
        ("## Changelog\n\n* Fixed: crash on empty config [#7](https://x/7)\n", "fixed: crash on empty config"),
        ("```\n- Added --since to report\n```", "added --since to report"),
        ("Nothing to add.", None),
    ],
)  # fmt: skip
def test_changelog_entry(body: str, entry: str | None) -> None:
    assert changelog_entry(body) == entry


CHANGELOG = b"""# Changelog

## 1.4.0
- Loads settings from JSON instead of pickle (#42)
- Faster startup
"""


@pytest.mark.parametrize(
    ("entry", "changelog", "merged", "outcome"),
    [
        ("load settings from json instead of pickle", CHANGELOG, True, "accepted"),  # edited
        ("faster startup", CHANGELOG, True, "accepted"),
        ("add a progress bar", CHANGELOG, True, "rejected"),
        ("add a progress bar", CHANGELOG, False, "unknown"),
        ("add a progress bar", None, True, "unknown"),
        (None, CHANGELOG, True, "unknown"),
    ],
)
def test_from_changelog(entry: str | None, changelog: bytes | None, merged: bool,
                        outcome: str) -> None:  # fmt: skip
    assert from_changelog(entry, changelog, merged).outcome == outcome


def test_decide_takes_the_first_decisive_signal() -> None:
    undecided = Signal("reactions", "unknown", "no 👍/👎")
    lines = Signal("lines", "accepted", "changed")
    later = Signal("changelog", "rejected", "missing")
    assert decide([undecided, lines, later]) == lines
    assert decide([undecided]) == Signal("none", "unknown", "reactions: no 👍/👎")
    assert decide([]).outcome == "unknown"


@pytest.mark.parametrize(
    ("ref", "parsed"),
    [
        ("review_comment:12", PublishedRef("review_comment", 12)),
        ("issue_comment:7", PublishedRef("issue_comment", 7)),
        ("review:3", PublishedRef("review", 3)),
        ("99", PublishedRef("issue_comment", 99)),
        ("fingerprint:abc", None),
        ("", None),
    ],
)
def test_parse_published(ref: str, parsed: PublishedRef | None) -> None:
    assert parse_published(ref) == parsed


@dataclass(frozen=True, slots=True)
class Reply(ReviewComment):
    """A review comment as the REST API has it, with ``in_reply_to_id``."""

    in_reply_to_id: int | None = None


class FakeGitHub:
    """Answers the collector's calls from dicts and counts them."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.review = [
            rc(3, cid=101),
            rc(3, cid=102),
            rc(3, cid=103),
            Reply(
                104,
                "bob",
                "false positive, the path is trusted",
                "src/io.py",
                3,
                "RIGHT",
                10,
                "c0ffee",
                in_reply_to_id=102,
            ),
        ]
        self.issue = [Comment(300, BOT, SUMMARY)]
        self.reactions = {101: [r("+1")], 300: [r("-1")]}
        self.files = {("src/io.py", "c0ffee"): BEFORE, ("src/io.py", "head1"): AFTER_FIXED,
                      ("CHANGELOG.md", "main"): CHANGELOG}  # fmt: skip

    def reactions_for_issue_comment(self, comment_id: int) -> list[Reaction]:
        self.calls["issue reactions"] += 1
        return self.reactions.get(comment_id, [])

    def reactions_for_review_comment(self, comment_id: int) -> list[Reaction]:
        self.calls["review reactions"] += 1
        return self.reactions.get(comment_id, [])

    def list_review_comments(self, number: int) -> list[ReviewComment]:
        self.calls["review comments"] += 1
        return self.review

    def list_issue_comments(self, number: int) -> list[Comment]:
        self.calls["issue comments"] += 1
        return self.issue

    def file_at(self, path: str, ref: str) -> bytes | None:
        self.calls["file"] += 1
        return self.files.get((path, ref))


AT = datetime(2026, 11, 5, tzinfo=UTC)
U = TokenUsage(input=1000, output=100)


def test_collect_outcomes_end_to_end() -> None:
    records = [
        record("review", "frontier", pr=7, at=AT, usage=U, published=["review_comment:101"]),
        record("security", "frontier", pr=7, at=AT, usage=U, published=["review_comment:102"]),
        record("docs", "efficient", pr=7, at=AT, usage=U, published=["review_comment:103"]),
        record("describe", "efficient", pr=7, at=AT, usage=U, published=["issue_comment:300"]),
        record("changelog", "efficient", pr=7, at=AT, usage=U, published=["issue_comment:300"]),
        # not collected: failed, no PR, already judged, nothing published
        record("review", "frontier", pr=7, at=AT, usage=U, status="failed", published=["1"]),
        record("review", "frontier", pr=None, at=AT, usage=U, published=["1"]),
        record("review", "frontier", pr=7, at=AT, usage=U, outcome="rejected", published=["1"]),
        record("review", "frontier", pr=7, at=AT, usage=U),
    ]
    gh = FakeGitHub()
    found = collect_outcomes(gh, records, own_login=BOT, head_shas={7: "head1"},
                             merged_refs={7: "main"})  # fmt: skip
    got = {c.record.job: (c.signal.source, c.signal.outcome) for c in found}
    assert got == {
        "review": ("reactions", "accepted"),  # 👍 from alice
        "security": ("replies", "rejected"),  # bob: "false positive"
        "docs": ("lines", "accepted"),  # the commented line is gone at the head
        # the summary comment is shared by describe and changelog: its 👎 counts for neither
        "describe": ("none", "unknown"),
        "changelog": ("changelog", "accepted"),  # an edit of our entry is in CHANGELOG.md
    }
    assert next(c for c in found if c.record.job == "docs").signal.detail == (
        "1 of 1 findings acted upon (src/io.py:3: commented line changed later)"
    )
    # each PR's comment lists are fetched once; files once per (path, ref)
    assert (gh.calls["review comments"], gh.calls["issue comments"]) == (1, 1)
    assert gh.calls["file"] == 3
    assert gh.calls["issue reactions"] == 0  # shared comment: not even asked
    updated = apply_outcomes(records, found)
    assert [u.outcome for u in updated] == [
        "accepted", "rejected", "accepted", None, "accepted", None, None, "rejected", None,
    ]  # fmt: skip
    assert updated[3] is records[3]


def test_unmerged_changelog_stays_unknown() -> None:
    rec = record("changelog", "efficient", pr=7, at=AT, usage=U, published=["issue_comment:300"])
    gh = FakeGitHub()
    gh.reactions = {}  # alone on the comment, a 👎 would decide: leave none
    (found,) = collect_outcomes(gh, [rec], own_login=BOT)
    assert found.signal.outcome == "unknown"
    assert "changelog: PR not merged (yet)" in found.signal.detail
