"""Find the security-relevant parts of a change, by path and by changed content.

Content costs one pass per file: a single regex, the trie of every anchor of
every rule in the file's scope, runs over the lower-cased added and removed
lines. A rule's own pattern then runs only on a line where one of its anchors
was found. Only the first hit per category and file is kept: one reason per
concern is what a reviewer (and the router) needs. For rules that match names and
calls, an import line is a last resort: the line that calls ``redirect(...)`` is
the reason, not ``from shop.http import redirect``; the import counts only when no
changed line of the file uses what it imports (the import is the whole change).

Hits come out strongest first (``hit_rank``): content hits before whole-file (kind
and path) hits, each by ``STRENGTH`` of their category, then in diff order. The
router quotes the first one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from pr_router.changes._context import dependency_line, hunk_context_hits
from pr_router.changes._payload import payload_hit
from pr_router.changes._rules import (
    CONTENT_RULES,
    KIND_RULES,
    PATH_RULES,
    SCOPE_OF_KIND,
    STRENGTH,
    ContentRule,
    PathRule,
    Scope,
    in_scope,
)
from pr_router.changes._snippet import clip
from pr_router.changes._strength import counting_hits
from pr_router.changes.model import DiffLine, FileChange, FileKind, Hunk, Risk, SensitiveHit

__all__ = ["hit_rank", "is_sensitive", "risk_of", "sensitive_hits"]

_PATH_KINDS = frozenset({FileKind.CODE, FileKind.CONFIG})
# Size thresholds (changed lines of code-like files) for the risk levels.
_LARGE = 400
_HUGE = 1000
_RISKY_KINDS = frozenset(
    {FileKind.CODE, FileKind.MIGRATION, FileKind.CONFIG, FileKind.CI, FileKind.DEPENDENCY}
)
_STRENGTH = {category: rank for rank, category in enumerate(STRENGTH)}
_SEGMENT_START = r"(?:^|[/_.-])"  # how path rules start (_rules._SEG)
# Templates get the template rules only (their sinks), SQL files the migration rules.
_TEMPLATE = re.compile(
    r"\.(?:x?html?|jinja2?|j2|djhtml|mako|tmpl|tpl|hbs|handlebars|ejs|mustache|twig|liquid)$"
)
# ``import x``, ``import {x} from "y"``, ``from x import y`` (Python, JS/TS, Java, Go).
_IMPORT = re.compile(r"^[ \t]*(?:import[ \t{*]|from[ \t]+[\w.]+[ \t]+import\b)")


def sensitive_hits(files: Iterable[FileChange]) -> tuple[SensitiveHit, ...]:
    """Every reason, file by file, to treat the change as security-sensitive."""
    changes = tuple(files)
    # Code that moved (removed here, added there) is scanned where it was added only:
    # a refactor then costs about half, and its reasons point at the new place.
    moved = {
        line.text.strip()
        for change in changes
        if change.kind in SCOPE_OF_KIND
        for hunk in change.hunks
        for line in hunk.lines
        if line.kind == "+"
    }
    hits: list[SensitiveHit] = []
    for change in changes:
        hits.extend(_file_hits(change, moved))
    return tuple(sorted(hits, key=hit_rank))  # stable: diff order within a rank


def hit_rank(hit: SensitiveHit) -> tuple[bool, bool, int]:
    """Sort key, strongest first: sensitive before context, content before path hits, strength."""
    return (hit.context, hit.source != "content", _STRENGTH.get(hit.category, len(_STRENGTH)))


def risk_of(hits: Iterable[SensitiveHit], files: Iterable[FileChange]) -> Risk:
    """low / medium / high: a sensitive sink or guard changed, or sensitive context around it.

    high: a high-severity hit among those that make the change sensitive (shell, SQL, access
    control, a guard in security context ...), or a sensitive change that is huge; medium: a
    sensitive change otherwise, a lone weak hit or context only (a security-relevant file or
    a migration changed), or a large change.
    """
    hits = tuple(hits)
    severities = {hit.severity for hit in counting_hits(hits)}
    size = sum(f.changed_lines for f in files if f.kind in _RISKY_KINDS)
    if "high" in severities or (severities and size > _HUGE):
        return "high"
    if hits or size > _LARGE:
        return "medium"
    return "low"


def is_sensitive(hits: Iterable[SensitiveHit]) -> bool:
    """True when the content hits count: one is strong, or weak ones corroborate each other."""
    return bool(counting_hits(hits))


def _file_hits(change: FileChange, moved: set[str]) -> list[SensitiveHit]:
    """The hits of one file: its kind, its path, then its changed lines."""
    hits: list[SensitiveHit] = []
    kind_rule = KIND_RULES.get(change.kind)
    if kind_rule is not None:
        hits.append(_kind_hit(change, kind_rule))
    if change.kind in _PATH_KINDS:
        hits.extend(_path_hits(change))
    elif change.kind is FileKind.TEST and (payload := payload_hit(change)) is not None:
        hits.append(payload)
    scope = SCOPE_OF_KIND.get(change.kind)
    if scope == "code" and _TEMPLATE.search(change.path.lower()):
        scope = "template"
    elif scope == "code" and change.path.lower().endswith(".sql"):
        scope = "migration"  # a SQL file is schema and statements, not a query built from input
    if scope is not None and change.hunks:
        found = _content_hits(change, _scanner(scope), moved)
        if scope != "template":
            seen = {hit.category for hit in found}
            found += hunk_context_hits(change, hits, seen)
        hits.extend(found)
    return hits


def _path_hit(change: FileChange, rule: PathRule) -> SensitiveHit:
    """A context hit on the file as a whole: where it lives, not what changed."""
    return SensitiveHit(
        path=change.path,
        category=rule.category,
        reason=f"{change.path}: {rule.reason}",
        severity=rule.severity,
        context=True,
    )


def _kind_hit(change: FileChange, rule: PathRule) -> SensitiveHit:
    """A dependency manifest declaring a dependency counts; any other kind hit is context."""
    if change.kind is FileKind.DEPENDENCY:
        line = dependency_line(change)
        if line is not None:
            where = line.new_no if line.kind == "+" else line.old_no
            return SensitiveHit(
                path=change.path,
                category=rule.category,
                reason=f"{change.path}:{where}: {rule.reason} (`{clip(line.text.strip())}`)",
                line=line.new_no,
                severity=rule.severity,
            )
    return _path_hit(change, rule)


def _path_hits(change: FileChange) -> list[SensitiveHit]:
    """Hits from the path alone, one per category."""
    seen: set[str] = set()
    hits: list[SensitiveHit] = []
    lowered = change.path.lower()
    stems = _path_stems()
    if stems is not None and stems.search(lowered) is None:
        return hits
    for match in _path_pattern().finditer("/" + lowered):
        name = match.lastgroup
        rule = PATH_RULES[int(name[1:])] if name else None
        if rule is not None and rule.category not in seen:
            seen.add(rule.category)
            hits.append(_path_hit(change, rule))
    return hits


@dataclass(frozen=True, slots=True)
class _Scanner:
    """The content rules of one scope, ready to run."""

    anchors: re.Pattern[str]  # every anchor, as one trie-shaped regex
    candidates: dict[str, tuple[int, ...]]  # matched anchor -> rules that may apply
    rules: tuple[ContentRule, ...]
    patterns: tuple[re.Pattern[str], ...]  # each rule's own, line-level pattern
    unless: tuple[re.Pattern[str] | None, ...]  # each rule's exception (None: no exception)
    wanted: int  # how many categories the rules have: the scan stops when each has a hit


def _content_hits(change: FileChange, scanner: _Scanner, moved: set[str]) -> list[SensitiveHit]:
    """Hits in the added, then the removed (and not re-added) lines: one per category."""
    # Added lines first, so that a reason points at new code where it can; the
    # sections (enclosing functions) last, placed at their hunk's first change.
    hunks = change.hunks
    changed = [line for hunk in hunks for line in hunk.lines if line.kind == "+"]
    changed += [
        line
        for hunk in hunks
        for line in hunk.lines
        if line.kind == "-" and line.text.strip() not in moved
    ]
    if not changed:
        return []
    changed += [section for hunk in hunks if hunk.section and (section := _section_line(hunk))]
    text = "\n".join([line.text for line in changed]).lower()
    seen: set[str] = set()
    hits: list[SensitiveHit] = []
    imports: dict[str, SensitiveHit] = {}  # call-style hits on import lines: a last resort
    imported: frozenset[int] | None = None if "import" in text else frozenset()
    rules, patterns, unless, candidates = (
        scanner.rules, scanner.patterns, scanner.unless, scanner.candidates
    )  # fmt: skip
    line_index = pos = 0
    tried: set[int] = set()  # rules already run on the current line: each runs once per line
    lowered = ""
    for match in scanner.anchors.finditer(text):
        start = match.start()
        newlines = text.count("\n", pos, start)
        pos = start
        if newlines:
            line_index += newlines
            tried = set()
            lowered = ""
        for i in candidates[match.group()]:
            if i in tried:
                continue
            tried.add(i)
            rule = rules[i]
            if rule.category in seen:
                continue
            line = changed[line_index]
            lowered = lowered or line.text.lower()
            exception = unless[i]
            if exception is not None and exception.search(lowered):
                continue
            if found := patterns[i].search(lowered):
                if imported is None:  # import lines are found once, when a hit first asks
                    imported = _import_lines(changed)
                hit = _content_hit(change, rule, line, found.start(), found.end())
                if rule.calls and line_index in imported:
                    imports.setdefault(rule.category, hit)
                else:
                    seen.add(rule.category)
                    hits.append(hit)
        if len(seen) == scanner.wanted:
            break
    # An import is the reason only when nothing in the file uses the name it brings in.
    return hits + [hit for category, hit in imports.items() if category not in seen]


def _import_lines(lines: list[DiffLine]) -> frozenset[int]:
    """The indices of import lines, and of the names in a ``from x import (`` list."""
    found: set[int] = set()
    open_list = False
    for index, line in enumerate(lines):
        text = line.text
        if open_list and line.kind == lines[index - 1].kind:
            found.add(index)
            open_list = ")" not in text
        elif text.lstrip().startswith(("import", "from")) and _IMPORT.match(text):
            found.add(index)
            open_list = "(" in text and ")" not in text
        else:
            open_list = False
    return frozenset(found)


def _section_line(hunk: Hunk) -> DiffLine | None:
    """A hunk's section text, as a line at the hunk's first change (None if empty)."""
    first = next((line for line in hunk.lines if line.kind == "+"), None) or next(
        (line for line in hunk.lines if line.kind == "-"), None
    )
    if not hunk.section or first is None:
        return None
    return DiffLine(first.kind, hunk.section, first.old_no, first.new_no)


def _content_hit(
    change: FileChange, rule: ContentRule, line: DiffLine, start: int, end: int
) -> SensitiveHit:
    """A hit on one changed line, quoting what matched."""
    snippet = clip(line.text[start:end].strip())
    if line.kind == "+":
        where = f"{change.path}:{line.new_no}"
    else:
        where = f"{change.path}:{line.old_no} (removed line)"
    return SensitiveHit(
        path=change.path,
        category=rule.category,
        reason=f"{where}: {rule.reason} (`{snippet}`)",
        line=line.new_no,
        source="content",
        severity=rule.severity,
    )


@cache
def _scanner(scope: Scope) -> _Scanner:
    """The scanner of one scope (built on first use, then shared)."""
    rules = tuple(rule for rule in CONTENT_RULES if in_scope(rule, scope))
    owners: dict[str, set[int]] = {}
    for index, rule in enumerate(rules):
        for anchor in rule.anchors:
            owners.setdefault(anchor, set()).add(index)
    # The trie matches the longest anchor at a position, so a match also stands
    # for every shorter anchor inside it ("set-cookie" holds "cookie").
    candidates = {
        anchor: tuple(sorted({i for other, own in owners.items() if other in anchor for i in own}))
        for anchor in owners
    }
    return _Scanner(
        anchors=re.compile(_trie(owners)),
        candidates=candidates,
        rules=rules,
        patterns=tuple(re.compile(rule.pattern) for rule in rules),
        unless=tuple(re.compile(rule.unless) if rule.unless else None for rule in rules),
        wanted=len({rule.category for rule in rules}),
    )


_Trie = dict[str, "_Trie"]


def _trie(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, factored as a trie so each position costs little."""
    root: _Trie = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    return _trie_node(root)


def _trie_node(node: _Trie) -> str:
    """The regex of one trie node: its branches, optional if a word ends here."""
    branches = [re.escape(char) + _trie_node(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return ("(?:" + body + ")" if len(branches) == 1 else body) + "?"
    return body


@cache
def _path_stems() -> re.Pattern[str] | None:
    """The stems of every path rule as one trie (None when a rule has none)."""
    if any(not rule.stems for rule in PATH_RULES):
        return None
    return re.compile(_trie(stem for rule in PATH_RULES for stem in rule.stems))


@cache
def _path_pattern() -> re.Pattern[str]:
    """Every path rule as one alternation, a named group per rule (compiled on first use).

    It runs on ``"/" + path``, so a segment start, ``(?:^|[/_.-])``, is one character class: re
    then skips to the next separator instead of trying every rule at every position.
    """
    return re.compile(
        "|".join(
            f"(?P<r{i}>{rule.pattern.replace(_SEGMENT_START, '[/_.-]').replace('(?:^|/)', '/')})"
            for i, rule in enumerate(PATH_RULES)
        )
    )
