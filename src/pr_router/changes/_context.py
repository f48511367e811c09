"""Reasons that come from around a change: its hunk's context, its file, its manifest lines.

A one-line fix often names nothing dangerous itself: an ``if`` added to a view that already
carries ``@login_required``, a ``raise`` in ``class HeaderDict``, a changed argument next to
``X-Forwarded-For`` handling. The hunk's unchanged lines and its ``@@`` section heading (the
enclosing function or class) carry the signal. Two reasons come from them, at most one each
per file:

- ``guard`` (high): a changed line that is a guard (``if``, ``raise``, ``abort(...)``, an
  error response, a decorator) inside security context: the file is security-relevant by its
  path, or the hunk's context shows authentication decorators, proxy / forwarded-header
  handling, or an enclosing function about access, escaping, redirects, headers or uploads;
- ``security-context`` (medium): any changed code line next to authentication decorators or
  proxy / forwarded-header handling.

``dependency_line`` tells a manifest edit that declares a dependency from one that only
touches metadata (classifiers, tool settings).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pr_router.changes._snippet import clip
from pr_router.changes.model import DiffLine, FileChange, Hunk, SensitiveHit

__all__ = ["CONTEXT_CATEGORIES", "dependency_line", "hunk_context_hits"]

CONTEXT_CATEGORIES = ("guard", "security-context")

# Path categories that make a guard in the file a reason (the file is about security), and
# the request parsers among the "http-parsing" paths (urls.py is routing, not parsing).
_GUARDED_PATHS = frozenset({"auth", "session-cookie", "crypto", "payments", "security", "shell"})
_PARSER_FILE = re.compile(r"(?:^|/)[\w-]*(?:parser|multipart|headers?)[\w-]*\.\w+$")
# What in a hunk's unchanged lines and section heading marks security context. Each
# ``[^...]`` run is bounded and nothing is nested: linear time on any line.
_DECORATOR = (
    r"@[\w.]{0,60}(?:login|auth\w*|perm\w*|admin_\w+|staff\w*|superuser\w*|csrf\w*|requires?_\w+"
    r"|protect\w*|restrict\w*|access\w*|authenticated)\b"
)
_PROXY = (
    r"x-forwarded[\w-]*|\bforwarded\b|\bproxy_(?:headers?|auth\w*|url|fix)\b|\bproxyfix\b"
    r"|\bremote_addr\b|\btrusted_(?:hosts?|proxies)\b|\breal_ip\b"
)
# Searched apart: a pattern that starts with a literal ("@") lets re jump from one "@" to
# the next; the proxy words are looked for as substrings first (they are rare).
_DECORATOR_ONLY = re.compile(_DECORATOR)
_PROXY_ONLY = re.compile(_PROXY)
_ENCLOSING_WORDS = (
    r"(?:auth|perm|access(?!or)|allow|forbid|login|passw|token(?!i[sz])|secret|csrf|saniti|escape|safe"
    r"|verify|redirect|upload|download|proxy|forward|header|host|static|media|privileg|owner"
    r"|visib|member|attach|markdown|render|travers)"
)
_ENCLOSING = re.compile(r"\b(?:def|function|class)[ \t]+\w{0,40}?" + _ENCLOSING_WORDS + r"\w*")
# _ENCLOSING in two steps (see _enclosing): a definition and its name, then the words in it.
_DEFINITION = re.compile(r"\b(?:def|function|class)[ \t]+(\w+)")
_ENCLOSING_NAME = re.compile(_ENCLOSING_WORDS)
_NAME_REACH = 40  # the \w{0,40}? above: a word must start within the name's first 40 chars
_DEFINITION_WORDS = ("def", "function", "class")
_GUARD = re.compile(
    r"^[ \t]*(?:if|elif|raise|assert|except|throw)\b|\babort\("
    r"|^[ \t]*@[\w.]{0,60}(?:login|auth|perm|admin_|staff|superuser|csrf|require|protect|restrict"
    r"|access|expose|route|limit|rate|validat|check)"
    r"|\breturn[ \t]+(?:none|false|http\w*|redirect|abort|self\.send_error|web\.http\w+"
    r"|jsonresponse|response\()"
    r"|\b(?:permissiondenied|forbidden|badrequest|unauthori[sz]ed|http40\d)\w*"
    r"|\b(?:full_clean|is_valid|validate\w*|assert_\w+|sanitiz\w*|escape\w*)\("
)
_COMMENT = re.compile(r"^[ \t]*(?:#|//|/\*|\*|<!--|$)")
# A dependency declared: a name with a version constraint (requirements, pyproject, setup.py),
# or a package.json entry with a version. Group 1 or 2 is the package name.
_REQUIREMENT = re.compile(
    r"^[ \t]*[\"']?([a-z0-9][\w.-]{0,100})(?:\[[\w,. -]{0,100}\])?[ \t]*(?:[=~!<>]=|[<>@;]|$)"
    r"|^[ \t]*\"([@\w./-]{1,100})\"[ \t]*:[ \t]*\"[\^~><=]?\d"
)
# Where the code comes from: a VCS or URL requirement, another package index.
_SOURCE = re.compile(r"\bgit\+|@[ \t]*https?://|--(?:extra-)?index-url\b|--trusted-host\b|\bfile:")
_REQUIREMENTS_FILE = re.compile(r"(?:requirements|constraints)[^/]*\.(?:txt|in)$|\.in$")
_MANIFEST_WORDS = frozenset({"install_requires", "dependencies", "requires", "version", "name"})


def hunk_context_hits(
    change: FileChange, file_hits: Iterable[SensitiveHit], seen: set[str]
) -> list[SensitiveHit]:
    """``guard`` and ``security-context`` hits from the hunks' surroundings (one each)."""
    path_reason = next(
        (hit.category for hit in file_hits if hit.context and hit.category in _GUARDED_PATHS),
        "request-parsing" if _parser_file(change.path.lower()) else None,
    )
    hits: list[SensitiveHit] = []
    if path_reason is None and not _may_have_context(change.hunks):
        return hits  # the common case: one look at the whole file's surroundings
    for hunk in change.hunks:
        if {"guard", "security-context"} <= seen:
            break
        around = _surroundings(hunk)
        strong = _strong(around)
        why = strong.group() if strong else _enclosing(around)
        if why is None and path_reason is None:
            continue  # the common case, decided without reading the changed lines
        changed = [
            line for line in hunk.lines if line.kind != " " and not _COMMENT.match(line.text)
        ]
        if not changed:
            continue
        context = f"`{clip(why)}`" if why else f"{path_reason} code"
        if "guard" not in seen and (why or path_reason):
            guard = next((line for line in changed if _GUARD.search(line.text.lower())), None)
            if guard is not None:
                seen.add("guard")
                hits.append(_hit(change, guard, "guard", context, "high"))
                continue
        if "security-context" not in seen and strong:
            seen.add("security-context")
            hits.append(_hit(change, changed[0], "security-context", context, "medium"))
    return hits


def dependency_line(change: FileChange) -> DiffLine | None:
    """The first manifest line that adds a dependency or changes where one comes from.

    A version bump or a removed pin is routine (it is None here: the manifest is context);
    a package that was not there before, or a VCS / URL / index source, is new third-party code.
    """
    lines = [
        line
        for hunk in change.hunks
        for line in hunk.lines
        if line.kind != " " and not _COMMENT.match(line.text)
    ]
    if not _REQUIREMENTS_FILE.search(change.path.lower()):
        lines = [
            line
            for line in lines
            if "=" in line.text
            or ":" in line.text
            or "<" in line.text
            or ">" in line.text
            or line.text.strip().startswith(('"', "'"))
        ]
    removed = {name for line in lines if line.kind == "-" and (name := _package(line.text))}
    for line in lines:
        if _SOURCE.search(line.text.lower()) and line.kind == "+":
            return line
        name = _package(line.text) if line.kind == "+" else None
        if name and name not in removed and name not in _MANIFEST_WORDS:
            return line
    return None


def _package(text: str) -> str | None:
    """The package a manifest line names, normalised (None if it names none)."""
    found = _REQUIREMENT.search(text.lower())
    if found is None:
        return None
    name = found.group(1) or found.group(2) or ""
    return re.sub(r"[-_.]+", "-", name)


def _parser_file(path: str) -> bool:
    """A request parser by its file name (multipart.py, http_headers.py ...)."""
    if "parser" in path or "multipart" in path or "header" in path:
        return _PARSER_FILE.search(path) is not None
    return False


def _may_have_context(hunks: Iterable[Hunk]) -> bool:
    """Whether some hunk's surroundings may hold security context (a cheap, sure test)."""
    around = "\n".join(
        [hunk.section for hunk in hunks]
        + [ln.text for hunk in hunks for ln in hunk.lines if ln.kind == " "]
    ).lower()
    return _strong(around) is not None or _enclosing(around) is not None


def _strong(around: str) -> re.Match[str] | None:
    """The first auth decorator or proxy / forwarded-header handling in ``around``.

    Each pattern runs only where its literal text occurs; the earlier match wins (the two
    never match at the same place: a decorator starts with "@", the proxy words do not).
    """
    decorator = _DECORATOR_ONLY.search(around) if "@" in around else None
    if not (
        "forward" in around or "proxy" in around or "remote_addr" in around
        or "trusted_" in around or "real_ip" in around
    ):  # fmt: skip
        return decorator
    proxy = _PROXY_ONLY.search(around)
    if decorator is None or (proxy is not None and proxy.start() < decorator.start()):
        return proxy
    return decorator


def _enclosing(around: str) -> str | None:
    """The first function or class about access, escaping, redirects ... in ``around``.

    What ``_ENCLOSING.search(around)`` finds, read faster: only lines that hold ``def``,
    ``function`` or ``class`` are looked at, and a name is checked for the words once.
    """
    starts: set[int] = set()
    for word in _DEFINITION_WORDS:
        pos = around.find(word)
        while pos != -1:
            starts.add(around.rfind("\n", 0, pos) + 1)
            end = around.find("\n", pos)
            pos = around.find(word, end) if end != -1 else -1
    for start in sorted(starts):
        end = around.find("\n", start)
        for found in _DEFINITION.finditer(around, start, end if end != -1 else len(around)):
            keyword = _ENCLOSING_NAME.search(found.group(1))
            if keyword is not None and keyword.start() <= _NAME_REACH:
                return found.group()
    return None


def _surroundings(hunk: Hunk) -> str:
    """The hunk's section heading and unchanged lines, lower-cased."""
    return "\n".join(
        [hunk.section, *(line.text for line in hunk.lines if line.kind == " ")]
    ).lower()


def _hit(
    change: FileChange, line: DiffLine, category: str, context: str, severity: str
) -> SensitiveHit:
    """A hit on ``line``, naming the context that makes it count."""
    if line.kind == "+":
        where = f"{change.path}:{line.new_no}"
    else:
        where = f"{change.path}:{line.old_no} (removed line)"
    snippet = clip(line.text.strip())
    if category == "guard":
        reason = f"changes a guard (`{snippet}`) inside security context ({context})"
    else:
        reason = f"changes code (`{snippet}`) inside security context ({context})"
    return SensitiveHit(
        path=change.path,
        category=category,
        reason=f"{where}: {reason}",
        line=line.new_no,
        source="content",
        severity="high" if severity == "high" else "medium",
    )
