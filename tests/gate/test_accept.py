"""Acceptances in the findings' threads: only our finding comments, only people with write
permission (asked once per person), replies parsed by the command language."""

from __future__ import annotations

from pr_router.gate.accept import finding_threads, thread_acceptances
from pr_router.gate.verdict import Acceptance
from pr_router.github.models import Reaction, ReviewComment
from pr_router.github.publish import finding_marker
from pr_router.talk import parse_comment

BOT = "pr-router[bot]"
FP, OTHER = "a" * 16, "b" * 16


def _c(cid: int, author: str, body: str, reply_to: int | None = None) -> ReviewComment:
    """A review comment on src/db.py line 12, a reply when ``reply_to`` is set."""
    return ReviewComment(cid, author, body, "src/db.py", 12, "RIGHT", 1, in_reply_to_id=reply_to)


def _parse(body: str) -> str | None:
    """The reason of the accept command in ``body``, if there is one."""
    return next((c.text for c in parse_comment(body).commands if c.verb == "accept"), None)


COMMENTS = [
    _c(1, BOT, "finding\n\n" + finding_marker(FP)),
    _c(2, "mallory", "forged\n\n" + finding_marker(OTHER)),  # not ours: no thread
    _c(3, "lead", "/pr-router accept input is an enum", reply_to=1),
    _c(4, "reader", "/pr-router accept please", reply_to=1),  # no write permission
    _c(5, "ci[bot]", "/pr-router accept", reply_to=1),  # a bot
    _c(6, BOT, "/pr-router accept", reply_to=1),  # our own reply
    _c(7, "lead", "/pr-router accept", reply_to=2),  # in a thread that is not ours
    _c(8, "lead", "> /pr-router accept quoted", reply_to=1),  # a quote is not a command
]


def test_only_our_finding_comments_are_threads() -> None:
    assert finding_threads(COMMENTS, BOT, {FP, OTHER}) == {1: FP}


def test_replies_from_people_with_write_permission() -> None:
    asked: list[str] = []

    def can_write(login: str) -> bool:
        asked.append(login)
        return login == "lead"

    found = thread_acceptances(COMMENTS, BOT, {FP, OTHER}, can_write=can_write, parse=_parse)
    assert found == [Acceptance(FP, "lead", "input is an enum", "reply")]
    assert asked == ["lead", "reader"]  # bots and pr-router itself are never asked about
    assert thread_acceptances(COMMENTS, BOT, {FP}, can_write=can_write) == []  # replies off


def test_the_named_reaction_from_a_writer() -> None:
    reactions = {
        1: [Reaction("+1", "lead"), Reaction("rocket", "reader"), Reaction("rocket", "lead")]
    }
    found = thread_acceptances(
        COMMENTS, BOT, {FP}, can_write=lambda login: login == "lead",
        reactions=lambda cid: reactions.get(cid, []), reaction="rocket",
    )  # fmt: skip
    assert found == [Acceptance(FP, "lead", "reacted :rocket:", "reaction")]
