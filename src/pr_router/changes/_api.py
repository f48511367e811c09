"""Did the change touch a public surface: exported symbols, CLI flags, config keys?

A heuristic over the added and removed lines, kept as a table of (where, pattern)
rules. It errs towards "yes": its only use is to decide whether a docs
suggestion job is worth running.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

from pr_router.changes.model import FileChange, FileKind

__all__ = ["public_api_changed"]


class ApiRule(NamedTuple):
    """Changed lines matching ``pattern`` in files of ``languages``.

    A ``line_start`` pattern must match at the very start of a line (top-level
    definitions); others may match anywhere. Every alternative of an "anywhere"
    pattern starts with a literal, which keeps the search fast.
    """

    what: str
    languages: frozenset[str]
    pattern: str
    line_start: bool = True


def _langs(*names: str) -> frozenset[str]:
    """A set of language names."""
    return frozenset(names)


API_RULES: tuple[ApiRule, ...] = (
    ApiRule(
        "public Python definition",
        _langs("python", "cython"),
        r"(?:async[ \t]+)?def[ \t]+[A-Za-z]|class[ \t]+[A-Za-z]|__all__\b",
    ),
    ApiRule(
        "exported Go symbol",
        _langs("go"),
        r"func[ \t]+(?:\([^)\n]{0,80}\)[ \t]*)?[A-Z]|(?:type|var|const)[ \t]+[A-Z]",
    ),
    ApiRule("exported JS/TS symbol", _langs("javascript", "typescript"), r"export\b|exports\."),
    ApiRule("CommonJS export", _langs("javascript"), r"module\.exports\b", line_start=False),
    ApiRule(
        "public Rust item",
        _langs("rust"),
        r"[ \t]*pub[ \t]+(?:fn|struct|enum|trait|mod|const|static|type|use|unsafe|async)\b",
    ),
    ApiRule(
        "public JVM/.NET member", _langs("java", "kotlin", "scala", "csharp"), r"[ \t]*public[ \t]+"
    ),
    ApiRule(
        "CLI option",
        _langs("python", "javascript", "typescript", "go", "rust", "c", "cpp"),
        r"add_argument\([ \t]*[\"']-|@click\.(?:option|argument|command|group)\b"
        r"|typer\.(?:Option|Argument)\b|\.option\([ \t]*[\"']-|flag\.(?:String|Bool|Int|Float"
        r"|Duration|Var)\w*\(|#\[(?:arg|clap|command)\(|OPT_[A-Z_]+\(",
        line_start=False,
    ),
)

# Settings and schema files: any changed key is a change to the config surface.
_CONFIG_FILE = re.compile(
    r"(?:^|/)(?:settings|config|configuration|defaults?|options)\.(?:py|ya?ml|json|toml|ini)$"
    r"|schema[^/]*\.json$"
)
_CONFIG_KEY = re.compile(r"\n[ \t]*[\"']?[A-Za-z_][\w.-]{0,80}[\"']?[ \t]*[:=]")
_HEADER_FILE = re.compile(r"\.(?:h|hh|hpp|hxx)$")
# A C/C++ prototype in a header: "type name(args);"
_C_PROTOTYPE = re.compile(r"\n[A-Za-z_][\w \t*]{0,80}[ \t*][a-z_]\w{0,80}\([^;\n]{0,200}\);")
_SURFACE_KINDS = frozenset({FileKind.CODE, FileKind.CONFIG, FileKind.DEPENDENCY})


def public_api_changed(files: Iterable[FileChange]) -> bool:
    """Whether any file adds or removes a public symbol, CLI flag or config key."""
    return any(_touches_surface(change) for change in files if change.kind in _SURFACE_KINDS)


def _touches_surface(change: FileChange) -> bool:
    """One file's verdict from its changed lines."""
    text = "\n".join(
        [line.text for hunk in change.hunks for line in hunk.lines if line.kind != " "]
    )
    if not text:
        return False
    text = "\n" + text  # so that "\n" starts every line, the first one too
    if _CONFIG_FILE.search(change.path.lower()) and _CONFIG_KEY.search(text):
        return True
    if _HEADER_FILE.search(change.path) and _C_PROTOTYPE.search(text):
        return True
    return any(pattern.search(text) for pattern in _patterns(change.language or ""))


@cache
def _patterns(language: str) -> tuple[re.Pattern[str], ...]:
    """The rules of ``language``: one regex for line starts, one for anywhere in a line."""
    rules = [rule for rule in API_RULES if language in rule.languages]
    starts = [rule.pattern for rule in rules if rule.line_start]
    anywhere = [rule.pattern for rule in rules if not rule.line_start]
    patterns: list[re.Pattern[str]] = []
    if starts:
        # A literal "\n" first lets the regex engine jump from line to line.
        patterns.append(re.compile("\n(?:" + "|".join(f"(?:{p})" for p in starts) + ")"))
    if anywhere:
        patterns.append(re.compile("|".join(f"(?:{p})" for p in anywhere)))
    return tuple(patterns)
