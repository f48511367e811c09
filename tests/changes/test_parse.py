"""parse_diff on real diffs (numstat oracle), edge-case corpora, and bad input."""

from __future__ import annotations

import contextlib
import time

import pytest

from pr_router.changes import parse_diff
from pr_router.changes.model import ChangeStatus, FileKind
from pr_router.errors import DiffError

from .corpus import LOCAL_REAL, SHARED_REAL, ManifestRow, local, shared

TYPECHANGE = "urllib3__b83e69b10db9.diff"


def _params(rows: list[ManifestRow]) -> list[object]:
    """Parametrize over manifest rows, or one skipped case when the corpus is absent."""
    if rows:
        return [pytest.param(row, id=row.path.name) for row in rows]
    return [pytest.param(None, marks=pytest.mark.skip(reason="shared fixtures not present"))]


def _check_numstat(row: ManifestRow) -> None:
    """Counts equal git's numstat, except for the documented typechange diff."""
    files = parse_diff(row.path.read_bytes(), source=row.path.name)
    counts = (len(files), sum(f.added for f in files), sum(f.removed for f in files))
    if row.path.name == TYPECHANGE:
        # symlink -> file: git prints a delete and a create, numstat one row.
        assert counts == (row.files + 1, row.added, row.removed)
        return
    assert counts == (row.files, row.added, row.removed)


@pytest.mark.parametrize("row", _params(LOCAL_REAL))
def test_local_real_diffs_match_numstat(row: ManifestRow) -> None:
    _check_numstat(row)


@pytest.mark.parametrize("row", _params(SHARED_REAL))
def test_shared_real_diffs_match_numstat(row: ManifestRow) -> None:
    _check_numstat(row)


def test_typechange_is_a_delete_plus_a_create_of_the_same_path() -> None:
    files = parse_diff(local(f"real/{TYPECHANGE}"))
    by_path: dict[str, list[ChangeStatus]] = {}
    for change in files:
        by_path.setdefault(change.path, []).append(change.status)
    twice = {path: s for path, s in by_path.items() if len(s) == 2}
    assert len(twice) == 1
    (statuses,) = twice.values()
    assert sorted(statuses) == [ChangeStatus.ADDED, ChangeStatus.DELETED]
    deleted = next(f for f in files if f.path in twice and f.status is ChangeStatus.DELETED)
    assert deleted.symlink
    assert deleted.old_mode == "120000"


def test_sample0_line_numbers() -> None:
    """The line numbers python-unidiff's own tests pin for sample0."""
    first, added, removed = parse_diff(local("unidiff-samples/sample0.diff"))
    hunk1, hunk2, hunk3 = first.hunks
    assert [ln.new_no for ln in hunk1.lines] == list(range(1, 10))
    assert [ln.old_no for ln in hunk1.lines] == [None] * 6 + [1, 2, 3]
    assert hunk1.section == "Section Header"
    assert [ln.new_no for ln in hunk2.lines] == [
        11, 12, 13, None, None, None, None, None, None, None, 14, 15, 16, None, 17, 18, 19, 20,
    ]  # fmt: skip
    assert [ln.old_no for ln in hunk2.lines] == [
        5, 6, 7, 8, 9, 10, 11, 12, 13, 14, None, 15, 16, 17, None, 18, 19, 20,
    ]  # fmt: skip
    assert [ln.old_no for ln in hunk3.lines] == [22, 23, 24, None, None, None, None]
    assert (first.added, first.removed, first.status) == (12, 8, ChangeStatus.MODIFIED)
    assert added.status is ChangeStatus.ADDED
    assert added.added == 9
    assert removed.status is ChangeStatus.DELETED
    assert removed.removed == 9


@pytest.mark.parametrize("name", ["bzr.diff", "git.diff", "hg.diff", "svn.diff"])
def test_vcs_samples_add_modify_remove(name: str) -> None:
    files = {f.path: f for f in parse_diff(local(f"unidiff-samples/{name}"))}
    assert files.keys() == {"added_file", "modified_file", "removed_file"}
    assert (files["added_file"].status, files["added_file"].added) == (ChangeStatus.ADDED, 4)
    assert (files["removed_file"].status, files["removed_file"].removed) == (
        ChangeStatus.DELETED,
        3,
    )
    modified = files["modified_file"]
    assert (modified.status, modified.added, modified.removed) == (ChangeStatus.MODIFIED, 3, 1)


def test_sample3_decodes_utf8_content() -> None:
    added = next(f for f in parse_diff(local("unidiff-samples/sample3.diff")) if f.added)
    assert any(line.text == "holá mundo!" for line in added.hunks[0].lines)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("git_quoted_filename.diff", ["A â B.py"]),
        ("git_quoted_filename_with_spaces.diff", ["docs/develop/Bug 排查.md"]),
        ("git_filenames_with_spaces.diff", ["has spaces/t.sql"]),
        ("git_no_prefix.diff", ["file1", "file2", "file3"]),
        ("git_delete.diff", ["somefile.c"]),
    ],
)
def test_sample_paths(name: str, expected: list[str]) -> None:
    assert [f.path for f in parse_diff(local(f"unidiff-samples/{name}"))] == expected


def test_renames_keep_both_paths() -> None:
    files = parse_diff(local("unidiff-samples/git_rename.diff"))
    assert [(f.old_path, f.path, f.status) for f in files] == [
        ("added", "moved", ChangeStatus.RENAMED),
        ("oldfile", "newfile", ChangeStatus.RENAMED),
        # this hand-made sample's "rename from/to" lines drop the "sub/" of its
        # header; git writes full paths there and they are what git apply trusts
        ("onefile", "otherfile", ChangeStatus.RENAMED),
    ]
    assert files[2].similarity == 100
    assert files[2].hunks == ()


def test_binary_and_symlink_samples() -> None:
    (png,) = parse_diff(local("unidiff-samples/binary.diff"))
    assert png.binary
    assert png.kind is FileKind.ASSET
    assert png.status is ChangeStatus.ADDED
    (link,) = parse_diff(local("unidiff-samples/git_symlink.diff"))
    assert link.symlink
    assert link.new_mode == "120000"
    bins = parse_diff(local("unidiff-samples/sample8.diff"))
    assert [(f.path, f.binary, f.status.value) for f in bins] == [
        ("boo.bin", False, "added"),
        ("foo.bin", True, "added"),
        ("bar.bin", True, "modified"),
        ("baz.bin", True, "deleted"),
        ("fuz.bin", False, "added"),
    ]


def test_lone_carriage_returns_do_not_split_lines() -> None:
    (change,) = parse_diff(local("unidiff-samples/git_cr.diff"))
    assert change.added == 3
    assert any("\r" in line.text for line in change.hunks[0].lines)


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("sample1.diff", 32, "expected a hunk line starting with ' ', '+' or '-'"),
        ("sample6.diff", 32, "hunk has more lines than its @@ header says"),
        ("sample7.diff", 29, "hunk has fewer lines than its @@ header says"),
    ],
)
def test_malformed_samples_name_source_line_and_problem(name: str, line: int, message: str) -> None:
    with pytest.raises(DiffError) as caught:
        parse_diff(local(f"unidiff-samples/{name}"), source=name)
    assert str(caught.value) == f"{name}: malformed diff at line {line}: {message}"


@pytest.mark.parametrize("data", [b"", b"\n\n", b" \r\n\t\n"])
def test_empty_diff_is_an_error(data: bytes) -> None:
    with pytest.raises(DiffError, match=r"^pr\.diff is empty: no file changes found$"):
        parse_diff(data, source="pr.diff")


@pytest.mark.parametrize("data", [b"just some text\nno diff here\n", b"# notes\n\n- a\n"])
def test_text_that_is_not_a_diff_is_not_called_empty(data: bytes) -> None:
    with pytest.raises(DiffError) as caught:
        parse_diff(data, source="notes.txt")
    assert str(caught.value) == "notes.txt: no file changes found (not a unified diff?)"
    assert caught.value.hint is not None
    assert "git diff" in caught.value.hint


CRLF_DIFF = (
    b"diff --git a/win.txt b/win.txt\r\n"
    b"index 1111111..2222222 100644\r\n"
    b"--- a/win.txt\r\n"
    b"+++ b/win.txt\r\n"
    b"@@ -1,3 +1,3 @@ section\r\n"
    b" one\r\n"
    b"-two\r\n"
    b"+TWO\r\n"
    b"\r\n"
)


def test_crlf_diff_strips_carriage_returns_without_doubling_lines() -> None:
    (change,) = parse_diff(CRLF_DIFF)
    assert change.path == "win.txt"
    assert change.old_mode == "100644"
    (hunk,) = change.hunks
    assert hunk.section == "section"
    assert [(ln.kind, ln.text) for ln in hunk.lines] == [
        (" ", "one"),
        ("-", "two"),
        ("+", "TWO"),
        (" ", ""),
    ]


def test_invalid_utf8_and_nul_bytes_do_not_crash() -> None:
    data = (
        b"diff --git a/bin\xff.txt b/bin\xff.txt\n--- a/bin\xff.txt\n+++ b/bin\xff.txt\n"
        b"@@ -1 +1 @@\n-caf\xe9\n+nul\x00byte\n"
    )
    (change,) = parse_diff(data)
    assert change.path == "bin\ufffd.txt"
    assert [ln.text for ln in change.hunks[0].lines] == ["caf\ufffd", "nul\x00byte"]


QUOTED = b'diff --git "a/tab\\there" "b/tab\\there"\nnew file mode 100644\nindex 0000000..e69de29\n'


def test_quoted_names_without_hunks_come_from_the_git_header() -> None:
    (change,) = parse_diff(QUOTED)
    assert (change.path, change.status, change.added) == ("tab\there", ChangeStatus.ADDED, 0)


def test_mode_only_change() -> None:
    data = b"diff --git a/run.sh b/run.sh\nold mode 100644\nnew mode 100755\n"
    (change,) = parse_diff(data)
    assert (change.status, change.old_mode, change.new_mode) == (
        ChangeStatus.MODIFIED,
        "100644",
        "100755",
    )


def test_no_newline_markers_are_recorded() -> None:
    data = (
        b"diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-old\n"
        b"\\ No newline at end of file\n+new\n\\ No newline at end of file\n"
    )
    (change,) = parse_diff(data)
    (hunk,) = change.hunks
    assert hunk.no_newline_old
    assert hunk.no_newline_new
    assert [ln.text for ln in hunk.lines] == ["old", "new"]


def test_size_cap_is_a_clear_error() -> None:
    with pytest.raises(DiffError, match=r"^big\.diff is too large: 101 bytes, the limit is 100$"):
        parse_diff(b"x" * 101, source="big.diff", max_bytes=100)


def _synthetic(files: int, lines: int) -> bytes:
    """A diff of ``files`` files, each adding ``lines`` lines."""
    body = b"".join(b"+line %d with some text\n" % i for i in range(lines))
    return b"".join(
        b"diff --git a/f%d b/f%d\nnew file mode 100644\n--- /dev/null\n+++ b/f%d\n"
        b"@@ -0,0 +1,%d @@\n" % (n, n, n, lines) + body
        for n in range(files)
    )


def test_fifty_megabytes_stop_at_the_cap_at_once() -> None:
    lines = 50 * 2**20 // 24
    data = b"diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +1,%d @@\n" % lines
    data += b"+twenty-two characters\n" * lines
    started = time.perf_counter()
    with pytest.raises(DiffError, match="too large"):
        parse_diff(data)
    assert time.perf_counter() - started < 1.0


def test_time_grows_linearly() -> None:
    """Ten times the input must not cost much more than ten times the time."""
    small, big = _synthetic(20, 500), _synthetic(200, 500)
    parse_diff(small)

    def best_of(data: bytes, runs: int) -> float:
        # the fastest of a few runs: a shared machine's pauses only ever add time
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            parse_diff(data)
            times.append(time.perf_counter() - started)
        return min(times)

    assert best_of(big, 2) < 30 * best_of(small, 5) + 0.5


@pytest.mark.parametrize(
    "data",
    [
        b"a" * 1_000_000,
        b"diff --git a/" + b"x:// " * 200_000 + b"\n",
        b"diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+" + b"(" * 1_000_000 + b"\n",
    ],
    ids=["no-newline", "header-line", "content-line"],
)
def test_one_megabyte_line_finishes(data: bytes) -> None:
    started = time.perf_counter()
    with contextlib.suppress(DiffError):
        parse_diff(data)
    assert time.perf_counter() - started < 5.0


# --- git's test data (GPL-2.0): read from the shared corpus, skipped without it ---

T4135 = [
    ("git-plain.diff", "postimage.txt"),
    ("git-with spaces.diff", "post image.txt"),
    ("git-with tab.diff", "post\timage.txt"),
    ("git-with backslash.diff", "post\\image.txt"),
    ("git-with quote.diff", '"postimage".txt'),
    ("add-with tab.diff", "post\timage.txt"),
    ("add-with spaces.diff", "post image.txt"),
    ("diff-with tab.diff", "post\timage.txt"),
    ("diff-with quote.diff", '"postimage".txt'),
    ("damaged.diff", "postimage.txt"),
    ("damaged-tz.diff", "post image.txt"),
    ("funny-tz.diff", "post image.txt"),
]


@pytest.mark.parametrize(("name", "path"), T4135)
def test_t4135_file_names(name: str, path: str) -> None:
    (change,) = parse_diff(shared(f"git-t4135/{name}").read_bytes())
    assert change.path == path
    expected = ChangeStatus.MODIFIED if name.startswith("diff-") else ChangeStatus.ADDED
    assert change.status is expected


def test_t4100_renames_copies_and_modes() -> None:
    renames = parse_diff(shared("git-t4100/t-apply-1.patch").read_bytes())
    assert [(f.old_path, f.path) for f in renames if f.status is ChangeStatus.RENAMED][:2] == [
        ("Documentation/git-rpull.txt", "Documentation/git-ssh-pull.txt"),
        ("Documentation/git-rpush.txt", "Documentation/git-ssh-push.txt"),
    ]
    copy = parse_diff(shared("git-t4100/t-apply-2.patch").read_bytes())[1]
    assert (copy.status, copy.old_path, copy.path) == (
        ChangeStatus.COPIED,
        "git-pull-script",
        "git-fetch-script",
    )
    modes = parse_diff(shared("git-t4100/t-apply-4.patch").read_bytes())
    assert {(f.old_mode, f.new_mode, f.added) for f in modes} == {("100644", "100755", 0)}


def test_t4100_apply3_is_rejected() -> None:
    with pytest.raises(DiffError, match=r"^t-apply-3: malformed diff at line \d+: '\+\+\+'"):
        parse_diff(shared("git-t4100/t-apply-3.patch").read_bytes(), source="t-apply-3")


@pytest.mark.parametrize("name", [f"{a}-{b}" for a in range(4) for b in range(4) if a != b])
def test_t4101_no_newline_in_every_position(name: str) -> None:
    data = shared(f"git-t4101/diff.{name}").read_bytes()
    (change,) = parse_diff(data)
    (hunk,) = change.hunks
    lines = data.decode().splitlines()
    marked = [lines[i - 1][0] for i, line in enumerate(lines) if line.startswith("\\")]
    assert hunk.no_newline_old == any(mark in "- " for mark in marked)
    assert hunk.no_newline_new == any(mark in "+ " for mark in marked)
    assert all(not line.text.startswith("\\") for line in hunk.lines)


def test_t4020_nul_bytes() -> None:
    (change,) = parse_diff(shared("git-t4020/diff.NUL").read_bytes())
    assert any("\x00" in line.text for hunk in change.hunks for line in hunk.lines)


def test_combined_diffs_are_counted_without_hunks() -> None:
    for name in ("diff.diff-tree_--cc_main", "diff.show_-c_main"):
        files = parse_diff(shared(f"git-t4013/{name}").read_bytes())
        assert [(f.path, f.added, f.removed, f.combined, f.hunks) for f in files] == [
            ("dir/sub", 6, 0, True, ()),
            ("file0", 6, 0, True, ()),
        ]


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("diff.log_-p_main", 8),
        ("diff.format-patch_--stdout_initial..main", 8),
        ("diff.format-patch_--attach_--stdout_initial..side", 3),
        ("diff.diff_--patch-with-stat_initial..side", 3),
    ],
)
def test_preambles_of_log_and_format_patch(name: str, count: int) -> None:
    assert len(parse_diff(shared(f"git-t4013/{name}").read_bytes())) == count


def test_stat_only_output_is_not_a_diff() -> None:
    with pytest.raises(DiffError, match=r"no file changes found \(not a unified diff\?\)$"):
        parse_diff(shared("git-t4013/diff.diff-tree_--summary_initial_mode").read_bytes())


def test_non_utf8_real_diff() -> None:
    files = parse_diff(shared("real/git__05026637f3ed.diff").read_bytes())
    assert any("\ufffd" in ln.text for f in files for h in f.hunks for ln in h.lines)
