"""Attack payloads in added test lines: the test a security fix usually ships with.

A fix for path traversal tests ``../../etc/passwd``, one for XSS tests ``<script>`` or
``javascript:``, one for header injection a value holding ``\\r\\nSet-Cookie``, one for a
denial of service a huge input (``"a" * 100000``), one for SSRF the metadata address.
Ordinary tests rarely hold such strings, so one in an added test line is a strong reason.
Only test files in a programming language are read (an HTML test report is not a test).
"""

from __future__ import annotations

import re

from pr_router.changes._snippet import clip
from pr_router.changes.model import FileChange, FileKind, SensitiveHit

__all__ = ["PAYLOAD_CATEGORY", "PAYLOAD_REASON", "payload_hit"]

PAYLOAD_CATEGORY = "attack-payload"
PAYLOAD_REASON = "a test sends an attack payload (traversal, script, CRLF, huge input, SSRF target)"
# Lower-cased; every run is bounded and nothing is nested: linear time on any line.
_PAYLOAD = re.compile(
    r"\.\./\.\./|\.\.%2f|%2e%2e|\.\.\\\\|\.\.%5c|/etc/passwd"  # path traversal
    r"|<script|javascript:|\bon(?:error|load|mouseover|focus)[ \t]*=|\balert\("  # script
    r"|%0d%0a|\\r\\n(?:set-cookie|location|x-[\w-]{1,30}|injected)"  # header injection
    r"|\\x00|%00|file://|gopher://|169\.254\.169\.254"  # null bytes, local files, SSRF targets
    r"|[\"'][^\"'\n]{1,8}[\"'][ \t]*\*[ \t]*\d{4,}|\*[ \t]*10[ \t]*\*\*[ \t]*[4-9]"  # huge input
    r"|\bevil\b|\battacker|\bmalicious"
)


def payload_hit(change: FileChange) -> SensitiveHit | None:
    """The first added line of a test file that holds an attack payload (None if none)."""
    if change.kind is not FileKind.TEST or change.language is None:
        return None
    added = [line for hunk in change.hunks for line in hunk.lines if line.kind == "+"]
    text = "\n".join([line.text for line in added]).lower()  # one pass over the whole file
    found = _PAYLOAD.search(text)
    if found is None:
        return None
    line = added[text.count("\n", 0, found.start())]
    snippet = clip(line.text.strip())
    return SensitiveHit(
        path=change.path,
        category=PAYLOAD_CATEGORY,
        reason=f"{change.path}:{line.new_no}: {PAYLOAD_REASON} (`{snippet}`)",
        line=line.new_no,
        source="content",
        severity="medium",
    )
