"""File names as diffs write them: C-quoted names, a/ b/ prefixes, trailing timestamps."""

from __future__ import annotations

import re

DEV_NULL = "/dev/null"

# git's C-style escapes inside a quoted name ("a/foo\tbar", "b/\303\242.py").
_SIMPLE_ESCAPES = {
    "a": 7,
    "b": 8,
    "t": 9,
    "n": 10,
    "v": 11,
    "f": 12,
    "r": 13,
    '"': 34,
    "\\": 92,
}
_OCTAL = re.compile(r"[0-7]{1,3}")

# One-letter prefixes git uses: a/ b/ by default, c/ i/ o/ w/ with diff.mnemonicPrefix,
# 1/ 2/ for --no-index.
_PREFIX = re.compile(r"[abciow12]/")

# A timestamp that diff(1) writes after the name, with or without the tab that
# should separate them (tabs are lost when a patch is pasted through an editor).
_TRAILING_TIMESTAMP = re.compile(
    r"[\t ]+\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?: ?[+-]\d\d:?\d\d)?$"
)


def unquote(name: str) -> str:
    """Decode a C-quoted git name (``"a/foo\\tbar"``); unquoted names pass through."""
    if len(name) < 2 or not (name.startswith('"') and name.endswith('"')):
        return name
    body = name[1:-1]
    if "\\" not in body:
        return body
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\" or i + 1 == len(body):
            out += ch.encode("utf-8", "replace")
            i += 1
            continue
        nxt = body[i + 1]
        octal = _OCTAL.match(body, i + 1)
        if octal:
            out.append(int(octal.group(), 8) & 0xFF)
            i = octal.end()
        else:
            out.append(_SIMPLE_ESCAPES.get(nxt, ord(nxt) if nxt.isascii() else 63))
            i += 2
    return out.decode("utf-8", "replace")


def strip_timestamp(name: str, timestamp: str | None) -> str:
    """Rebuild a ``---``/``+++`` name that a tab inside it, or a timestamp after it, split.

    unidiff cuts the name at the first tab. When the name itself holds a tab, the
    remainder up to the last tab is still part of the name; the last field is the
    timestamp (or svn's "(revision N)").
    """
    if timestamp and "\t" in timestamp:
        name = name + "\t" + timestamp.rsplit("\t", 1)[0]
    if name.startswith('"'):
        return name
    return _TRAILING_TIMESTAMP.sub("", name)


def split_git_header(line: str) -> tuple[str, str] | None:
    """The two names of a ``diff --git A B`` line, quoted names decoded; None if unclear."""
    rest = line[len("diff --git ") :].rstrip("\r")
    if rest.startswith('"'):
        end = _closing_quote(rest, 1)
        if end is None or rest[end + 1 : end + 2] != " ":
            return None
        first, second = rest[: end + 1], rest[end + 2 :]
        return unquote(first), unquote(second)
    if rest.endswith('"'):
        start = rest.rfind(' "')
        if start < 0:
            return None
        return rest[:start], unquote(rest[start + 1 :])
    # Unquoted names may hold spaces: when both sides name the same file the
    # line is "<p>NAME <q>NAME", so the split point is in the middle.
    half = (len(rest) - 1) // 2
    if len(rest) % 2 == 1 and rest[half] == " ":
        first, second = rest[:half], rest[half + 1 :]
        if _without_prefix(first) == _without_prefix(second):
            return first, second
    parts = rest.split(" ")
    if len(parts) == 2:
        return parts[0], parts[1]
    return None


def _closing_quote(text: str, start: int) -> int | None:
    """Index of the quote that closes a C-quoted string opened before ``start``."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return None


def _without_prefix(name: str) -> str:
    """``name`` without a one-letter ``x/`` prefix."""
    return name[2:] if _PREFIX.match(name) else name


def git_prefixed(first: str, second: str) -> bool:
    """Whether a git header's names carry prefixes (a/ b/) rather than --no-prefix paths."""
    return bool(_PREFIX.match(first) and _PREFIX.match(second) and first[0] != second[0])


def strip_prefix(name: str) -> str:
    """Drop a one-letter git prefix (``a/``, ``b/`` ...) from a name."""
    return _without_prefix(name)


def strip_plain_prefixes(source: str, target: str) -> tuple[str, str]:
    """Names of a non-git unified diff with their first component dropped, as ``patch -p1``.

    Only when the two names start with different directories (``a/`` vs ``b/``,
    ``linux-old/`` vs ``linux/``) or with a git-style prefix: ``src/x.c.orig`` vs
    ``src/x.c`` keeps its ``src/``.
    """
    src, tgt = source.lstrip("/"), target.lstrip("/")
    both_nested = DEV_NULL not in (source, target) and "/" in src and "/" in tgt
    if both_nested and src.split("/", 1)[0] != tgt.split("/", 1)[0]:
        return _drop_first(source), _drop_first(target)
    return (
        source if source == DEV_NULL else strip_prefix(source),
        target if target == DEV_NULL else strip_prefix(target),
    )


def _drop_first(name: str) -> str:
    """``name`` without its first path component."""
    return name.lstrip("/").split("/", 1)[1]
