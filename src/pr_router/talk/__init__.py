"""Commands given in PR comments (``/pr-router rerun review``): parse them, check who gave them.

The pure core of the command language, shared by everything that reads PR comments:

- ``parse_comment(body, prefix, jobs=...)`` finds the command lines of a comment (quotes,
  code blocks and HTML comments excluded) and parses each strictly into a ``Command`` or a
  ``CommandError``; ``error_reply`` and ``help_text`` are the fixed replies.
- ``ignore_reason`` says why a comment is not read at all (a bot, pr-router itself, an edit);
  ``authorize`` asks GitHub for the author's permission (write, maintain or admin may
  command) and gives the one-line refusal otherwise.

Executing commands lives with the pipeline; this package only reads and decides.
"""

from __future__ import annotations

from pr_router.talk._grammar import (
    DEFAULT_PREFIX,
    EFFORTS,
    MAX_COMMANDS,
    TIER_NAMES,
    USAGE,
    VERBS,
    Command,
    CommandError,
    ParsedComment,
    Verb,
    accept_reason,
    command_lines,
    parse_comment,
)
from pr_router.talk._text import error_reply, help_text
from pr_router.talk._who import CommentAuthor, Verdict, authorize, ignore_reason

__all__ = [
    "DEFAULT_PREFIX",
    "EFFORTS",
    "MAX_COMMANDS",
    "TIER_NAMES",
    "USAGE",
    "VERBS",
    "Command",
    "CommandError",
    "CommentAuthor",
    "ParsedComment",
    "Verb",
    "Verdict",
    "accept_reason",
    "authorize",
    "command_lines",
    "error_reply",
    "help_text",
    "ignore_reason",
    "parse_comment",
]
