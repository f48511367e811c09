"""The interdiff on real PR histories (benchmarks/lifetime_corpus): what the author changed
between two pushes, without what came in from the base branch."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pr_router.changes import analyze
from pr_router.changes.interdiff import interdiff, split_files, with_context

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from _histories import find


def _paths(diff: bytes) -> list[str]:
    return [f.path for f in split_files(diff)]


def test_a_base_merged_into_the_pr_brings_nothing_to_review() -> None:
    # pytest-dev/pytest#14702: the second push merges main into the PR. A plain compare of
    # the two heads would show main's commits; the PR's own hunks did not change.
    h = find("pytest-dev/pytest", 14702)
    before, merge = h.pushes[1], h.pushes[2]
    assert merge.merges_base
    assert merge.base != before.base
    inter = interdiff(before.diff, merge.diff)
    assert inter.empty
    assert inter.unchanged_hunks == len([x for f in split_files(merge.diff) for x in f.hunks])


def test_a_merge_that_resolves_a_conflict_keeps_what_the_author_wrote() -> None:
    # scrapy/scrapy#6757, push 6 merges master and edits the release notes on the way.
    h = find("scrapy/scrapy", 6757)
    inter = interdiff(h.pushes[4].diff, h.pushes[5].diff)
    assert h.pushes[5].merges_base
    assert _paths(inter.diff) == ["docs/news.rst"]
    assert inter.unchanged_hunks >= 7


def test_a_rebase_and_force_push_brings_nothing_to_review() -> None:
    # pallets/click#997 was rebased: its pushes were replayed onto the tip of their time,
    # the last push is the real head on the newer base (the force-push).
    h = find("pallets/click", 997)
    old, new = h.pushes[-2], h.pushes[-1]
    assert old.synthetic
    assert not new.synthetic
    assert old.base != new.base
    assert old.diff != new.diff  # other line numbers and context: the base moved
    assert interdiff(old.diff, new.diff).empty


def test_a_push_that_only_reverts_leaves_nothing_to_review() -> None:
    # pypa/pip#13974: "Bump for development" undoes the version bump of the first commit.
    h = find("pypa/pip", 13974)
    inter = interdiff(h.pushes[0].diff, h.pushes[1].diff)
    assert inter.empty
    assert inter.reverted_files == ("src/pip/__init__.py",)
    assert "1 file(s) no longer changed by the PR" in inter.describe()


def test_a_push_that_only_touches_docs_is_seen_as_docs_only() -> None:
    # scrapy/scrapy#6527: "Fix docs example" after a first commit that changed code too.
    h = find("scrapy/scrapy", 6527)
    inter = interdiff(h.pushes[0].diff, h.pushes[1].diff)
    assert analyze(inter.diff).signals.docs_only
    assert analyze(h.pushes[1].diff).signals.code_changed


def _new_side(hunk: bytes) -> tuple[bytes, ...]:
    """A hunk's new-side start and count, and its new-side lines without their marks."""
    header, *lines = hunk.split(b"\n")
    return (header.split(b" ")[2], *(ln[1:] for ln in lines if ln[:1] in (b" ", b"+")))


@pytest.mark.parametrize(("repo", "number"), [("pypa/pip", 14049), ("pallets/flask", 4720)])
def test_kept_hunks_are_the_new_pr_diffs_own(repo: str, number: int) -> None:
    h = find(repo, number)
    for old, new in zip(h.pushes, h.pushes[1:], strict=False):
        inter = interdiff(old.diff, new.diff)
        for f in split_files(inter.diff):
            whole = {g.path: g for g in split_files(new.diff)}[f.path]
            # the new side as the new head has it: line numbers valid there
            assert {_new_side(x) for x in f.hunks} <= {_new_side(x) for x in whole.hunks}


def test_sensitive_context_holds_the_whole_files_hunks_with_reviewed_lines_as_context() -> None:
    # pypa/pip#13946, push 7 changes one of the two hunks the PR has in base_command.py.
    h = find("pypa/pip", 13946)
    old, new = h.pushes[5].diff, h.pushes[6].diff
    inter = interdiff(old, new)
    paths = [p for p in _paths(inter.diff) if p.endswith("cli/base_command.py")]
    assert paths
    full = with_context(inter.diff, old, new, {paths[0]})
    at = _paths(full).index(paths[0])
    whole = {f.path: f for f in split_files(new)}[paths[0]]
    first = split_files(full)[at]
    assert len(first.hunks) == len(whole.hunks) == 2
    assert len(split_files(inter.diff)[at].hunks) == 1
    assert first.header == whole.header
    # every hunk of the PR's file, on the new head's lines
    assert [_new_side(x) for x in first.hunks] == [_new_side(x) for x in whole.hunks]
    shown = analyze(full).files[at]
    pr = {f.path: f for f in analyze(new).files}[paths[0]]
    pushed = {f.path: f for f in analyze(inter.diff).files}[paths[0]]
    assert [x.new_start for x in shown.hunks] == [x.new_start for x in pr.hunks]
    # but only what the push changed counts as changed
    assert (shown.added, shown.removed) == (pushed.added, pushed.removed)
    assert shown.added < pr.added
