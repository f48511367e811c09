"""GitHub's diff limits: the emulator refuses and pages like GitHub, the client rebuilds the
diff from the files lists and names what it could not see."""

from __future__ import annotations

import json

import pytest
from conftest import TOKEN, Emulated, seeded_state
from openapi_check import response_problems

from pr_router.changes import parse_diff
from pr_router.emulator.github import GitHubEmulator
from pr_router.emulator.github_files import (
    DIFF_MAX_FILES,
    RESPONSE_PATCH_LINES,
    file_rows,
    too_large_body,
)
from pr_router.emulator.http import Request, Response
from pr_router.github.large_diff import (
    NO_PATCH,
    NO_PATCH_CHANGED,
    FetchedDiff,
    FileRow,
    Unseen,
    is_too_large,
    rebuild,
)


def _added(path: str, lines: int) -> str:
    body = "".join(f"+line {i}\n" for i in range(1, lines + 1))
    return f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{lines} @@\n{body}"


def _diff(*parts: str) -> bytes:
    return "".join(parts).encode()


RENAME = (
    "diff --git a/old/name.py b/new/name.py\nsimilarity index 90%\nrename from old/name.py\n"
    "rename to new/name.py\n--- a/old/name.py\n+++ b/new/name.py\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
)
PURE_RENAME = (
    "diff --git a/x.txt b/y.txt\nsimilarity index 100%\nrename from x.txt\nrename to y.txt\n"
)
BINARY = "diff --git a/logo.png b/logo.png\nindex 1..2 100644\nBinary files a/logo.png and b/logo.png differ\n"
REMOVED = "diff --git a/gone.py b/gone.py\ndeleted file mode 100644\n--- a/gone.py\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-x\n"


def test_the_emulators_rows_rebuild_the_same_files() -> None:
    original = _diff(_added("a.py", 3), RENAME, PURE_RENAME, BINARY, REMOVED)
    rows = [
        FileRow(r.filename, r.status, r.additions, r.deletions, r.patch, r.previous_filename)
        for r in file_rows(original)
    ]
    data, unseen = rebuild(rows)
    assert unseen == (Unseen("logo.png", NO_PATCH),)
    want = {(f.path, f.old_path, f.status, f.added, f.removed) for f in parse_diff(original)}
    got = {(f.path, f.old_path, f.status, f.added, f.removed) for f in parse_diff(data)}
    assert got == {w for w in want if w[0] != "logo.png"}
    hunks = {f.path: f.hunks for f in parse_diff(data)}
    assert hunks == {f.path: f.hunks for f in parse_diff(original) if f.path != "logo.png"}


def test_a_patch_left_out_of_a_changed_file_is_named() -> None:
    _, unseen = rebuild([FileRow("big.json", "modified", 9000, 10)])
    assert unseen == (Unseen("big.json", NO_PATCH_CHANGED),)


def test_github_406_too_large_is_recognised_and_nothing_else() -> None:
    body = too_large_body(file_rows(_diff(*(_added(f"f{i}", 1) for i in range(301)))))
    assert body is not None
    assert is_too_large(406, body)
    assert not is_too_large(406, {"message": "Not Acceptable"})
    assert not is_too_large(422, body)


def test_notices_say_what_was_rebuilt_and_what_is_missing() -> None:
    fetched = FetchedDiff(
        b"", rebuilt=True, unseen=(Unseen("a.bin", NO_PATCH),), listed=3000, total=3500
    )
    assert fetched.notices() == (
        "GitHub does not serve this diff as one (over 300 files or 20,000 lines): rebuilt "
        "from its list of 3000 changed file(s)",
        f"1 file(s) not seen: `a.bin`: {NO_PATCH}",
        "GitHub lists at most 3,000 files: 500 more file(s) were not seen",
    )
    assert FetchedDiff(b"x").notices() == ()
    compare = FetchedDiff(b"", rebuilt=True, listed=300, cap=300)
    assert compare.notices()[-1] == (
        "GitHub lists at most 300 files: any file past those was not seen"
    )


def _get(emulator: GitHubEmulator, path: str, query: dict[str, list[str]] | None = None,
         **headers: str) -> tuple[Request, Response]:  # fmt: skip
    request = Request("GET", path, query or {}, {"authorization": f"Bearer {TOKEN}", **headers},
                      b"", "http://127.0.0.1:9", "/github")  # fmt: skip
    return request, emulator.handle(request)


def _emulator(diff: bytes) -> tuple[GitHubEmulator, str]:
    state = seeded_state()
    n = next(iter(state.pulls))
    state.pulls[n].diff = diff
    return GitHubEmulator(state), f"/repos/{state.repo}/pulls/{n}"


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ([_added(f"f{i}.py", 1) for i in range(DIFF_MAX_FILES + 1)], "number of files (300)"),
        ([_added("a.py", 10_000), _added("b.py", 10_001)], "number of lines (20000)"),
    ],
)
def test_the_emulator_refuses_the_diff_media_type_like_github(
    parts: list[str], message: str
) -> None:
    emulator, path = _emulator(_diff(*parts))
    _, answer = _get(emulator, path, accept="application/vnd.github.v3.diff")
    assert answer.status == 406
    body = json.loads(answer.body)
    assert message in body["message"]
    assert body["message"].startswith("Sorry, the diff exceeded the maximum number of ")
    assert body["errors"] == [{"resource": "PullRequest", "field": "diff", "code": "too_large"}]
    assert body["documentation_url"].endswith("#list-pull-requests-files")
    request, answer = _get(emulator, path)  # the JSON of the PR still answers, with counts
    assert json.loads(answer.body)["changed_files"] == len(parts)
    assert response_problems(request, answer.status, answer.body, answer.headers) == []


def test_files_pages_have_link_headers_and_cut_patches_past_the_response_limit() -> None:
    diff = _diff(_added("a.py", 15_000), _added("b.py", 6_000), _added("c.py", 10))
    emulator, path = _emulator(diff)
    request, first = _get(emulator, f"{path}/files", {"per_page": ["2"]})
    assert 'rel="next"' in first.headers["link"]
    assert "per_page=2&page=2" in first.headers["link"]
    assert response_problems(request, first.status, first.body, first.headers) == []
    a, b = json.loads(first.body)
    assert (a["changes"], "patch" in a) == (15_000, True)
    assert RESPONSE_PATCH_LINES < 15_000 + 6_000
    assert (b["additions"], b["deletions"], b["changes"], "patch" in b) == (0, 0, 0, False)
    _, alone = _get(emulator, f"{path}/files", {"per_page": ["1"], "page": ["2"]})
    (b_alone,) = json.loads(alone.body)
    assert (b_alone["changes"], "patch" in b_alone) == (6_000, True)


def test_the_files_list_stops_at_3000_files() -> None:
    emulator, path = _emulator(_diff(*(_added(f"f{i}.py", 1) for i in range(3005))))
    _, last = _get(emulator, f"{path}/files", {"per_page": ["100"], "page": ["30"]})
    assert len(json.loads(last.body)) == 100
    assert "link" not in last.headers or 'rel="next"' not in last.headers["link"]
    _, past = _get(emulator, f"{path}/files", {"per_page": ["100"], "page": ["31"]})
    assert json.loads(past.body) == []


def test_the_client_rebuilds_and_recovers_cut_rows(emulated: Emulated) -> None:
    n = next(iter(emulated.state.pulls))
    parts = [_added("a.py", 15_000), _added("b.py", 6_000), BINARY]
    emulated.state.pulls[n].diff = _diff(*parts)
    fetched = emulated.client.pull_diff(n)
    assert fetched.rebuilt
    assert fetched.unseen == (Unseen("logo.png", NO_PATCH),)
    assert {f.path: f.added for f in parse_diff(fetched.data)} == {"a.py": 15_000, "b.py": 6_000}
    assert (fetched.listed, fetched.total, fetched.beyond_cap) == (3, 3, 0)


def test_the_client_falls_back_to_the_compare_files(emulated: Emulated) -> None:
    emulated.state.compares[("aaa", "bbb")] = _diff(*(_added(f"f{i}.py", 1) for i in range(301)))
    fetched = emulated.client.compare_diff("aaa", "bbb")
    assert fetched.rebuilt
    assert len(parse_diff(fetched.data)) == 300  # the compare endpoint lists at most 300
    assert fetched.at_cap
    compare = emulated.state.calls_to("repos/compare-commits-with-basehead")
    assert [c.status for c in compare] == [406, 200]
    assert json.dumps(fetched.notices()).count("at most 300 files") == 1
