"""The interdiff inside a kept hunk: lines the old PR diff already added or removed there
are no longer shown as changes, and the hunk stays a valid unified diff whose new-side
lines (where review comments go) are those of the new PR diff."""

from __future__ import annotations

import sys
from pathlib import Path

from unidiff import PatchSet

from pr_router.changes import LineMap, analyze
from pr_router.changes.interdiff import interdiff
from pr_router.changes.model import ChangeSet
from pr_router.github.hunks import parse_diff_map

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from _histories import find

_HEAD = b"diff --git a/m.py b/m.py\nindex 1111111..2222222 100644\n--- a/m.py\n+++ b/m.py\n"
_NEW_FILE = (b"diff --git a/n.py b/n.py\nnew file mode 100644\nindex 0000000..3333333\n"
             b"--- /dev/null\n+++ b/n.py\n")  # fmt: skip


def _diff(*lines: str, header: str = "@@ -10,4 +10,6 @@ def f():", head: bytes = _HEAD) -> bytes:
    return head + (header + "\n" + "\n".join(lines) + "\n").encode()


def _valid(diff: bytes) -> ChangeSet:
    """The diff parsed by unidiff and by ``analyze`` (both check the hunk counts)."""
    PatchSet(diff.decode())
    return analyze(diff)


def _right(changes: ChangeSet, path: str = "m.py") -> dict[int, tuple[str, str]]:
    """New-side line number -> (mark, text) of one file."""
    return {ln.new_no: (ln.kind, ln.text) for f in changes.files if f.path == path
            for h in f.hunks for ln in h.lines if ln.new_no is not None}  # fmt: skip


def test_a_partly_new_hunk_shows_only_the_new_line_as_changed() -> None:
    old = _diff(" a = 1", " b = 2", "+c = 3", "+d = 4", " e = 5", " f = 6",
                header="@@ -10,4 +10,6 @@ def f():")  # fmt: skip
    new = _diff(" a = 1", " b = 2", "+c = 3", "+x = 0", "+d = 4", " e = 5", " f = 6",
                header="@@ -10,4 +10,7 @@ def f():")  # fmt: skip
    inter = interdiff(old, new)
    assert inter.diff.split(b"\n")[4] == b"@@ -10,6 +10,7 @@ def f():"
    shown = _valid(inter.diff)
    assert (shown.signals.lines_added, shown.signals.lines_removed) == (1, 0)
    full = _right(analyze(new))
    assert _right(shown) == {n: ("+" if n == 13 else " ", t) for n, (_, t) in full.items()}
    assert full[13] == ("+", "x = 0")
    assert (inter.reviewed_lines, inter.unchanged_hunks, inter.files) == (2, 0, 1)
    assert "2 already reviewed line(s) shown as context" in inter.describe()


def test_a_hunk_whose_only_change_is_reviewed_lines_is_unchanged() -> None:
    # The push drops one of the lines the PR added: what is left was reviewed.
    old = _diff(" a = 1", "+c = 3", "+d = 4", "+y = 9", " e = 5", header="@@ -10,2 +10,5 @@")
    new = _diff(" a = 1", "+c = 3", "+d = 4", " e = 5", header="@@ -10,2 +10,4 @@")
    inter = interdiff(old, new)
    assert inter.empty
    assert (inter.unchanged_hunks, inter.rewritten_hunks, inter.files) == (1, 1, 0)


def test_a_newly_removed_line_keeps_its_old_number_and_what_precedes_it() -> None:
    old = _diff(" a = 1", "-r1 = 0", "+c = 3", " e = 5", header="@@ -10,3 +10,3 @@")
    new = _diff(" a = 1", "-r1 = 0", "-r2 = 0", "+c = 3", "+d = 4", " e = 5",
                header="@@ -10,4 +10,4 @@")  # fmt: skip
    shown = _valid(interdiff(old, new).diff)
    lines = [(ln.kind, ln.text, ln.old_no) for ln in shown.files[0].hunks[0].lines]
    # r1 stays removed (a removed line after it must keep its number); c, after the last
    # newly removed line, is context; d is new
    assert lines == [(" ", "a = 1", 10), ("-", "r1 = 0", 11), ("-", "r2 = 0", 12),
                     (" ", "c = 3", 13), ("+", "d = 4", None), (" ", "e = 5", 14)]  # fmt: skip
    assert _right(shown) == {k: (v[0] if v[1] != "c = 3" else " ", v[1])
                             for k, v in _right(analyze(new)).items()}  # fmt: skip


def test_an_already_removed_line_after_the_last_new_removal_is_left_out() -> None:
    old = _diff(" a = 1", "-r1 = 0", "+c = 3", " e = 5", header="@@ -10,3 +10,3 @@")
    new = _diff(" a = 1", "-r1 = 0", "+c = 3", "+d = 4", " e = 5", header="@@ -10,3 +10,4 @@")
    inter = interdiff(old, new)
    assert b"@@ -10,3 +10,4 @@\n a = 1\n c = 3\n+d = 4\n e = 5\n" in inter.diff
    assert (inter.reviewed_lines, inter.reviewed_removals) == (1, 1)
    assert _valid(inter.diff).signals.lines_removed == 0


def test_a_new_file_grown_by_a_push_starts_its_old_side_at_line_one() -> None:
    old = _diff("+one", "+two", header="@@ -0,0 +1,2 @@", head=_NEW_FILE)
    new = _diff("+one", "+two", "+three\n\\ No newline at end of file", header="@@ -0,0 +1,3 @@",
                head=_NEW_FILE)  # fmt: skip
    inter = interdiff(old, new)
    assert inter.diff.endswith(
        b"@@ -1,2 +1,3 @@\n one\n two\n+three\n\\ No newline at end of file\n"
    )
    shown = _valid(inter.diff)
    assert shown.files[0].path == "n.py"
    assert shown.signals.lines_added == 1


def test_comments_on_the_shown_lines_are_postable_on_the_whole_pr_diff() -> None:
    # Review comments go on the new side, checked against the PR diff GitHub serves.
    old = _diff(" a = 1", " b = 2", "+c = 3", "+d = 4", " e = 5", " f = 6")
    new = _diff(" a = 1", " b = 2", "+c = 3", "+x = 0", "+d = 4", " e = 5", " f = 6",
                header="@@ -10,4 +10,7 @@ def f():")  # fmt: skip
    shown = LineMap(_valid(interdiff(old, new).diff).files)
    github = parse_diff_map(new)
    for line in range(10, 17):
        assert shown.side_of("m.py", line, "RIGHT")
        assert github.check("m.py", line, "RIGHT") is None


def test_a_real_later_push_shows_only_its_new_lines() -> None:
    # pypa/pip#14049, push 3 adds one line to the SECURITY.md section the PR added on
    # push 2: the PR diff's hunk has 43 added lines, 42 of them reviewed on push 2.
    h = find("pypa/pip", 14049)
    old, new = h.pushes[1].diff, h.pushes[2].diff
    whole = {f.path: f for f in analyze(new).files}
    inter = interdiff(old, new)
    shown = _valid(inter.diff)
    assert [f.path for f in shown.files] == ["SECURITY.md"]
    assert whole["SECURITY.md"].added == 43
    assert (shown.signals.lines_added, shown.signals.lines_removed) == (1, 0)
    assert inter.reviewed_lines == 42
    full = _right(analyze(new), "SECURITY.md")
    lines = _right(shown, "SECURITY.md")
    assert lines
    assert all(full[n][1] == text for n, (_, text) in lines.items())
    assert all(full[n][0] == "+" for n, (mark, _) in lines.items() if mark == "+")


def test_every_later_push_of_the_corpus_stays_a_valid_diff_on_the_new_heads_lines() -> None:
    for repo, number in [("pypa/pip", 14049), ("pallets/flask", 4720), ("pallets/click", 997)]:
        h = find(repo, number)
        for old, new in zip(h.pushes, h.pushes[1:], strict=False):
            inter = interdiff(old.diff, new.diff)
            if inter.empty:
                continue
            whole = analyze(new.diff)
            github = parse_diff_map(new.diff)
            for f in _valid(inter.diff).files:
                full = _right(whole, f.path)
                for line, (mark, text) in _right(analyze(inter.diff), f.path).items():
                    assert full[line][1] == text  # the new head's line, at its number
                    assert mark != "+" or full[line][0] == "+"
                    assert github.check(f.path, line, "RIGHT") is None
