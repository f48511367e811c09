"""Evaluate policy conditions against the facts of a run, with a readable why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pathspec

from pr_router.changes.model import ChangeSet
from pr_router.complexity import ComplexityNote
from pr_router.context import PRContext
from pr_router.policy.models import Condition
from pr_router.pushes import PushFacts

__all__ = ["Facts", "evaluate"]

_RISK_ORDER = {"low": 0, "medium": 1, "high": 2}


@dataclass(frozen=True)
class Facts:
    """Everything a condition can test: the change set and the PR context."""

    changes: ChangeSet
    context: PRContext
    push: PushFacts | None = None  # a later push: ``changes`` is what it changed
    note: ComplexityNote = field(default_factory=ComplexityNote)  # the author's note

    def whole(self) -> Facts:
        """The facts of the whole PR (on a push, what the PR changes, not just the push)."""
        return self if self.push is None else Facts(self.push.whole, self.context, None, self.note)

    @cached_property
    def kinds(self) -> frozenset[str]:
        """File kinds present in the change."""
        return frozenset(str(f.kind) for f in self.changes.files)

    @cached_property
    def paths(self) -> tuple[str, ...]:
        """Changed paths (head side)."""
        return tuple(f.path for f in self.changes.files)


def _join(items: Sequence[str]) -> str:
    return ", ".join(items)


def _check_kinds(c: Condition, f: Facts) -> tuple[bool, str] | None:
    if c.kinds_any is None:
        return None
    hit = sorted(f.kinds.intersection(c.kinds_any))
    if hit:
        return True, f"changes {_join(hit)} files"
    return False, f"no {_join(c.kinds_any)} files changed"


def _check_paths(c: Condition, f: Facts) -> tuple[bool, str] | None:
    if c.paths_any is None:
        return None
    spec = pathspec.GitIgnoreSpec.from_lines(c.paths_any)
    hit = [p for p in f.paths if spec.match_file(p)]
    if hit:
        more = f" (+{len(hit) - 1} more)" if len(hit) > 1 else ""
        return True, f"{hit[0]}{more} matches {_join(c.paths_any)}"
    return False, f"no changed path matches {_join(c.paths_any)}"


def _check_labels(c: Condition, f: Facts) -> tuple[bool, str] | None:
    labels = set(f.context.labels)
    if c.labels_any is not None:
        hit = sorted(labels.intersection(c.labels_any))
        if not hit:
            return False, f"PR has none of the labels {_join(c.labels_any)}"
        if c.labels_none is None:
            return True, f"PR is labelled {_join(hit)}"
    if c.labels_none is not None:
        bad = sorted(labels.intersection(c.labels_none))
        if bad:
            return False, f"PR is labelled {_join(bad)}"
        return True, f"PR has none of the labels {_join(c.labels_none)}"
    return None if c.labels_any is None else (True, "PR labels match")


def _check_event(c: Condition, f: Facts) -> tuple[bool, str] | None:
    if c.events is not None and f.context.event not in c.events:
        return False, f"runs on {_join(c.events)} events, not {f.context.event}"
    if c.actions is not None:
        action = f.context.action or "none"
        if action not in c.actions:
            return False, f"PR action is {action}, not {_join(c.actions)}"
        return True, f"PR was {action.replace('_', ' ')}"
    return None


def _flag(name: str, want: bool | None, have: bool, yes: str, no: str) -> tuple[bool, str] | None:
    if want is None:
        return None
    return (want == have), (yes if have else no)


def _check_flags(c: Condition, f: Facts) -> list[tuple[bool, str] | None]:
    s = f.changes.signals
    touched = next((p for p in f.paths if _is_changelog(p)), "the changelog")
    return [
        _flag(
            "code_changed", c.code_changed, s.code_changed, "PR changes code", "PR changes no code"
        ),
        _flag(
            "docs_only",
            c.docs_only,
            s.docs_only,
            "PR changes only docs",
            "PR changes more than docs",
        ),
        _flag(
            "security_sensitive",
            c.security_sensitive,
            s.security_sensitive,
            "change is security-sensitive"
            + (f" ({s.sensitive_reasons[0]})" if s.sensitive_reasons else ""),
            "no security-sensitive change detected",
        ),
        _flag(
            "public_api_changed",
            c.public_api_changed,
            s.public_api_changed,
            "public API, CLI or config surface changed",
            "no public API, CLI or config surface changed",
        ),
        _flag(
            "changelog_touched",
            c.changelog_touched,
            s.changelog_touched,
            f"PR already edits {touched}",
            "PR does not edit the changelog",
        ),
        _flag("ci_failed", c.ci_failed, f.context.ci_failed, "a CI run failed", "no failed CI run"),
        _flag(
            "body_empty",
            c.body_empty,
            not f.context.body.strip(),
            "PR description is empty",
            "PR already has a description",
        ),
    ]


def _is_changelog(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].upper()
    return name.startswith(("CHANGELOG", "CHANGES", "HISTORY", "NEWS"))


def _check_size(c: Condition, f: Facts) -> list[tuple[bool, str] | None]:
    s = f.changes.signals
    out: list[tuple[bool, str] | None] = []
    if c.risk_at_least is not None:
        ok = _RISK_ORDER[s.risk] >= _RISK_ORDER[c.risk_at_least]
        out.append((ok, f"risk is {s.risk}"))
    if c.risk_at_most is not None:
        ok = _RISK_ORDER[s.risk] <= _RISK_ORDER[c.risk_at_most]
        out.append((ok, f"risk is {s.risk}"))
    if c.min_changed_lines is not None:
        ok = s.changed_lines >= c.min_changed_lines
        out.append((ok, f"{s.changed_lines} changed lines"))
    if c.max_changed_lines is not None:
        ok = s.changed_lines <= c.max_changed_lines
        out.append((ok, f"{s.changed_lines} changed lines"))
    return out


def _check_note(c: Condition, f: Facts) -> list[tuple[bool, str] | None]:
    note = f.note
    out: list[tuple[bool, str] | None] = []
    if c.note_domain_any is not None:
        domain = note.get("domain")
        ok = domain in c.note_domain_any
        out.append((ok, f"complexity note: domain={domain}" if domain else "no note domain"))
    for key, level in (("scope", c.note_scope_at_least),
                       ("ambiguity", c.note_ambiguity_at_least)):  # fmt: skip
        if level is not None:
            have = note.get(key)
            why = f"complexity note: {key}={have}" if have else f"no note {key}"
            out.append((note.at_least(key, level), why))
    return out


_CHECKS: tuple[Callable[[Condition, Facts], tuple[bool, str] | None], ...] = (
    _check_event,
    _check_kinds,
    _check_paths,
    _check_labels,
)


def evaluate(condition: Condition, facts: Facts) -> tuple[bool, list[str]]:
    """Whether ``condition`` holds, and why: what held, or the first thing that did not."""
    results = [check(condition, facts) for check in _CHECKS]
    results += _check_flags(condition, facts) + _check_size(condition, facts)
    results += _check_note(condition, facts)
    held: list[str] = []
    for result in results:
        if result is None:
            continue
        ok, why = result
        if not ok:
            return False, [why]
        held.append(why)
    if condition.any is not None:
        failures: list[str] = []
        for alternative in condition.any:
            alt_ok, alt_why = evaluate(alternative, facts)
            if alt_ok:
                return True, held + alt_why
            failures += alt_why
        return False, ["; ".join(failures)]
    return True, held
