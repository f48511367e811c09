"""PRs GitHub will not serve as one diff (over 300 files or 20,000 lines) still get reviewed.

The GitHub emulation refuses the diff media type with GitHub's own 406 body, lists the files
100 per page with ``Link`` headers, and leaves out patches past 20,000 lines in one response.
The run rebuilds the diff from the files list, reviews and scans it, and the summary names
every file it could not see and why.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pr_router.emulator import Rule, Scenario

from .harness import World, canned_rules, finding, make_world, webhook

BINARY = "assets/logo.png"
HUGE = "data/fixtures.sql"


def _added_file(path: str, lines: int) -> str:
    body = "".join(f"+value_{i} = {i}\n" for i in range(1, lines + 1))
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
        f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{lines} @@\n{body}"
    )


def _binary(path: str) -> str:
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..2222222\n"
        f"Binary files /dev/null and b/{path} differ\n"
    )


def many_files(count: int) -> bytes:
    """A PR of ``count`` small Python files and one binary file."""
    parts = [_added_file(f"src/pkg/mod_{i:03}.py", 3) for i in range(count - 1)]
    return "".join([*parts, _binary(BINARY)]).encode()


def many_lines() -> bytes:
    """25,000 changed lines: a 20,001-line file and five of 999 lines."""
    parts = [_added_file(HUGE, 20_001)]
    parts += [_added_file(f"src/app/part_{i}.py", 999) for i in range(5)]
    return "".join(parts).encode()


def _rules(path: str) -> list[Rule]:
    review = {"summary": "Looks fine.", "findings": [finding(path, 2, 2, "RIGHT", "Check this")]}
    security = {
        "summary": "Nothing risky.",
        "findings": [finding(path, 1, 1, "RIGHT", "Value is trusted", category="injection")],
    }
    return canned_rules(review=review, security=security)


@pytest.fixture
def world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    yield from make_world(tmp_path, Scenario(_rules(request.param)))


def _run(world: World, patch: bytes) -> str:
    event = webhook("pull_request.opened.payload.json")
    world.seed(event, patch)
    result = world.run(world.env("pull_request", event))
    assert result.outcome.exit_code == 0
    assert world.github.check() == len(world.state.calls)
    _, body, _ = world.summary(2)
    return body


def _published(world: World) -> set[tuple[str, int]]:
    (review,) = world.state.reviews.values()
    assert review.state == "COMMENTED"
    return {(c.path, c.line) for c in world.state.review_comments.values()}


@pytest.mark.parametrize("world", ["src/pkg/mod_007.py"], indirect=True)
def test_a_pr_of_350_files_is_reviewed_from_the_files_list(world: World) -> None:
    body = _run(world, many_files(350))

    assert world.state.calls_to("pulls/get")[0].status == 406  # the diff media type
    pages = world.state.calls_to("pulls/list-files")
    asked = [(c.query.get("per_page", ["30"])[0], c.query.get("page", ["1"])[0]) for c in pages]
    # 100 per page, then the row without a patch once more on its own (binary: still none)
    assert asked == [("100", "1"), ("100", "2"), ("100", "3"), ("100", "4"), ("1", "350")]
    assert _published(world) == {("src/pkg/mod_007.py", 2), ("src/pkg/mod_007.py", 1)}
    assert "rebuilt from its list of 350 changed file(s)" in body
    assert f"1 file(s) not seen: `{BINARY}`: GitHub served no patch" in body


@pytest.mark.parametrize("world", ["src/app/part_4.py"], indirect=True)
def test_a_pr_of_25000_lines_is_reviewed_and_names_the_file_github_left_out(
    world: World,
) -> None:
    body = _run(world, many_lines())

    assert world.state.calls_to("pulls/get")[0].status == 406
    # past 20,000 lines in one response the rows lose their patch; asked for again one per
    # page they come back, except the file that alone is over the limit
    singles = [
        c for c in world.state.calls_to("pulls/list-files") if c.query.get("per_page") == ["1"]
    ]
    assert len(singles) == 6
    assert _published(world) == {("src/app/part_4.py", 2), ("src/app/part_4.py", 1)}
    assert "rebuilt from its list of 6 changed file(s)" in body
    assert f"1 file(s) not seen: `{HUGE}`: GitHub served no patch" in body
    assert "src/app/part_0.py" not in body.split("not seen")[1].split("\n")[0]


OLD = "1111111111111111111111111111111111111111"
NEW = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"  # the synchronize payload's head


@pytest.mark.parametrize("world", ["src/pkg/new_one.py"], indirect=True)
def test_a_push_to_a_large_pr_compares_through_the_files_lists(world: World) -> None:
    opened = webhook("pull_request.opened.payload.json")
    opened["pull_request"]["head"]["sha"] = OLD
    world.seed(opened, many_files(350))
    assert world.run(world.env("pull_request", opened)).outcome.exit_code == 0
    grown = many_files(350) + _added_file("src/pkg/new_one.py", 3).encode()
    world.state.push(2, NEW, grown, "Add one more module")

    second = world.run(world.env("pull_request", webhook("pull_request.synchronize.payload.json")))

    assert second.outcome.exit_code == 0
    assert world.github.check() == len(world.state.calls)
    compare = world.state.calls_to("repos/compare-commits-with-basehead")
    assert [c.status for c in compare] == [406, 200]  # the diff refused, the files listed
    _, body, state = world.summary(2)
    assert state.last_reviewed_sha == NEW
    # the comparison lists 300 of the old head's 350 files: the 50 it lacks are treated as
    # changed since (seen again), never skipped
    assert (
        f"the diff at {OLD[:7]} was rebuilt from GitHub's files list too (300 file(s) listed)"
        in body
    )
    reviews = sorted(world.state.reviews.values(), key=lambda r: r.id)
    assert len(reviews) == 2
    new = [c for c in world.state.review_comments.values() if c.review_id == reviews[1].id]
    assert {c.path for c in new} == {"src/pkg/new_one.py"}
