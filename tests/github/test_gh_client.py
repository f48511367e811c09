"""Every client method through PyGithub against ``responses`` mocks answering with GitHub's
own OpenAPI examples; every request sent is checked against GitHub's OpenAPI description."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses
from openapi_check import API_HOST, check_request, example, github_api_mock, request_problems

from pr_router.errors import GitHubError, UsageError
from pr_router.github.client import ACTIONS_BOT, GitHubClient
from pr_router.github.models import InlineComment
from pr_router.github.transport import FAST_RETRY, RetrySettings

REPO = "octocat/Hello-World"
R = f"{API_HOST}/repos/{REPO}"


def _url(path: str, base: str = R) -> re.Pattern[str]:
    # PyGithub may add the default port and a query string: match the path only.
    host = re.escape(base).replace("api\\.github\\.com", "api\\.github\\.com(?::443)?")
    return re.compile(host + re.escape(path) + r"(\?.*)?$")


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with github_api_mock() as m:
        yield m


@pytest.fixture
def client() -> Iterator[GitHubClient]:
    c = GitHubClient.from_token("ghp_test", REPO, retry=FAST_RETRY)
    yield c
    c.close()


def _sent(mock: responses.RequestsMock, index: int = -1) -> requests.PreparedRequest:
    request: requests.PreparedRequest = mock.calls[index].request
    return request


def _json(request: requests.PreparedRequest) -> Any:
    return json.loads(request.body or b"null")


def test_whoami_reads_the_user(mock: responses.RequestsMock, client: GitHubClient) -> None:
    mock.get(_url("/user", API_HOST), json=example("users/get-authenticated"))
    assert client.whoami() == "octocat"
    assert client.whoami() == "octocat"
    assert len(mock.calls) == 1  # cached
    assert _sent(mock).headers["Authorization"] == "token ghp_test"


def test_whoami_falls_back_for_the_actions_token(
    mock: responses.RequestsMock, client: GitHubClient
) -> None:
    mock.get(
        _url("/user", API_HOST),
        status=403,
        json={"message": "Resource not accessible by integration"},
    )
    assert client.whoami() == ACTIONS_BOT


def test_the_expected_user_refusal_is_not_logged_but_other_refusals_are(
    mock: responses.RequestsMock, client: GitHubClient, caplog: pytest.LogCaptureFixture
) -> None:
    refused = {"message": "Resource not accessible by integration"}
    mock.get(_url("/user", API_HOST), status=403, json=refused)
    mock.post(_url("/pulls/5/reviews"), status=403, json=refused)
    caplog.set_level(logging.INFO, logger="github")

    assert client.whoami() == ACTIONS_BOT  # the Actions token: GET /user refused, on purpose
    with pytest.raises(GitHubError):
        client.create_review(5, "a" * 40, "body")

    lines = [r.getMessage() for r in caplog.records if r.name.startswith("github")]
    (line,) = lines
    assert line.startswith("Request POST ")
    assert line.endswith(f"/repos/{REPO}/pulls/5/reviews failed with 403: Forbidden")
    assert not logging.getLogger("github.GithubRetry").filters  # only around GET /user


def test_whoami_override_makes_no_request(mock: responses.RequestsMock) -> None:
    client = GitHubClient.from_token("t", REPO, login="my-app[bot]", retry=FAST_RETRY)
    assert client.whoami() == "my-app[bot]"
    assert len(mock.calls) == 0


def test_whoami_bad_token_is_an_error(mock: responses.RequestsMock, client: GitHubClient) -> None:
    mock.get(_url("/user", API_HOST), status=401, json={"message": "Bad credentials"})
    with pytest.raises(GitHubError, match="rejected the token"):
        client.whoami()


def test_pull(mock: responses.RequestsMock, client: GitHubClient) -> None:
    mock.get(_url("/pulls/1347"), json=example("pulls/get"))
    pr = client.pull(1347)
    assert (pr.number, pr.author, pr.repo) == (1347, "octocat", REPO)
    assert pr.title == "Amazing new feature"
    assert pr.head_ref == "new-topic"
    assert pr.base_sha == "6dcb09b5b57875f334f61aebed695e2e4193db5e"
    assert pr.labels == ("bug",)
    assert not pr.is_fork


def test_pull_diff_is_bytes_with_the_diff_media_type(
    mock: responses.RequestsMock, client: GitHubClient
) -> None:
    diff = b"diff --git a/x b/x\n+caf\xe9 \xff not utf-8\n"
    mock.get(_url("/pulls/1347"), body=diff, content_type="application/vnd.github.v3.diff")
    assert client.pull_diff(1347).data == diff
    assert _sent(mock).headers["Accept"] == "application/vnd.github.v3.diff"
    assert _sent(mock).headers["Authorization"] == "Bearer ghp_test"


def test_compare_diff(mock: responses.RequestsMock, client: GitHubClient) -> None:
    mock.get(_url("/compare/aaa...bbb"), body=b"diff --git a/y b/y\n")
    assert client.compare_diff("aaa", "bbb").data == b"diff --git a/y b/y\n"
    assert _sent(mock).headers["Accept"] == "application/vnd.github.v3.diff"


def test_commit_messages(mock: responses.RequestsMock, client: GitHubClient) -> None:
    mock.get(_url("/pulls/1347/commits"), json=example("pulls/list-commits"))
    assert client.commit_messages(1347) == ["Fix all the bugs"]


def test_file_at_reads_the_base_branch(mock: responses.RequestsMock, client: GitHubClient) -> None:
    answer = example("repos/get-content", name="response-if-content-is-a-file")
    # the spec's example carries truncated base64; GitHub sends it wrapped at 60 columns
    answer["content"] = (
        "IyBIZWxsbyBXb3JsZAoKVGhpcyBpcyBteSBmaXJzdCByZXBvc2l0b3J5IG9u\nIEdpdEh1Yi4K\n"
    )
    mock.get(_url("/contents/README.md"), json=answer)
    content = client.file_at("README.md", "main")
    assert content == b"# Hello World\n\nThis is my first repository on GitHub.\n"
    assert "ref=main" in (_sent(mock).url or "")


def test_file_at_missing_is_none(mock: responses.RequestsMock, client: GitHubClient) -> None:
    mock.get(_url("/contents/.github/pr-router.yml"), status=404, json={"message": "Not Found"})
    assert client.file_at(".github/pr-router.yml", "main") is None


def test_file_at_directory_is_none(mock: responses.RequestsMock, client: GitHubClient) -> None:
    mock.get(
        _url("/contents/src"),
        json=example("repos/get-content", name="response-if-content-is-a-directory"),
    )
    assert client.file_at("src", "main") is None


def test_issue_comments(mock: responses.RequestsMock, client: GitHubClient) -> None:
    mock.get(_url("/issues/1347/comments"), json=example("issues/list-comments"))
    mock.post(
        _url("/issues/1347/comments"), json=example("issues/create-comment", "201"), status=201
    )
    mock.patch(_url("/issues/comments/1"), json=example("issues/update-comment"))
    listed = client.list_issue_comments(1347)
    assert [(c.id, c.author) for c in listed] == [(1, "octocat")]
    created = client.create_issue_comment(1347, "summary")
    assert _json(_sent(mock)) == {"body": "summary"}
    edited = client.edit_issue_comment(1, "summary v2")
    assert _json(_sent(mock)) == {"body": "summary v2"}
    assert created.id == edited.id == 1
    assert [c.request.method for c in mock.calls] == ["GET", "POST", "PATCH"]


def test_review_comments_and_create_review(
    mock: responses.RequestsMock, client: GitHubClient
) -> None:
    mock.get(_url("/pulls/1347/comments"), json=example("pulls/list-review-comments"))
    mock.post(_url("/pulls/1347/reviews"), json=example("pulls/create-review"))
    listed = client.list_review_comments(1347)
    assert listed[0].path == "file1.txt"
    assert listed[0].review_id == 42
    assert listed[0].in_reply_to_id == 8  # replies feed the acceptance signals
    comments = [
        InlineComment(path="a.py", line=3, body="one", fingerprint="f1"),
        InlineComment(
            path="a.py", line=9, start_line=7, side="LEFT", body="range", fingerprint="f2"
        ),
    ]
    posted = client.create_review(
        1347, "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091", "Review", comments
    )
    assert posted.id == 80
    sent = _json(_sent(mock))
    assert sent == {
        "commit_id": "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091",
        "body": "Review",
        "event": "COMMENT",
        "comments": [
            {"path": "a.py", "body": "one", "line": 3, "side": "RIGHT"},
            {
                "path": "a.py",
                "body": "range",
                "line": 9,
                "side": "LEFT",
                "start_line": 7,
                "start_side": "LEFT",
            },
        ],
    }


def test_workflow_run_and_failed_jobs(mock: responses.RequestsMock, client: GitHubClient) -> None:
    run = example("actions/get-workflow-run")
    jobs = example("actions/list-jobs-for-workflow-run")
    jobs["jobs"][0]["conclusion"] = "failure"
    jobs["jobs"][0]["steps"][1]["conclusion"] = "failure"
    mock.get(_url("/actions/runs/30433642"), json=run)
    # PyGithub follows the run's own jobs_url, which in GitHub's example names another repo
    mock.get(_url("/actions/runs/30433642/jobs", f"{API_HOST}/repos/octo-org/octo-repo"), json=jobs)
    info = client.workflow_run(30433642)
    assert (info.id, info.name, info.head_sha) == (
        30433642,
        "Build",
        "acb5820ced9479c074f688cc328bf03f341a511d",
    )
    failed = client.failed_jobs(30433642)
    assert [(j.id, j.failed_steps) for j in failed] == [(399444496, ("Run actions/checkout@v2",))]
    assert "filter=latest" in (_sent(mock).url or "")


def test_job_log_follows_the_redirect_without_the_token(
    mock: responses.RequestsMock, client: GitHubClient
) -> None:
    storage = "https://pipelines.actions.githubusercontent.com/logs/399444496?sig=abc"
    mock.get(_url("/actions/jobs/399444496/logs"), status=302, headers={"Location": storage})
    mock.get(storage, body=b"2026-01-05T12:00:00Z FAILED test_x\n")
    assert client.job_log(399444496) == "2026-01-05T12:00:00Z FAILED test_x\n"
    assert "Authorization" not in _sent(mock).headers


def test_reactions(mock: responses.RequestsMock, client: GitHubClient) -> None:
    mock.get(_url("/issues/comments/1/reactions"), json=example("reactions/list-for-issue-comment"))
    mock.get(
        _url("/pulls/comments/2/reactions"),
        json=example("reactions/list-for-pull-request-review-comment"),
    )
    assert [(r.content, r.user) for r in client.reactions_for_issue_comment(1)] == [
        ("heart", "octocat")
    ]
    assert [(r.content, r.user) for r in client.reactions_for_review_comment(2)] == [
        ("heart", "octocat")
    ]


def test_open_pulls(mock: responses.RequestsMock, client: GitHubClient) -> None:
    mock.get(_url("/pulls"), json=example("pulls/list"))
    pulls = client.open_pulls()
    assert [(p.number, p.author) for p in pulls] == [(1347, "octocat")]
    assert "state=open" in (_sent(mock).url or "")


# errors ------------------------------------------------------------------------------------


def test_403_on_create_review_names_the_permission(
    mock: responses.RequestsMock, client: GitHubClient
) -> None:
    mock.post(
        _url("/pulls/5/reviews"),
        status=403,
        json={"message": "Resource not accessible by integration"},
    )
    with pytest.raises(GitHubError) as info:
        client.create_review(5, "a" * 40, "body")
    err = info.value
    assert (err.status, err.permission, err.retryable) == (403, "pull-requests: write", False)
    assert "the token needs `pull-requests: write`" in str(err)
    assert err.hint is not None
    assert "permissions:" in err.hint
    assert len(mock.calls) == 1  # a plain 403 is not retried


def test_404_names_the_resource(mock: responses.RequestsMock, client: GitHubClient) -> None:
    mock.get(_url("/pulls/99"), status=404, json={"message": "Not Found"})
    with pytest.raises(GitHubError, match="no pull request #99"):
        client.pull(99)


def test_422_says_what_github_rejected(mock: responses.RequestsMock, client: GitHubClient) -> None:
    mock.post(
        _url("/pulls/5/reviews"),
        status=422,
        json={"message": "Unprocessable Entity", "errors": ["Line could not be resolved"]},
    )
    with pytest.raises(GitHubError, match="Line could not be resolved") as info:
        client.create_review(5, "a" * 40, "body")
    assert info.value.status == 422


def test_secondary_rate_limit_is_retried(
    mock: responses.RequestsMock, client: GitHubClient
) -> None:
    limited = {
        "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
    }
    mock.post(_url("/issues/5/comments"), status=403, json=limited, headers={"Retry-After": "0"})
    mock.post(_url("/issues/5/comments"), status=201, json=example("issues/create-comment", "201"))
    assert client.create_issue_comment(5, "hi").id == 1
    assert len(mock.calls) == 2


def test_rate_limit_beyond_the_cap_fails_fast(
    mock: responses.RequestsMock, client: GitHubClient
) -> None:
    mock.get(
        _url("/pulls/5"), status=403, json={"message": "slow down"}, headers={"Retry-After": "3600"}
    )
    with pytest.raises(GitHubError, match="rate limit") as info:
        client.pull(5)
    assert info.value.retryable
    assert len(mock.calls) == 1


def test_server_errors_are_retried_then_reported(
    mock: responses.RequestsMock, client: GitHubClient
) -> None:
    mock.get(_url("/pulls/5"), status=502, json={"message": "Server Error"})
    with pytest.raises(GitHubError) as info:
        client.pull(5)
    assert info.value.retryable
    assert len(mock.calls) == 1 + FAST_RETRY.total


def test_network_error_is_translated(mock: responses.RequestsMock, client: GitHubClient) -> None:
    mock.get(_url("/pulls/5"), body=requests.ConnectionError("refused"))
    with pytest.raises(GitHubError, match="cannot reach GitHub"):
        client.pull(5)


def test_enterprise_base_url(mock: responses.RequestsMock) -> None:
    base = "https://ghe.example.com/api/v3"
    client = GitHubClient.from_env(
        {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": base}, retry=FAST_RETRY
    )
    mock.get(
        re.compile(
            r"https://ghe\.example\.com(:443)?/api/v3/repos/octocat/Hello-World/pulls/1347$"
        ),
        json=example("pulls/get"),
    )
    mock.get(f"{base}/repos/{REPO}/pulls/1347", body=b"diff")
    assert client.pull(1347).number == 1347
    assert client.pull_diff(1347).data == b"diff"
    for call in mock.calls:
        assert "/api/v3/repos/" in (call.request.url or "")
        check_request(call.request, base_path="/api/v3")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GITHUB_REPOSITORY": REPO}, "no GitHub token"),
        ({"GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": ""}, "no GitHub token"),
        ({"GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": "  "}, "no GitHub token"),
        ({"GITHUB_TOKEN": "t"}, "GITHUB_REPOSITORY"),
        ({"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "octocat/"}, "GITHUB_REPOSITORY"),
    ],
)
def test_from_env_requires_token_and_repo(env: dict[str, str], message: str) -> None:
    # The user's to fix (exit 2), not a GitHub failure (which a run reports and exits 0).
    with pytest.raises(UsageError, match=message) as info:
        GitHubClient.from_env(env)
    assert not isinstance(info.value, GitHubError)
    assert info.value.hint


def test_default_retry_settings_are_production_grade() -> None:
    settings = RetrySettings()
    assert settings.total >= 3
    assert settings.secondary_rate_wait >= 60
    assert settings.seconds_between_writes == 1.0


# the contract checker itself ---------------------------------------------------------------


def _review_request(**body: Any) -> requests.PreparedRequest:
    return requests.Request("POST", f"{R}/pulls/42/reviews", json=body).prepare()


def test_checker_accepts_what_the_client_sends() -> None:
    comment = {"path": "a.py", "line": 3, "side": "RIGHT", "body": "x"}
    assert (
        request_problems(
            _review_request(commit_id="a", body="b", event="COMMENT", comments=[comment])
        )
        == []
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"event": "COMMENTED"}, "COMMENTED"),
        (
            {"event": "COMMENT", "comments": [{"path": "a.py", "line": 3}]},
            "'body' is a required property",
        ),
        (
            {
                "event": "COMMENT",
                "comments": [{"path": "a.py", "line": 3, "side": "MIDDLE", "body": "x"}],
            },
            "side",
        ),
        (
            {"event": "COMMENT", "comments": [{"path": "a.py", "position": 3, "body": "x"}]},
            "legacy position",
        ),
    ],
)
def test_checker_rejects_what_github_rejects(body: dict[str, Any], problem: str) -> None:
    problems = request_problems(_review_request(**body))
    assert any(problem in p for p in problems), problems


def test_permission_reads_githubs_own_answer(
    mock: responses.RequestsMock, client: GitHubClient
) -> None:
    answer = example(
        "repos/get-collaborator-permission-level",
        name="response-if-user-has-admin-permissions",
    )
    mock.get(_url("/collaborators/octocat/permission"), json=answer)
    got = client.permission("octocat")
    assert (got.permission, got.role_name, got.can_write) == ("admin", "admin", True)


def test_permission_of_a_login_is_escaped_into_one_path_segment(
    mock: responses.RequestsMock, client: GitHubClient
) -> None:
    mock.get(_url("/collaborators/a%2Fb/permission"), status=404, json={"message": "Not Found"})
    assert client.permission("a/b").permission == "none"
    assert _sent(mock).url is not None
    assert "/collaborators/a%2Fb/permission" in _sent(mock).url
