"""Who may command pr-router, and which comments are not for it to read at all.

Only users with write, maintain or admin permission on the repository may command. The
permission is always read from GitHub's API (``repos/get-collaborator-permission-level``),
never from the webhook payload: ``author_association`` there says OWNER/MEMBER/COLLABORATOR,
which neither names the permission nor survives a role change since the comment was made.

Before any of that, some comments are ignored without a word (no reply, no API call):
comments by bots (a bot could be made to echo a command), pr-router's own comments (its
replies quote commands), and edited or deleted comments (an edit of an old comment must
not replay it; a command is acted on once, when it is created).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pr_router.github.models import Permission

__all__ = ["CommentAuthor", "Verdict", "authorize", "ignore_reason"]


@dataclass(frozen=True, slots=True)
class CommentAuthor:
    """Who wrote a comment, and what happened to it, as the webhook tells it."""

    login: str
    user_type: str = "User"  # ``Bot`` for apps and bots
    action: str = "created"  # created, edited, deleted


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a comment's author may command, and the one-line reply when not."""

    allowed: bool
    permission: Permission
    refusal: str = ""


def ignore_reason(author: CommentAuthor, *, own_login: str, body: str = "") -> str | None:
    """Why a comment is not read for commands (said in the log only), or None to read it."""
    if author.action != "created":
        return f"the comment was {author.action}, not created: only new comments are commands"
    login = author.login.lower()
    if login == own_login.lower():
        return "the comment is pr-router's own"
    if author.user_type == "Bot" or login.endswith("[bot]"):
        return f"the comment is by a bot ({author.login})"
    if body.lstrip().startswith("<!-- pr-router:"):
        return "the comment carries pr-router's marker"
    return None


def authorize(login: str, read_permission: Callable[[str], Permission]) -> Verdict:
    """Ask GitHub for ``login``'s permission; write, maintain and admin may command."""
    permission = read_permission(login)
    if permission.can_write:
        return Verdict(True, permission)
    refusal = (
        f"Sorry @{login}, only people with write access to this repository can give "
        "pr-router commands; nothing was run."
    )
    return Verdict(False, permission, refusal)
