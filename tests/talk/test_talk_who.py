"""Who may command: ignored comments, and the permission read from GitHub's API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pr_router.github.models import Permission
from pr_router.talk import CommentAuthor, authorize, ignore_reason

WEBHOOKS = Path(__file__).resolve().parents[1] / "fixtures" / "github" / "webhooks"


def _author(name: str) -> CommentAuthor:
    payload = json.loads((WEBHOOKS / name).read_text(encoding="utf-8"))
    user = payload["comment"]["user"]
    return CommentAuthor(user["login"], user["type"], payload["action"])


def test_a_new_comment_by_a_user_is_read() -> None:
    author = _author("issue_comment.created.payload.json")
    assert author == CommentAuthor("Codertocat", "User", "created")
    assert ignore_reason(author, own_login="pr-router-bot") is None
    review = _author("pull_request_review_comment.created.payload.json")
    assert ignore_reason(review, own_login="pr-router-bot") is None


def test_an_edited_comment_is_not_replayed() -> None:
    author = _author("issue_comment.edited.payload.json")
    reason = ignore_reason(author, own_login="pr-router-bot")
    assert reason is not None
    assert "edited" in reason


@pytest.mark.parametrize(
    ("author", "own", "body", "why"),
    [
        (CommentAuthor("github-actions[bot]", "Bot"), "github-actions[bot]", "", "own"),
        (CommentAuthor("PR-Router-Bot"), "pr-router-bot", "", "own"),
        (CommentAuthor("dependabot[bot]", "Bot"), "github-actions[bot]", "", "bot"),
        (CommentAuthor("renovate", "Bot"), "github-actions[bot]", "", "bot"),
        (CommentAuthor("someone"), "x", "<!-- pr-router:summary -->\n/pr-router rerun", "marker"),
        (CommentAuthor("someone", action="deleted"), "x", "", "deleted"),
    ],
)
def test_bots_ourselves_and_changes_are_ignored(
    author: CommentAuthor, own: str, body: str, why: str
) -> None:
    reason = ignore_reason(author, own_login=own, body=body)
    assert reason is not None
    assert why in reason


@pytest.mark.parametrize(
    ("permission", "role", "allowed"),
    [
        ("admin", "admin", True),
        ("write", "maintain", True),
        ("write", "write", True),
        ("write", "release-manager", True),  # a custom role on the write base
        ("read", "triage", False),
        ("read", "read", False),
        ("none", "none", False),
    ],
)
def test_authorize_asks_github(permission: str, role: str, allowed: bool) -> None:
    asked: list[str] = []

    def read(login: str) -> Permission:
        asked.append(login)
        return Permission(login, permission, role)

    verdict = authorize("Codertocat", read)
    assert asked == ["Codertocat"]
    assert verdict.allowed is allowed
    assert (verdict.refusal == "") is allowed
    if not allowed:
        assert "write access" in verdict.refusal
        assert "nothing was run" in verdict.refusal
        assert "\n" not in verdict.refusal
