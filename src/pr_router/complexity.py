"""The PR author's complexity note: a line in the PR body, or labels named in the policy.

    pr-router: domain=security scope=cross-service ambiguity=high

One line of its own in the PR description (quotes and code blocks do not count), with
``key=value`` pairs from a fixed vocabulary. Labels can say the same: the policy's
``complexity.labels`` maps a label name to pairs (``risky: ambiguity=high``). Parsing is
strict: an unknown key or value, a repeated key, two note lines or a label that contradicts
the body makes the whole note ignored, and the plan says why.

A note is a routing input: rule conditions test it (``note_domain_any``,
``note_scope_at_least``, ``note_ambiguity_at_least``), and its ``tier``/``effort`` ask to
raise the critical jobs. It can only raise: a note asking for less is reported, not obeyed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pr_router.talk._grammar import command_lines

__all__ = [
    "AMBIGUITIES",
    "DOMAINS",
    "NOTE_PREFIX",
    "SCOPES",
    "ComplexityNote",
    "parse_pairs",
    "read_note",
]

NOTE_PREFIX = "pr-router:"
DOMAINS = ("general", "docs", "ui", "api", "data", "infra", "security")
SCOPES = ("local", "module", "cross-module", "cross-service")  # narrowest first
AMBIGUITIES = ("low", "medium", "high")
_VALUES: dict[str, tuple[str, ...]] = {
    "domain": DOMAINS,
    "scope": SCOPES,
    "ambiguity": AMBIGUITIES,
    "tier": ("efficient", "standard", "frontier"),
    "effort": ("low", "medium", "high"),
}


@dataclass(frozen=True, slots=True)
class ComplexityNote:
    """What the author says about the change (empty when there is no valid note)."""

    values: Mapping[str, str] = field(default_factory=dict)
    source: str = ""  # "PR description", "label risky", ...
    problems: tuple[str, ...] = ()  # why the note was ignored

    def get(self, key: str) -> str | None:
        """One value (``domain``, ``scope``, ``ambiguity``, ``tier``, ``effort``) or None."""
        return self.values.get(key)

    def describe(self) -> str:
        """The note as pairs, in vocabulary order (``domain=security scope=module``)."""
        return " ".join(f"{k}={self.values[k]}" for k in _VALUES if k in self.values)

    def at_least(self, key: str, level: str) -> bool:
        """True when an ordered value (scope, ambiguity) is at least ``level``."""
        have = self.values.get(key)
        order = _VALUES[key]
        return have is not None and order.index(have) >= order.index(level)


def parse_pairs(text: str) -> tuple[dict[str, str], list[str]]:
    """``key=value`` pairs of a note, and what is wrong with them."""
    pairs: dict[str, str] = {}
    problems: list[str] = []
    for word in text.split():
        key, sep, value = word.partition("=")
        if not sep or key not in _VALUES:
            problems.append(f"unknown key {word!r} (keys: {', '.join(_VALUES)})")
        elif value not in _VALUES[key]:
            problems.append(f"{key}={value!r} is not one of {', '.join(_VALUES[key])}")
        elif key in pairs:
            problems.append(f"{key} is given twice")
        else:
            pairs[key] = value
    if not pairs and not problems:
        problems.append("the note has no key=value pair")
    return pairs, problems


def _from_body(body: str) -> tuple[dict[str, str], list[str]]:
    lines = list(command_lines(body, NOTE_PREFIX))
    if len(lines) > 1:
        return {}, [f"{len(lines)} note lines in the PR description; write one"]
    if not lines:
        return {}, []
    return parse_pairs(lines[0][1][len(NOTE_PREFIX) :])


def read_note(body: str, labels: Iterable[str] = (),
              label_map: Mapping[str, str] | None = None) -> ComplexityNote:  # fmt: skip
    """The note of a PR: its description's note line, merged with the policy's labels."""
    values, problems = _from_body(body)
    sources = ["PR description"] if values else []
    for label in sorted(set(labels) & set(label_map or {})):
        pairs, bad = parse_pairs((label_map or {})[label])
        problems += [f"label {label!r}: {p}" for p in bad]
        for key, value in pairs.items():
            if values.get(key, value) != value:
                problems.append(f"label {label!r} says {key}={value}, the note {key}={values[key]}")
            values[key] = value
        sources.append(f"label {label!r}")
    if problems:
        return ComplexityNote(problems=tuple(problems))
    return ComplexityNote(values, ", ".join(sources))
