"""The GitHub emulator: the client's methods through a real socket, GitHub-shaped answers,
line validation like GitHub's, pagination, auth and fault injection."""

from __future__ import annotations

import json

import pytest
from conftest import DIFF, TOKEN, Emulated, seeded_state
from openapi_check import response_problems

from pr_router.emulator.github import GitHubEmulator
from pr_router.emulator.http import Request
from pr_router.errors import GitHubError
from pr_router.github.client import ACTIONS_BOT
from pr_router.github.models import InlineComment


def _number(env: Emulated) -> int:
    return next(iter(env.state.pulls))


def test_every_client_method_against_the_emulator(emulated: Emulated) -> None:
    c, n = emulated.client, _number(emulated)
    pull = emulated.state.pulls[n]
    assert c.whoami() == "pr-router-bot"
    ctx = c.pull(n)
    assert (ctx.number, ctx.head_sha, ctx.base_ref, ctx.is_fork) == (
        n,
        pull.head_sha,
        "master",
        False,
    )
    assert c.pull_diff(n).data == DIFF
    assert c.commit_messages(n) == ["Add subprocess import", "Read y from input"]
    assert c.file_at(".github/pr-router.yml", pull.base_sha) == b"version: 1\n"  # sha or branch
    assert c.file_at("CHANGELOG.md", "master") == b"# Changelog\n"
    assert c.file_at(".github/pr-router.yml", pull.head_sha) is None
    assert [p.number for p in c.open_pulls()] == [n]
    comment = c.create_issue_comment(n, "hello")
    assert c.edit_issue_comment(comment.id, "hello again").body == "hello again"
    assert [x.body for x in c.list_issue_comments(n)] == ["hello again"]
    review = c.create_review(
        n,
        pull.head_sha,
        "body",
        [InlineComment(path="docs/new.md", line=1, body="x", fingerprint="f")],
    )
    [inline] = c.list_review_comments(n)
    assert (inline.review_id, inline.path, inline.line, inline.side) == (
        review.id,
        "docs/new.md",
        1,
        "RIGHT",
    )
    emulated.state.add_reaction("issue", comment.id, "+1", "octocat")
    emulated.state.add_reaction("review", inline.id, "-1", "octocat")
    assert [(r.content, r.user) for r in c.reactions_for_issue_comment(comment.id)] == [
        ("+1", "octocat")
    ]
    assert [(r.content, r.user) for r in c.reactions_for_review_comment(inline.id)] == [
        ("-1", "octocat")
    ]
    run = c.workflow_run(777)
    assert (run.conclusion, run.pr_numbers) == ("failure", (n,))
    [job] = c.failed_jobs(777)
    assert (job.id, job.failed_steps) == (555, ("pytest",))
    assert "FAILED test_app.py::test_main" in c.job_log(555)


def test_compare_diff(emulated: Emulated) -> None:
    emulated.state.compares[("aaa", "bbb")] = b"diff --git a/z b/z\n"
    assert emulated.client.compare_diff("aaa", "bbb").data == b"diff --git a/z b/z\n"
    with pytest.raises(GitHubError) as info:
        emulated.client.compare_diff("aaa", "ccc")
    assert info.value.status == 404


def test_three_dot_compare_gives_the_pr_diff_at_any_head_the_pr_had(emulated: Emulated) -> None:
    # After a push (here with the base branch moved on), compare/BASE...OLD_HEAD answers the
    # PR diff as it was at the old head, as GitHub diffs from the merge base; a force-push
    # that GitHub no longer knows the old head of answers 404.
    state, client = emulated.state, emulated.client
    pull = state.pulls[2]
    old_head, old_diff = pull.head_sha, pull.diff
    new_diff = old_diff + b"diff --git a/new.py b/new.py\n"
    state.push(2, "c" * 40, new_diff, "More", base_sha="d" * 40)
    assert client.compare_diff("d" * 40, old_head).data == old_diff
    assert client.compare_diff(pull.base_ref, "c" * 40).data == new_diff
    assert client.pull_diff(2).data == new_diff
    state.push(2, "e" * 40, old_diff, "Rewritten", forced=True)
    with pytest.raises(GitHubError) as info:
        client.compare_diff("d" * 40, "c" * 40)
    assert info.value.status == 404
    assert [sha for sha, _ in pull.commits] == ["e" * 40]


def test_app_token_cannot_read_the_user(emulated: Emulated) -> None:
    emulated.state.viewer_is_app = True
    assert emulated.client_for().whoami() == ACTIONS_BOT


def test_wrong_token_is_401(emulated: Emulated) -> None:
    from pr_router.github.client import GitHubClient
    from pr_router.github.transport import FAST_RETRY

    bad = GitHubClient.from_token(
        "wrong", emulated.state.repo, base_url=emulated.api_url, retry=FAST_RETRY
    )
    with pytest.raises(GitHubError, match="401"):
        bad.pull(_number(emulated))


@pytest.mark.parametrize(
    ("comment", "reason"),
    [
        ({"path": "src/app.py", "line": 10}, "Line could not be resolved"),
        ({"path": "nope.py", "line": 1}, "Path could not be resolved"),
        ({"path": "old.txt", "line": 1, "side": "RIGHT"}, "Line could not be resolved"),
        ({"path": "src/app.py", "line": 22, "start_line": 2}, "same hunk"),
    ],
)
def test_review_lines_outside_the_diff_are_422(
    emulated: Emulated, comment: dict[str, object], reason: str
) -> None:
    n = _number(emulated)
    finding = InlineComment(body="x", fingerprint="f", **comment)  # type: ignore[arg-type]
    with pytest.raises(GitHubError, match=reason) as info:
        emulated.client.create_review(n, emulated.state.pulls[n].head_sha, "b", [finding])
    assert info.value.status == 422
    assert emulated.state.reviews == {}  # GitHub creates nothing on a 422


def test_review_on_a_foreign_commit_is_422(emulated: Emulated) -> None:
    with pytest.raises(GitHubError, match="commit_id is not part of the pull request"):
        emulated.client.create_review(_number(emulated), "f" * 40, "b")


def test_pagination_follows_link_headers(emulated: Emulated) -> None:
    n = _number(emulated)
    for i in range(250):
        emulated.state.add_comment(n, "octocat", f"comment {i}")
    comments = emulated.client.list_issue_comments(n)
    assert [c.body for c in comments] == [f"comment {i}" for i in range(250)]
    assert len(emulated.state.calls_to("issues/list-comments")) == 3


@pytest.mark.parametrize(
    ("kind", "status", "permission"),
    [
        ("forbidden", 403, "pull-requests: write"),
        ("not_found", 404, "pull-requests: write"),
        ("unprocessable", 422, None),
    ],
)
def test_faults(emulated: Emulated, kind: str, status: int, permission: str | None) -> None:
    n = _number(emulated)
    emulated.state.fail("issues/create-comment", kind)  # type: ignore[arg-type]
    with pytest.raises(GitHubError) as info:
        emulated.client.create_issue_comment(n, "x")
    assert (info.value.status, info.value.permission) == (status, permission)
    assert emulated.client.create_issue_comment(n, "x").body == "x"  # the fault was used up


def test_secondary_rate_limit_is_retried_through_the_socket(emulated: Emulated) -> None:
    n = _number(emulated)
    emulated.state.fail("pulls/get", "secondary_rate_limit", times=1, retry_after=0)
    assert emulated.client.pull(n).number == n
    assert [c.status for c in emulated.state.calls_to("pulls/get")] == [403, 200]


def test_server_errors_exhaust_retries(emulated: Emulated) -> None:
    emulated.state.fail("actions/get-workflow-run", "server_error", times=10)
    with pytest.raises(GitHubError) as info:
        emulated.client.workflow_run(777)
    assert info.value.retryable


def test_unknown_fault_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        seeded_state().fail("pulls/get", "teapot")  # type: ignore[arg-type]


def _get(
    emulator: GitHubEmulator, path: str, **headers: str
) -> tuple[Request, int, bytes, dict[str, str]]:
    request = Request(
        method="GET",
        path=path,
        query={},
        headers={"authorization": f"Bearer {TOKEN}", **headers},
        body=b"",
        base_url="http://127.0.0.1:9",
        mount="/github",
    )
    response = emulator.handle(request)
    return request, response.status, response.body, response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/user",
        "/repos/Codertocat/Hello-World",
        "/repos/Codertocat/Hello-World/pulls",
        "/repos/Codertocat/Hello-World/pulls/2",
        "/repos/Codertocat/Hello-World/pulls/2/commits",
        "/repos/Codertocat/Hello-World/pulls/2/comments",
        "/repos/Codertocat/Hello-World/pulls/2/reviews",
        "/repos/Codertocat/Hello-World/issues/2/comments",
        "/repos/Codertocat/Hello-World/contents/CHANGELOG.md",
        "/repos/Codertocat/Hello-World/actions/runs/777",
        "/repos/Codertocat/Hello-World/actions/runs/777/jobs",
        "/repos/Codertocat/Hello-World/collaborators/Codertocat/permission",
        "/repos/Codertocat/Hello-World/collaborators/outsider/permission",
    ],
)
def test_answers_match_githubs_documented_shapes(path: str) -> None:
    state = seeded_state()
    state.add_comment(2, "octocat", "a comment")
    emulator = GitHubEmulator(state)
    # post a review with a comment so the review lists are not empty
    body = {
        "commit_id": state.pulls[2].head_sha,
        "event": "COMMENT",
        "body": "b",
        "comments": [{"path": "src/app.py", "line": 2, "side": "RIGHT", "body": "c"}],
    }
    emulator.handle(
        Request(
            "POST",
            "/repos/Codertocat/Hello-World/pulls/2/reviews",
            {},
            {},
            json.dumps(body).encode(),
            "http://127.0.0.1:9",
            "/github",
        )
    )
    state.token = TOKEN
    request, status, payload, headers = _get(emulator, path)
    assert status == 200, payload
    spec_path = Request(request.method, path, {}, request.headers, b"", "", "")
    assert response_problems(spec_path, status, payload, headers) == []


def test_diff_media_type_and_log_redirect() -> None:
    emulator = GitHubEmulator(seeded_state())
    _, status, body, headers = _get(
        emulator, "/repos/Codertocat/Hello-World/pulls/2", accept="application/vnd.github.v3.diff"
    )
    assert (status, body) == (200, DIFF)
    assert headers["content-type"].startswith("application/vnd.github.v3.diff")
    _, status, _, headers = _get(emulator, "/repos/Codertocat/Hello-World/actions/jobs/555/logs")
    assert status == 302
    assert headers["location"].startswith("http://127.0.0.1:9/github/")
    _, status, _, _ = _get(emulator, "/repos/other/repo/pulls/2")
    assert status == 404


@pytest.mark.parametrize(
    ("role", "permission", "can_write"),
    [
        ("admin", "admin", True),
        ("maintain", "write", True),  # GitHub reports maintain as the legacy write
        ("write", "write", True),
        ("triage", "read", False),
        ("read", "read", False),
        (None, "read", False),  # not a collaborator: reads a public repository
    ],
)
def test_collaborator_permission_through_the_client(
    emulated: Emulated, role: str | None, permission: str, can_write: bool
) -> None:
    if role is not None:
        emulated.state.roles["someone"] = role
    got = emulated.client.permission("someone")
    assert (got.login, got.permission, got.role_name) == ("someone", permission, role or "read")
    assert got.can_write is can_write
    assert emulated.state.calls_to("repos/get-collaborator-permission-level")[-1].path == (
        "/repos/Codertocat/Hello-World/collaborators/someone/permission"
    )


def test_the_owner_is_admin_and_an_unknown_user_has_none(emulated: Emulated) -> None:
    assert emulated.client.permission("Codertocat").can_write
    emulated.state.fail("repos/get-collaborator-permission-level", "not_found")
    gone = emulated.client.permission("ghost")
    assert (gone.permission, gone.can_write) == ("none", False)
