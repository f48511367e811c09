"""Property tests: random files and edits through difflib, and arbitrary bytes.

For a random old file and a random edit of it, ``difflib.unified_diff`` (with
git-style headers) gives a diff; parsing it must count exactly the edit, and the
line map must read the new file on RIGHT and the old file on LEFT.
"""

from __future__ import annotations

import difflib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pr_router.changes import LineMap, analyze, parse_diff
from pr_router.errors import DiffError

# Line text: anything but line terminators (a trailing \r would read as CRLF).
_TEXT = st.text(
    alphabet=st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)),
    max_size=12,
)
_LINES = st.lists(st.sampled_from(["", "a", "b", "def f():", "+", "-", "@@ -1 +1 @@"]) | _TEXT,
                  max_size=25)  # fmt: skip


@st.composite
def _edits(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """An old file and an edited copy (inserts, deletes and replacements)."""
    old = draw(_LINES)
    new = list(old)
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(new)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert" or not new:
            new.insert(at, draw(_TEXT))
        elif action == "delete":
            del new[min(at, len(new) - 1)]
        else:
            new[min(at, len(new) - 1)] = draw(_TEXT)
    return old, new


def _diff(old: list[str], new: list[str], context: int, path: str = "dir/f.txt") -> bytes:
    """A git-style unified diff of two line lists."""
    body = "".join(
        difflib.unified_diff(
            [line + "\n" for line in old],
            [line + "\n" for line in new],
            f"a/{path}",
            f"b/{path}",
            n=context,
        )
    )
    return f"diff --git a/{path} b/{path}\n{body}".encode()


def _expected_counts(old: list[str], new: list[str]) -> tuple[int, int]:
    """Added and removed lines of difflib's own matching."""
    added = removed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if tag != "equal":
            removed += i2 - i1
            added += j2 - j1
    return added, removed


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_edits(), st.integers(0, 4))
def test_parse_and_map_random_edits(edit: tuple[list[str], list[str]], context: int) -> None:
    old, new = edit
    data = _diff(old, new, context)
    if old == new:
        return  # difflib writes nothing, so there is no diff to parse
    (change,) = parse_diff(data)
    assert change.path == "dir/f.txt"
    assert (change.added, change.removed) == _expected_counts(old, new)
    linemap = LineMap([change])
    right = [n for n in range(1, len(new) + 1) if linemap.side_of(change.path, n, "RIGHT")]
    left = [n for n in range(1, len(old) + 1) if linemap.side_of(change.path, n, "LEFT")]
    assert right or left
    for number in right:
        assert linemap.text_at(change.path, number, "RIGHT") == new[number - 1]
    for number in left:
        assert linemap.text_at(change.path, number, "LEFT") == old[number - 1]
    for hunk in change.hunks:
        start = max(hunk.new_start - 1, 0) if hunk.new_len else 0
        expected = new[start : start + hunk.new_len]
        assert [ln.text for ln in hunk.lines if ln.kind != "-"] == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_only_raise_diff_error(data: bytes) -> None:
    message = None
    try:
        analyze(data)
    except DiffError as error:
        message = str(error)
    if message is not None:
        assert message.startswith("<diff>")
        assert "\n" not in message


_VALID = _diff(["one", "two", "three", "four"], ["one", "2", "three", "four", "five"], 1)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(_VALID) - 1), st.binary(min_size=1, max_size=4), st.booleans())
def test_mutated_diffs_only_raise_diff_error(at: int, noise: bytes, replace: bool) -> None:
    data = _VALID[:at] + noise + _VALID[at + (len(noise) if replace else 0) :]
    try:
        result = analyze(data)
    except DiffError:
        return
    for change in result.files:
        LineMap([change]).nearest(change.path, 1, "RIGHT")
