"""Event parsing and the run decision, on every webhook example and derived edge cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import WEBHOOKS, load_webhook

from pr_router.errors import EventError
from pr_router.github.event import decide, load_event, load_event_from_env

# file -> (event kind, decision kind, incremental)
EXPECTED = {
    "check_run.completed.payload.json": ("unsupported", "skip", False),
    "check_suite.completed.payload.json": ("unsupported", "skip", False),
    "issue_comment.created.1.payload.json": ("issue_comment", "skip", False),
    "issue_comment.created.payload.json": ("issue_comment", "skip", False),
    "issue_comment.created.with-installation.payload.json": ("issue_comment", "skip", False),
    "issue_comment.created.with-organization.payload.json": ("issue_comment", "skip", False),
    "issue_comment.edited.payload.json": ("issue_comment", "skip", False),
    "pull_request.closed.payload.json": ("pull_request", "skip", False),
    "pull_request.converted_to_draft.payload.json": ("pull_request", "skip", False),
    "pull_request.labeled.payload.json": ("pull_request", "skip", False),
    "pull_request.labeled.with-organization.payload.json": ("pull_request", "skip", False),
    "pull_request.opened.payload.json": ("pull_request", "run", False),
    "pull_request.opened.with-null-body.json": ("pull_request", "run", False),
    "pull_request.opened.with-organization.payload.json": ("pull_request", "run", False),
    "pull_request.ready_for_review.payload.json": ("pull_request", "run", False),
    "pull_request.ready_for_review.with-installation.payload.json": ("pull_request", "run", False),
    "pull_request.reopened.payload.json": ("pull_request", "run", False),
    "pull_request.reopened.with-organization.payload.json": ("pull_request", "run", False),
    "pull_request.synchronize.payload.json": ("pull_request", "run", True),
    "pull_request_review.submitted.payload.json": ("unsupported", "skip", False),
    "pull_request_review_comment.created.payload.json": (
        "pull_request_review_comment",
        "command",
        False,
    ),
    "workflow_job.completed.failure.with-organization.payload.json": ("unsupported", "skip", False),
    "workflow_job.completed.success.with-organization.payload.json": ("unsupported", "skip", False),
    "workflow_job.in_progress.payload.json": ("unsupported", "skip", False),
    "workflow_run.completed.payload.json": ("workflow_run", "skip", False),
    "workflow_run.completed.with-pull-requests.payload.json": ("workflow_run", "skip", False),
    "workflow_run.requested.payload.json": ("workflow_run", "skip", False),
    "workflow_run.requested.with-conclusion.payload.json": ("workflow_run", "skip", False),
}


def _event_name(file: str) -> str:
    return file.split(".", 1)[0]


def test_every_webhook_fixture_is_covered() -> None:
    assert sorted(p.name for p in WEBHOOKS.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("file", sorted(EXPECTED))
def test_webhook_examples(file: str) -> None:
    kind, decision, incremental = EXPECTED[file]
    event = load_event(_event_name(file), load_webhook(file))
    assert event.kind == kind
    result = decide(event, draft_reviews=False)
    assert (result.kind, result.incremental) == (decision, incremental), result.reason
    assert result.reason


def test_opened_pr_context() -> None:
    event = load_event("pull_request", load_webhook("pull_request.opened.payload.json"))
    pr = event.pr
    assert pr is not None
    assert (pr.repo, pr.number, pr.author) == ("Codertocat/Hello-World", 2, "Codertocat")
    assert pr.title == "Update the README with new information."
    assert pr.body.startswith("This is a pretty simple change")
    assert pr.labels == ("bug",)
    assert (pr.base_ref, pr.head_ref) == ("master", "changes")
    assert pr.base_sha == "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"
    assert pr.head_sha == "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
    assert (pr.is_fork, pr.draft, pr.event, pr.action) == (False, False, "pull_request", "opened")


def test_null_body_becomes_empty_string() -> None:
    event = load_event("pull_request", load_webhook("pull_request.opened.with-null-body.json"))
    assert event.pr is not None
    assert event.pr.body == ""


def test_labeled_and_closed_reasons() -> None:
    labeled = decide(
        load_event("pull_request", load_webhook("pull_request.labeled.payload.json")),
        draft_reviews=True,
    )
    closed = decide(
        load_event("pull_request", load_webhook("pull_request.closed.payload.json")),
        draft_reviews=True,
    )
    assert "label" in labeled.reason
    assert "closed" in closed.reason


def _opened(**pull_changes: Any) -> dict[str, Any]:
    payload = load_webhook("pull_request.opened.payload.json")
    payload["pull_request"].update(pull_changes)
    return payload


def test_draft_is_skipped_unless_draft_reviews() -> None:
    event = load_event("pull_request", _opened(draft=True))
    assert event.pr is not None
    assert event.pr.draft
    skipped = decide(event, draft_reviews=False)
    assert skipped.kind == "skip"
    assert "draft" in skipped.reason
    assert decide(event, draft_reviews=True).kind == "run"


def test_fork_by_other_head_repo() -> None:
    payload = _opened()
    payload["pull_request"]["head"]["repo"]["full_name"] = "mallory/Hello-World"
    event = load_event("pull_request_target", payload)
    assert event.kind == "pull_request_target"
    assert event.pr is not None
    assert event.pr.is_fork
    assert decide(event, draft_reviews=False).kind == "run"


def test_fork_with_deleted_head_repo() -> None:
    payload = _opened()
    payload["pull_request"]["head"]["repo"] = None
    event = load_event("pull_request", payload)
    assert event.pr is not None
    assert event.pr.is_fork


def _failed_run(with_prs: bool = True) -> dict[str, Any]:
    name = (
        "workflow_run.completed.with-pull-requests.payload.json"
        if with_prs
        else "workflow_run.completed.payload.json"
    )
    payload = load_webhook(name)
    payload["workflow_run"]["conclusion"] = "failure"
    return payload


def test_workflow_run_failure_with_pr() -> None:
    event = load_event("workflow_run", _failed_run())
    run = event.workflow_run
    assert run is not None
    assert run.ci_failed
    assert run.pr_numbers == (2,)
    assert run.run_id == event.workflow_run.run_id
    assert run.head_sha
    assert event.pr is not None
    assert (event.pr.number, event.pr.ci_failed, event.pr.workflow_run_id) == (2, True, run.run_id)
    decision = decide(event, draft_reviews=False)
    assert decision.kind == "failure_summary"


def test_workflow_run_failure_without_pr_says_why() -> None:
    event = load_event("workflow_run", _failed_run(with_prs=False))
    assert event.pr is None
    assert event.note is not None
    assert "no pull request" in event.note
    decision = decide(event, draft_reviews=False)
    assert decision.kind == "skip"
    assert "no pull request" in decision.reason


def test_workflow_run_success_is_skipped() -> None:
    event = load_event(
        "workflow_run", load_webhook("workflow_run.completed.with-pull-requests.payload.json")
    )
    assert event.workflow_run is not None
    assert not event.workflow_run.ci_failed
    assert "success" in decide(event, draft_reviews=False).reason


@pytest.mark.parametrize("name", ["schedule", "workflow_dispatch"])
def test_schedule_and_dispatch_collect(name: str) -> None:
    event = load_event(name, {})
    assert event.kind == name
    assert decide(event, draft_reviews=False).kind == "collect"


def test_unsupported_event_is_skipped_with_reason() -> None:
    decision = decide(load_event("push", {"ref": "refs/heads/main"}), draft_reviews=False)
    assert decision.kind == "skip"
    assert "push" in decision.reason


def test_unhandled_pr_action() -> None:
    decision = decide(
        load_event("pull_request", _opened() | {"action": "assigned"}), draft_reviews=False
    )
    assert decision.kind == "skip"
    assert "assigned" in decision.reason


def _without(path: str) -> dict[str, Any]:
    payload = load_webhook("pull_request.opened.payload.json")
    *parents, last = path.split(".")
    node = payload
    for key in parents:
        node = node[key]
    del node[last]
    return payload


@pytest.mark.parametrize(
    "path",
    [
        "pull_request",
        "pull_request.number",
        "pull_request.head.sha",
        "pull_request.base.repo",
        "pull_request.user",
    ],
)
def test_missing_field_is_named(path: str) -> None:
    with pytest.raises(EventError) as info:
        load_event("pull_request", _without(path))
    message = str(info.value)
    assert path in message
    assert "missing" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        ({"number": "2"}, "pull_request.number", "integer"),
        ({"number": True}, "pull_request.number", "integer"),
        ({"title": None}, "pull_request.title", "string"),
        ({"draft": "yes"}, "pull_request.draft", "boolean"),
        ({"labels": "bug"}, "pull_request.labels", "list"),
        ({"head": []}, "pull_request.head", "object"),
    ],
)
def test_wrong_types_are_named(change: dict[str, Any], field: str, expected: str) -> None:
    with pytest.raises(EventError, match=rf"{field} must be an? {expected}"):
        load_event("pull_request", _opened(**change))


def test_workflow_run_wrong_types() -> None:
    payload = _failed_run()
    payload["workflow_run"]["pull_requests"] = [{"number": "2"}]
    with pytest.raises(
        EventError, match=r"workflow_run.pull_requests\[0\].number must be an integer"
    ):
        load_event("workflow_run", payload)
    with pytest.raises(EventError, match="must be a JSON object"):
        load_event("pull_request", [])  # type: ignore[arg-type]


def test_from_env(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(load_webhook("pull_request.synchronize.payload.json")))
    event = load_event_from_env(
        {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(path)}
    )
    assert decide(event, draft_reviews=False).incremental


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "GITHUB_EVENT_NAME is not set"),
        ({"GITHUB_EVENT_NAME": "pull_request"}, "GITHUB_EVENT_PATH is not set"),
        (
            {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": "/nonexistent/e.json"},
            "cannot read",
        ),
    ],
)
def test_from_env_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(EventError, match=message) as info:
        load_event_from_env(env)
    hint = info.value.hint or ""
    # ``run`` has no --event flag: the hint names the variables, and ``plan`` for local tries.
    assert "GITHUB_EVENT_NAME and GITHUB_EVENT_PATH" in hint
    assert "pr-router plan --diff FILE" in hint
    assert "pass the event with --event" not in hint


def test_from_env_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text("{not json")
    with pytest.raises(EventError, match="not valid JSON"):
        load_event_from_env({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(path)})


def _on_pull(file: str, action: str = "created") -> dict[str, Any]:
    """An issue_comment example moved onto PR #2 (GitHub adds ``issue.pull_request``)."""
    payload = load_webhook(file)
    payload["action"] = action
    payload["issue"]["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/2"}
    payload["issue"]["number"] = 2
    return payload


def test_a_pr_comment_is_read_for_commands() -> None:
    payload = _on_pull("issue_comment.created.payload.json")
    payload["comment"]["body"] = "/pr-router escalate describe"
    event = load_event("issue_comment", payload)
    assert event.pr is not None
    assert event.comment is not None
    assert (event.pr.repo, event.pr.number, event.pr.event) == (
        "Codertocat/Hello-World",
        2,
        "issue_comment",
    )
    assert event.comment.id == 492700400
    assert (event.comment.login, event.comment.user_type) == ("Codertocat", "User")
    assert event.comment.body == "/pr-router escalate describe"
    assert not event.comment.review
    assert decide(event, draft_reviews=False).kind == "command"


def test_an_edited_pr_comment_is_not_replayed() -> None:
    event = load_event("issue_comment", _on_pull("issue_comment.edited.payload.json", "edited"))
    decision = decide(event, draft_reviews=False)
    assert decision.kind == "skip"
    assert "only new comments" in decision.reason


def test_a_comment_on_an_issue_is_skipped() -> None:
    event = load_event("issue_comment", load_webhook("issue_comment.created.payload.json"))
    assert event.pr is None
    assert "not a pull request" in decide(event, draft_reviews=False).reason


def test_a_review_comment_carries_its_thread_and_the_pr() -> None:
    payload = load_webhook("pull_request_review_comment.created.payload.json")
    payload["comment"]["in_reply_to_id"] = 284312600
    event = load_event("pull_request_review_comment", payload)
    assert event.comment is not None
    assert event.pr is not None
    assert (event.comment.review, event.comment.in_reply_to_id, event.comment.path) == (
        True,
        284312600,
        "README.md",
    )
    assert (event.pr.number, event.pr.head_sha) == (2, "ec26c3e57ca3a959ca5aad62de7213c562f8c821")


def test_a_comment_without_a_user_is_an_error_naming_the_field() -> None:
    payload = _on_pull("issue_comment.created.payload.json")
    del payload["comment"]["user"]
    with pytest.raises(EventError, match=r"comment\.user"):
        load_event("issue_comment", payload)
