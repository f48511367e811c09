"""LineMap: unit cases, and a truth test against ``git apply`` on real diffs.

Truth test: for each real diff, rebuild a base file per changed file from the
hunks' old-side lines at their old line numbers (unique filler lines elsewhere),
apply the diff with ``git apply`` (no offsets allowed), and check that every line
the map accepts on RIGHT reads the same in the patched file. Files git cannot
rebuild that way (binary, symlinks, CRLF or non-UTF-8 content) are skipped and
counted; most must be checked. Deleted files are checked by git itself: a
wrong base makes the removal fail.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from pr_router.changes import LineMap, parse_diff
from pr_router.changes.model import ChangeStatus, FileChange

from .corpus import LOCAL_REAL, SHARED_REAL, local

SAMPLE0 = "unidiff-samples/sample0.diff"


@pytest.fixture(scope="module")
def sample0() -> LineMap:
    """The map of python-unidiff's sample0 (modified, added and removed files)."""
    return LineMap(parse_diff(local(SAMPLE0)))


def test_side_of_and_text_at(sample0: LineMap) -> None:
    path = "/path/to/new"
    assert sample0.paths() == ("/path/to/new", "/path/to/another_new", "/path/to/existing")
    assert sample0.side_of(path, 1, "RIGHT")
    assert sample0.text_at(path, 1, "RIGHT") == "This is an important"
    assert sample0.side_of(path, 1, "LEFT")  # context line 7 of the new side is old line 1
    assert not sample0.side_of(path, 10, "RIGHT")  # between hunks
    assert not sample0.side_of(path, 4, "LEFT")
    assert sample0.text_at(path, 10, "RIGHT") is None
    assert not sample0.side_of("no/such/file", 1, "RIGHT")


def test_deleted_and_added_files_have_one_side(sample0: LineMap) -> None:
    assert sample0.side_of("/path/to/existing", 1, "LEFT")
    assert not sample0.side_of("/path/to/existing", 1, "RIGHT")
    assert sample0.nearest("/path/to/existing", 3, "RIGHT") == (3, "LEFT")
    assert sample0.side_of("/path/to/another_new", 9, "RIGHT")
    assert not sample0.side_of("/path/to/another_new", 1, "LEFT")


def test_nearest(sample0: LineMap) -> None:
    path = "/path/to/new"
    assert sample0.nearest(path, 5, "RIGHT") == (5, "RIGHT")
    assert sample0.nearest(path, 10, "RIGHT") == (9, "RIGHT")  # tie 9/11: the lower
    assert sample0.nearest(path, 21, "RIGHT") == (20, "RIGHT")
    assert sample0.nearest(path, 1000, "RIGHT") == (28, "RIGHT")
    assert sample0.nearest(path, -5, "LEFT") == (1, "LEFT")
    assert sample0.nearest("no/such/file", 1, "RIGHT") is None


def test_clamp_range_stays_in_one_hunk(sample0: LineMap) -> None:
    path = "/path/to/new"
    assert sample0.clamp_range(path, 2, 5, "RIGHT") == (2, 5)
    assert sample0.clamp_range(path, 5, 2, "RIGHT") == (2, 5)
    assert sample0.clamp_range(path, 7, 13, "RIGHT") == (11, 13)  # 7-9 and 11-13: later wins
    assert sample0.clamp_range(path, 5, 14, "RIGHT") == (5, 9)  # 5 lines beat 4
    assert sample0.clamp_range(path, 21, 21, "RIGHT") is None
    assert sample0.clamp_range("/path/to/existing", 1, 3, "RIGHT") is None
    assert sample0.clamp_range("/path/to/existing", 1, 3, "LEFT") == (1, 3)


def test_last_entry_wins_for_repeated_paths() -> None:
    first = b"diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n"
    second = b"diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -5 +5 @@\n-c\n+d\n"
    linemap = LineMap(parse_diff(first + second))
    assert linemap.text_at("f", 5, "RIGHT") == "d"
    assert linemap.text_at("f", 1, "RIGHT") is None


# --- truth test against git apply ---

HAS_GIT = shutil.which("git") is not None
_GLOB_SPECIAL = re.compile(r"[][*?\\]")  # escaped so that --exclude matches the literal path


@dataclass
class Tally:
    """How many files the truth test checked, and how many it had to skip."""

    checked: int = 0
    skipped: int = 0


def _base_text(change: FileChange) -> bytes:
    """A base file consistent with the hunks: old-side lines in place, filler elsewhere."""
    # No hunks (pure rename, mode change, empty file): an empty base fits all of them.
    size = max((h.old_start + h.old_len - 1 for h in change.hunks), default=0)
    lines = [f"filler line {n} of the rebuilt base" for n in range(1, size + 1)]
    for hunk in change.hunks:
        for line in hunk.lines:
            if line.old_no is not None:
                lines[line.old_no - 1] = line.text
    text = "\n".join(lines)
    if not any(h.no_newline_old for h in change.hunks):
        text += "\n" if lines else ""
    return text.encode("utf-8")


def _unusable(change: FileChange) -> bool:
    """Files this rebuild cannot handle."""
    return change.binary or change.symlink or change.submodule


def _apply_and_check(data: bytes, workdir: Path, tally: Tally) -> None:
    """Rebuild the bases, git-apply the diff, compare every RIGHT line of the map."""
    files = parse_diff(data)
    exclude: list[str] = []
    for change in files:
        if _unusable(change):
            exclude += [change.path, change.old_path or change.path]
            continue
        if change.status is not ChangeStatus.ADDED:
            base = workdir / (change.old_path or change.path)
            base.parent.mkdir(parents=True, exist_ok=True)
            base.write_bytes(_base_text(change))
    (workdir / "change.patch").write_bytes(data)
    command = ["git", "apply", "--verbose", "--whitespace=nowarn"]
    command += ["--exclude=" + _GLOB_SPECIAL.sub(r"\\\g<0>", path) for path in exclude]
    done = subprocess.run(
        [*command, "change.patch"], cwd=workdir, capture_output=True, check=False, timeout=60
    )
    candidates = [f for f in files if f.hunks and f.status is not ChangeStatus.DELETED]
    if done.returncode != 0 or b"offset" in done.stderr:
        tally.skipped += len(candidates)
        return
    linemap = LineMap(files)
    for change in candidates:
        if _unusable(change) or change.path in exclude:
            tally.skipped += 1
            continue
        patched = (workdir / change.path).read_bytes().decode("utf-8", "replace").split("\n")
        for hunk in change.hunks:
            for number in range(hunk.new_start, hunk.new_start + hunk.new_len):
                expected = patched[number - 1]
                expected = expected[:-1] if expected.endswith("\r") else expected
                assert linemap.side_of(change.path, number, "RIGHT")
                assert linemap.text_at(change.path, number, "RIGHT") == expected
        tally.checked += 1


def _truth(rows: list[Path], tmp_path: Path) -> Tally:
    """Run the truth test over several diffs, each in its own directory, git in parallel."""

    def one(index: int) -> Tally:
        tally = Tally()
        workdir = tmp_path / str(index)
        workdir.mkdir()
        _apply_and_check(rows[index].read_bytes(), workdir, tally)
        return tally

    with ThreadPoolExecutor(max_workers=8) as pool:
        tallies = list(pool.map(one, range(len(rows))))
    return Tally(sum(t.checked for t in tallies), sum(t.skipped for t in tallies))


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_truth_on_local_real_diffs(tmp_path: Path) -> None:
    tally = _truth([row.path for row in LOCAL_REAL], tmp_path)
    assert tally.checked >= 40
    assert tally.checked >= 0.8 * (tally.checked + tally.skipped)


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_truth_on_shared_real_diffs(tmp_path: Path) -> None:
    if not SHARED_REAL:
        pytest.skip("shared fixtures not present")
    tally = _truth([row.path for row in SHARED_REAL], tmp_path)
    # Skipped: whole diffs whose files have CRLF or non-UTF-8 content (the rebuilt
    # base cannot reproduce those bytes), the black reformat among them.
    assert tally.checked >= 900
    assert tally.checked >= 0.85 * (tally.checked + tally.skipped)
