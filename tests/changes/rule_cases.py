"""Shared by the tests that pair each security rule's real positive line with its negative."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from pr_router.changes import parse_diff, sensitive_hits
from pr_router.changes.model import SensitiveHit


def one_hunk_diff(
    path: str, added: Sequence[str], *, context: Sequence[str] = (), section: str = ""
) -> bytes:
    """A one-hunk diff of ``path``: ``context`` unchanged lines, then ``added`` lines."""
    start = 10
    body = "".join(f" {line}\n" for line in context) + "".join(f"+{line}\n" for line in added)
    head = f"@@ -{start},{len(context)} +{start},{len(context) + len(added)} @@ {section}".rstrip()
    return f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n{head}\n{body}".encode()


def hits(data: bytes) -> list[SensitiveHit]:
    """Every hit of the diff, context hits included."""
    return list(sensitive_hits(parse_diff(data)))


def sensitive(data: bytes) -> list[str]:
    """The categories that make the change sensitive (context hits left out)."""
    return [hit.category for hit in hits(data) if not hit.context]


def assert_rule_case(rule: str, positive: bytes, negative: bytes, source: str) -> None:
    """``rule`` flags the real positive line and not its real counterpart."""
    assert rule in sensitive(positive), (source, hits(positive))
    assert rule not in sensitive(negative), (source, hits(negative))


def rule_cases(cases: Sequence[tuple[str, bytes, bytes, str]]) -> Any:
    """Parametrize a test over (rule, positive diff, negative diff, attribution) cases."""
    return pytest.mark.parametrize(
        ("rule", "positive", "negative", "source"),
        cases,
        ids=[f"{case[0]}-{n}" for n, case in enumerate(cases)],
    )
