"""Changed public signatures: the added or removed definition lines of a diff.

The auxiliary jobs (describe, changelog, docs) do not get the whole diff; they get what a
reader of release notes cares about: which functions, classes, types and CLI flags appeared,
disappeared or changed shape. A line-based match is enough here: it only selects lines to
show, it decides nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pr_router.changes.model import FileChange, FileKind

__all__ = ["SignatureChange", "changed_signatures"]

# Definition lines per language; group "name" is the defined name (for the public check).
_PATTERNS: dict[str, re.Pattern[str]] = {
    "python": re.compile(r"^\s*(?:async\s+)?(?:def|class)\s+(?P<name>\w+)"),
    "go": re.compile(r"^(?:func(?:\s*\([^)]*\))?|type)\s+(?P<name>\w+)"),
    "rust": re.compile(
        r"^\s*pub(?:\([^)]*\))?\s+(?:async\s+)?(?:unsafe\s+)?(?:fn|struct|enum|trait|type|mod)\s+"
        r"(?P<name>\w+)"
    ),
    "javascript": re.compile(
        r"^\s*export\s+(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?"
        r"(?:function\*?|class|const|let|interface|type|enum)\s+(?P<name>[\w$]+)"
    ),
    "java": re.compile(
        r"^\s*public\s+(?:static\s+|final\s+|abstract\s+|sealed\s+)*"
        r"(?:class|interface|enum|record|[\w<>\[\], ?]+\s+(?=\w+\s*\())\s*(?P<name>\w+)"
    ),
    "ruby": re.compile(r"^\s*(?:def|class|module)\s+(?:self\.)?(?P<name>[\w?!=]+)"),
}
_ALIASES = {
    "typescript": "javascript",
    "tsx": "javascript",
    "jsx": "javascript",
    "kotlin": "java",
    "csharp": "java",
    "scala": "java",
}
_EXTENSIONS = {
    ".py": "python", ".pyi": "python", ".go": "go", ".rs": "rust", ".js": "javascript",
    ".mjs": "javascript", ".cjs": "javascript", ".ts": "javascript", ".tsx": "javascript",
    ".jsx": "javascript", ".java": "java", ".kt": "java", ".cs": "java", ".rb": "ruby",
}  # fmt: skip
# CLI flags and config keys declared in code (argparse, click, typer, cobra, clap ...).
_FLAG = re.compile(r"""(?:add_argument|option|Option|Flag\w*|flag|arg)\s*\(\s*["'](--?[\w-]+)""")
_MAX_TEXT = 200


@dataclass(frozen=True, slots=True)
class SignatureChange:
    """One definition line that the PR added (``+``) or removed (``-``)."""

    path: str
    sign: str  # "+" or "-"
    line: int  # head-side number for "+", base-side number for "-"
    text: str


def _language(f: FileChange) -> str | None:
    lang = (f.language or "").lower()
    lang = _ALIASES.get(lang, lang)
    if lang in _PATTERNS:
        return lang
    dot = f.path.rfind(".")
    return _EXTENSIONS.get(f.path[dot:].lower()) if dot >= 0 else None


def _is_public(lang: str, name: str) -> bool:
    if lang == "python":
        return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))
    if lang == "go":
        return name[:1].isupper()
    return True  # the pattern itself requires export/pub/public where the language has one


def _matches(lang: str, text: str) -> bool:
    if _FLAG.search(text):
        return True
    m = _PATTERNS[lang].match(text)
    return m is not None and _is_public(lang, m.group("name"))


def changed_signatures(files: tuple[FileChange, ...], limit: int = 80) -> list[SignatureChange]:
    """Added or removed public definition lines (and CLI flags) of code files, in diff order."""
    out: list[SignatureChange] = []
    for f in files:
        if f.kind is not FileKind.CODE:
            continue
        lang = _language(f)
        if lang is None:
            continue
        for hunk in f.hunks:
            for dl in hunk.lines:
                if dl.kind == " " or not _matches(lang, dl.text):
                    continue
                number = dl.new_no if dl.kind == "+" else dl.old_no
                out.append(SignatureChange(f.path, dl.kind, number or 0, dl.text[:_MAX_TEXT]))
                if len(out) >= limit:
                    return out
    return out
