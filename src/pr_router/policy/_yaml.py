"""YAML text to plain Python values, remembering where every key and value was written.

PyYAML's composer gives a node tree with marks; this module turns it into dicts, lists and
scalars itself instead of using the constructor, so that it can reject what PyYAML accepts
silently (duplicate keys), stop alias bombs, and resolve plain scalars by the YAML 1.2 core
schema (``yes``/``on``/``no`` stay strings, ``010`` is ten, ``3.5`` is an exact ``Decimal``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["MAX_DEPTH", "MAX_NODES", "Document", "FieldPath", "Problem", "YamlProblems", "read"]

FieldPath = tuple[str | int, ...]
MAX_NODES = 100_000  # values built, aliases expanded: far above any real policy
MAX_DEPTH = 64
_MAX_NUMBER_CHARS = 100
_MAX_EXPONENT = 999

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+")
_INT_BASED = re.compile(r"0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a policy, at a 1-based line and column."""

    message: str
    line: int | None = None
    column: int | None = None
    path: FieldPath = ()
    hint: str | None = None


class YamlProblems(Exception):
    """The text is not a YAML mapping pr-router can read; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if problems else "invalid YAML")
        self.problems = problems


@dataclass(slots=True)
class Document:
    """The policy data as plain Python values plus where each piece was written."""

    data: dict[str, object]
    values: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def value_at(self, path: FieldPath) -> tuple[int, int]:
        """Where the value at ``path`` (or its closest written parent) starts."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return (1, 1)

    def key_at(self, path: FieldPath) -> tuple[int, int]:
        """Where the key naming ``path`` is written (the value's place if it has no key)."""
        return self.keys.get(path) or self.value_at(path)


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _problem(node: Node, message: str, path: FieldPath = (), hint: str | None = None) -> Problem:
    line, column = _pos(node)
    return Problem(message, line, column, path, hint)


def _number(node: ScalarNode, path: FieldPath) -> int | Decimal | float | str:
    """A plain scalar that looks numeric, within limits that keep validation safe."""
    text = node.value.replace("_", "") if "_" in node.value else node.value
    if len(text) > _MAX_NUMBER_CHARS:
        raise YamlProblems([_problem(node, f"number too long ({len(text)} characters)", path)])
    if _INT.fullmatch(text):
        return int(text, 10)
    if _INT_BASED.fullmatch(text):
        return int(text, 0)
    try:
        value = Decimal(text)
    except InvalidOperation:  # the pattern lets only decimals through: the exponent is absurd
        value = Decimal("Infinity")
    if not value.is_finite() or abs(value.adjusted()) > _MAX_EXPONENT:
        raise YamlProblems([_problem(node, f"number out of range: {node.value}", path)])
    return value


def _scalar(node: ScalarNode, path: FieldPath) -> object:
    if node.tag not in _SCALAR_TAGS:
        raise YamlProblems([_problem(node, f"unsupported YAML tag {node.tag!r}", path)])
    text = node.value
    if node.style is not None:  # quoted or block: always a string
        if _FLOAT.fullmatch(text.strip()):
            _number(node, path)  # a quoted number still reaches Decimal fields: same limits
        return text
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if _FLOAT.fullmatch(text.replace("_", "")) or _INT_BASED.fullmatch(text):
        return _number(node, path)
    return text


class _Builder:
    """Walks the node tree once, counting every value built so aliases cannot explode."""

    def __init__(self) -> None:
        self.doc = Document(data={})
        self.count = 0
        self.duplicates: list[Problem] = []

    def build(self, node: Node, path: FieldPath, depth: int) -> object:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlProblems([_problem(node, "too many nodes (alias expansion?)")])
        if depth > MAX_DEPTH:
            message = f"nested deeper than {MAX_DEPTH} levels (recursive alias?)"
            raise YamlProblems([_problem(node, message)])
        self.doc.values[path] = _pos(node)
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            if node.tag != f"{_TAG}seq":
                raise YamlProblems([_problem(node, f"unsupported YAML tag {node.tag!r}", path)])
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return _scalar(node, path)

    def _mapping(self, node: MappingNode, path: FieldPath, depth: int) -> dict[str, object]:
        if node.tag != f"{_TAG}map":
            raise YamlProblems([_problem(node, f"unsupported YAML tag {node.tag!r}", path)])
        explicit = [(k, v) for k, v in node.value if k.tag != f"{_TAG}merge"]
        merges = [v for k, v in node.value if k.tag == f"{_TAG}merge"]
        result: dict[str, object] = {}
        # `<<: *base` merges: explicit keys win, then earlier merged mappings win.
        for merged in reversed(self._merge_sources(merges, path)):
            result.update(self._mapping(merged, path, depth + 1))
        seen: dict[str, int] = {}
        for key_node, value_node in explicit:
            if not isinstance(key_node, ScalarNode):
                message = "mapping keys must be plain text, not a list or mapping"
                raise YamlProblems([_problem(key_node, message, path)])
            key = key_node.value
            if key in seen:
                message = f"duplicate key {key!r} (first on line {seen[key]})"
                hint = "YAML keeps only the last one silently; remove or merge one of them"
                self.duplicates.append(_problem(key_node, message, (*path, key), hint))
                continue
            seen[key] = key_node.start_mark.line + 1
            self.doc.keys[(*path, key)] = _pos(key_node)
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    @staticmethod
    def _merge_sources(merges: list[Node], path: FieldPath) -> list[MappingNode]:
        sources: list[MappingNode] = []
        for merge in merges:
            items = merge.value if isinstance(merge, SequenceNode) else [merge]
            for item in items:
                if not isinstance(item, MappingNode):
                    raise YamlProblems([_problem(item, "`<<` merges only mappings", path)])
                sources.append(item)
        return sources


def _reader_problem(text: str, exc: yaml.reader.ReaderError) -> Problem:
    """A character YAML refuses (control characters): the reader knows only its offset."""
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
    return Problem(f"invalid YAML: {exc.reason} (character U+{char:04X})", line, column)


def _syntax_problem(text: str, exc: yaml.YAMLError) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_problem(text, exc)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line: int | None = None if mark is None else mark.line + 1
    column: int | None = None if mark is None else mark.column + 1
    tab = _tab_near(text, line, column)
    if line is not None and tab is not None:
        hint = "YAML does not allow tabs for indentation; indent with spaces"
        return Problem("tab character where YAML expects spaces", line, tab, (), hint)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    return Problem(f"invalid YAML: {problem}" + (f" ({context})" if context else ""), line, column)


def _tab_near(text: str, line: int | None, column: int | None) -> int | None:
    """1-based column of the tab that broke parsing: at the error or in the indentation."""
    lines = text.splitlines()
    if line is None or column is None or line > len(lines):
        return None
    line_text = lines[line - 1]
    if line_text[column - 1 : column] == "\t":
        return column
    indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
    index = indent.find("\t")
    return None if index < 0 else index + 1


def read(text: str) -> Document:
    """Parse policy text into a located ``Document``; raises ``YamlProblems``."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise YamlProblems([_syntax_problem(text, exc)]) from None
    except RecursionError:
        raise YamlProblems([Problem("invalid YAML: nested too deeply", 1, 1)]) from None
    if root is None:
        hint = "copy the bundled policies/default.yml and edit it; it documents every key"
        raise YamlProblems([Problem("the policy file is empty", 1, 1, (), hint)])
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else f"{root.value!r}"
        message = f"expected a mapping of policy keys (tiers:, jobs:, ...), got {kind}"
        raise YamlProblems([_problem(root, message)])
    builder = _Builder()
    data = builder.build(root, (), 0)
    if builder.duplicates:
        raise YamlProblems(builder.duplicates)
    assert isinstance(data, dict)
    builder.doc.data = data
    return builder.doc
