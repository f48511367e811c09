"""The detector's fast paths find exactly what the plain regexes find, on real diffs.

The anchors of a content rule are a cheap first test (one trie pass per file), and the
context reader searches only the lines that can hold a definition. Both must be sure tests:
on every line of the security-detector corpus (``benchmarks/security_corpus``, real commits
with attribution in its README) where a rule's pattern matches, one of its anchors occurs,
and the two-step searches agree with the single regexes they stand for.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from pr_router.changes import _context, parse_diff
from pr_router.changes._rules import CONTENT_RULES, ContentRule
from pr_router.changes.model import FileChange

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "security_corpus" / "diffs"


@cache
def _files() -> tuple[FileChange, ...]:
    """Every parsed file of the corpus."""
    if not CORPUS.is_dir():
        pytest.skip("benchmarks/security_corpus is absent")
    return tuple(f for path in sorted(CORPUS.glob("*.diff")) for f in parse_diff(path.read_bytes()))


def _changed_lines() -> list[str]:
    return [
        line.text.lower() for f in _files() for h in f.hunks for line in h.lines if line.kind != " "
    ]


@pytest.mark.parametrize("rule", CONTENT_RULES, ids=lambda rule: rule.category)
def test_every_match_of_a_rule_holds_one_of_its_anchors(rule: ContentRule) -> None:
    """A line the pattern matches always holds an anchor (else the trie would skip it)."""
    pattern = re.compile(rule.pattern)
    matched = [line for line in _changed_lines() if pattern.search(line)]
    missing = [line for line in matched if not any(a in line for a in rule.anchors)]
    assert missing == []


def test_two_step_enclosing_search_equals_the_single_regex() -> None:
    """_enclosing reads only definition lines, yet finds what _ENCLOSING.search finds."""
    checked = found = 0
    for change in _files():
        for hunk in change.hunks:
            around = _context._surroundings(hunk)
            plain = _context._ENCLOSING.search(around)
            assert _context._enclosing(around) == (plain.group() if plain else None)
            checked += 1
            found += plain is not None
    assert checked > 1000
    assert found > 20


def test_split_strong_search_equals_the_combined_regex() -> None:
    """Decorators and proxy words searched apart give the combined regex's first match."""
    combined = re.compile(f"{_context._DECORATOR}|{_context._PROXY}")
    found = 0
    for change in _files():
        for hunk in change.hunks:
            around = _context._surroundings(hunk)
            plain, fast = combined.search(around), _context._strong(around)
            assert (fast.group() if fast else None) == (plain.group() if plain else None)
            found += plain is not None
    assert found > 10


def _corpus_paths() -> set[str]:
    return {change.path for change in _files()} | {
        change.old_path for change in _files() if change.old_path
    }


def test_path_rules_fast_paths_find_what_the_plain_patterns_find() -> None:
    """Stems are a sure test, and the rules run behind a "/" find the same categories."""
    from pr_router.changes import _classify, _security
    from pr_router.changes._rules import PATH_RULES

    plain = re.compile("|".join(f"(?P<r{i}>{r.pattern})" for i, r in enumerate(PATH_RULES)))
    for path in _corpus_paths():
        lowered = path.lower()
        expected = [m.lastgroup for m in plain.finditer(lowered)]
        assert [m.lastgroup for m in _security._path_pattern().finditer("/" + lowered)] == expected
        for rule in PATH_RULES:
            if re.search(rule.pattern, lowered):
                assert any(stem in lowered for stem in rule.stems), (path, rule.category)
        for kind_rule in (*_classify._EARLY_RULES, *_classify._RULES):
            assert bool(kind_rule.pattern.search(lowered)) == bool(
                kind_rule.slashed.search("/" + lowered)
            ), (path, kind_rule.kind)
