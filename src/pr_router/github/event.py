"""Webhook events: parse the runner's payload into an ``Event`` and decide what a run does."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from pr_router.context import PRContext
from pr_router.errors import EventError
from pr_router.runner import is_private

__all__ = [
    "CommentInfo",
    "Decision",
    "Event",
    "EventKind",
    "WorkflowRunInfo",
    "decide",
    "load_event",
    "load_event_from_env",
    "pr_context_from_pull",
]

EventKind = Literal[
    "pull_request",
    "pull_request_target",
    "workflow_run",
    "schedule",
    "workflow_dispatch",
    "issue_comment",
    "pull_request_review_comment",
    "unsupported",
]
DecisionKind = Literal["run", "skip", "collect", "failure_summary", "command"]

_PR_EVENTS: tuple[EventKind, ...] = ("pull_request", "pull_request_target")
_COMMENT_EVENTS: tuple[EventKind, ...] = ("issue_comment", "pull_request_review_comment")
_KINDS: tuple[EventKind, ...] = (
    *_PR_EVENTS,
    "workflow_run",
    "schedule",
    "workflow_dispatch",
    *_COMMENT_EVENTS,
)
_RUN_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review")


@dataclass(frozen=True, slots=True)
class WorkflowRunInfo:
    """The CI run a ``workflow_run`` event reports on."""

    run_id: int
    name: str
    conclusion: str | None
    head_sha: str
    pr_numbers: tuple[int, ...]

    @property
    def ci_failed(self) -> bool:
        """True when the run concluded with ``failure``."""
        return self.conclusion == "failure"


@dataclass(frozen=True, slots=True)
class CommentInfo:
    """The comment an ``issue_comment`` or ``pull_request_review_comment`` event is about.

    ``author_association`` is deliberately not kept: who may command is asked of the API.
    """

    id: int
    login: str
    user_type: str  # "User", "Bot", "Organization"
    body: str
    review: bool = False  # a comment in a review thread (on a line of the diff)
    in_reply_to_id: int | None = None  # the thread's first comment, for a reply
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """What started the run: kind, action, and the PR (if any) it concerns."""

    name: str  # GITHUB_EVENT_NAME as given
    kind: EventKind
    action: str | None = None
    pr: PRContext | None = None
    workflow_run: WorkflowRunInfo | None = None
    repo: str | None = None
    note: str | None = None  # why no PR could be resolved, when that matters
    comment: CommentInfo | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """What a run should do for an event, and why."""

    kind: DecisionKind
    reason: str
    incremental: bool = False  # review only what changed since the last reviewed head


def _where(path: str) -> str:
    return f"event payload: {path}"


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _get(obj: Mapping[str, Any], path: str, key: str) -> Any:
    if key not in obj:
        raise EventError(f"{_where(path)} is missing", hint="is GITHUB_EVENT_PATH the right file?")
    return obj[key]


def _type(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _str(obj: Mapping[str, Any], prefix: str, key: str, *, nullable: bool = False) -> str | None:
    value = _get(obj, _join(prefix, key), key)
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise EventError(f"{_where(_join(prefix, key))} must be a string, got {_type(value)}")
    return value


def _req_str(obj: Mapping[str, Any], prefix: str, key: str) -> str:
    value = _str(obj, prefix, key)
    assert value is not None  # not nullable
    return value


def _int(obj: Mapping[str, Any], prefix: str, key: str) -> int:
    value = _get(obj, _join(prefix, key), key)
    # bool is an int subclass; a JSON true is not a PR number
    if not isinstance(value, int) or isinstance(value, bool):
        raise EventError(f"{_where(_join(prefix, key))} must be an integer, got {_type(value)}")
    return value


def _labels(pull: Mapping[str, Any], prefix: str) -> tuple[str, ...]:
    raw = pull.get("labels", [])
    if not isinstance(raw, list):
        raise EventError(f"{_where(prefix + '.labels')} must be a list, got {_type(raw)}")
    names: list[str] = []
    for i, label in enumerate(raw):
        if not isinstance(label, Mapping):
            raise EventError(f"{_where(f'{prefix}.labels[{i}]')} must be an object")
        names.append(_req_str(label, f"{prefix}.labels[{i}]", "name"))
    return tuple(names)


def _head_repo(head: Mapping[str, Any], prefix: str) -> str | None:
    repo = head.get("repo")
    if repo is None:  # the fork was deleted: GitHub sends null
        return None
    if not isinstance(repo, Mapping):
        raise EventError(f"{_where(prefix + '.head.repo')} must be an object, got {_type(repo)}")
    return _req_str(repo, f"{prefix}.head.repo", "full_name")


def pr_context_from_pull(pull: Mapping[str, Any], *, prefix: str = "pull_request") -> PRContext:
    """A ``PRContext`` from a pull-request object (webhook ``pull_request`` or REST pulls/get)."""
    base = _sub(pull, prefix, "base")
    head = _sub(pull, prefix, "head")
    base_repo = _req_str(_sub(base, f"{prefix}.base", "repo"), f"{prefix}.base.repo", "full_name")
    head_repo = _head_repo(head, prefix)
    user = _sub(pull, prefix, "user")
    draft = pull.get("draft", False)
    if not isinstance(draft, bool):
        raise EventError(f"{_where(prefix + '.draft')} must be a boolean, got {_type(draft)}")
    return PRContext(
        repo=base_repo,
        number=_int(pull, prefix, "number"),
        title=_req_str(pull, prefix, "title"),
        body=_str(pull, prefix, "body", nullable=True) or "",
        author=_req_str(user, f"{prefix}.user", "login"),
        labels=_labels(pull, prefix),
        draft=draft,
        base_sha=_req_str(base, f"{prefix}.base", "sha"),
        head_sha=_req_str(head, f"{prefix}.head", "sha"),
        base_ref=_req_str(base, f"{prefix}.base", "ref"),
        head_ref=_req_str(head, f"{prefix}.head", "ref"),
        is_fork=head_repo is None or head_repo != base_repo,
        private=is_private({"repository": base.get("repo")}),
    )


def _sub(obj: Mapping[str, Any], prefix: str, key: str) -> Mapping[str, Any]:
    value = _get(obj, _join(prefix, key), key)
    if not isinstance(value, Mapping):
        raise EventError(f"{_where(_join(prefix, key))} must be an object, got {_type(value)}")
    return value


def _repo_name(payload: Mapping[str, Any]) -> str | None:
    repo = payload.get("repository")
    if isinstance(repo, Mapping) and isinstance(repo.get("full_name"), str):
        return str(repo["full_name"])
    return None


def _action(payload: Mapping[str, Any]) -> str | None:
    action = payload.get("action")
    if action is not None and not isinstance(action, str):
        raise EventError(f"{_where('action')} must be a string, got {_type(action)}")
    return action


def _pull_request_event(name: str, kind: EventKind, payload: Mapping[str, Any]) -> Event:
    action = _action(payload)
    pull = _sub(payload, "", "pull_request")
    pr = replace(pr_context_from_pull(pull), event=name, action=action)
    return Event(name=name, kind=kind, action=action, pr=pr, repo=_repo_name(payload) or pr.repo)


def _run_pr_numbers(run: Mapping[str, Any]) -> tuple[int, ...]:
    raw = _get(run, "workflow_run.pull_requests", "pull_requests")
    if not isinstance(raw, list):
        raise EventError(f"{_where('workflow_run.pull_requests')} must be a list, got {_type(raw)}")
    numbers = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise EventError(f"{_where(f'workflow_run.pull_requests[{i}]')} must be an object")
        numbers.append(_int(item, f"workflow_run.pull_requests[{i}]", "number"))
    return tuple(numbers)


def _workflow_run_event(name: str, payload: Mapping[str, Any]) -> Event:
    action = _action(payload)
    run = _sub(payload, "", "workflow_run")
    info = WorkflowRunInfo(
        run_id=_int(run, "workflow_run", "id"),
        name=str(run.get("name") or ""),
        conclusion=_str(run, "workflow_run", "conclusion", nullable=True),
        head_sha=_req_str(run, "workflow_run", "head_sha"),
        pr_numbers=_run_pr_numbers(run),
    )
    repo = _repo_name(payload)
    if not info.pr_numbers:
        # GitHub leaves pull_requests empty for runs of fork PRs and for pushes.
        note = "the workflow run lists no pull request (fork PRs and pushes are not listed)"
        return Event(
            name=name, kind="workflow_run", action=action, workflow_run=info, repo=repo, note=note
        )
    pr = PRContext(
        repo=repo,
        number=info.pr_numbers[0],
        head_sha=info.head_sha,
        head_ref=run.get("head_branch") if isinstance(run.get("head_branch"), str) else None,
        event=name,
        action=action,
        ci_failed=info.ci_failed,
        workflow_run_id=info.run_id,
    )
    return Event(name=name, kind="workflow_run", action=action, pr=pr, workflow_run=info, repo=repo)


def _comment_info(payload: Mapping[str, Any], *, review: bool) -> CommentInfo:
    comment = _sub(payload, "", "comment")
    user = _sub(comment, "comment", "user")
    reply = comment.get("in_reply_to_id")
    path = comment.get("path")
    return CommentInfo(
        id=_int(comment, "comment", "id"),
        login=_req_str(user, "comment.user", "login"),
        user_type=str(user.get("type") or "User"),
        body=_str(comment, "comment", "body", nullable=True) or "",
        review=review,
        in_reply_to_id=reply if isinstance(reply, int) and not isinstance(reply, bool) else None,
        path=path if isinstance(path, str) else None,
    )


def _comment_event(name: str, kind: EventKind, payload: Mapping[str, Any]) -> Event:
    """A PR comment: the PR comes from ``pull_request`` (review comments) or ``issue``."""
    action = _action(payload)
    review = kind == "pull_request_review_comment"
    info = _comment_info(payload, review=review)
    repo = _repo_name(payload)
    if review:
        pr = replace(pr_context_from_pull(_sub(payload, "", "pull_request")), event=name,
                     action=action)  # fmt: skip
        return Event(name, kind, action, pr=pr, repo=repo or pr.repo, comment=info)
    issue = _sub(payload, "", "issue")
    if not isinstance(issue.get("pull_request"), Mapping):
        note = "the comment is on an issue, not a pull request"
        return Event(name, kind, action, repo=repo, note=note, comment=info)
    # The issue carries the number only; the run reads the PR itself (head, base, body).
    pr = PRContext(repo=repo, number=_int(issue, "issue", "number"), event=name, action=action)
    return Event(name, kind, action, pr=pr, repo=repo, comment=info)


def load_event(event_name: str, payload: Mapping[str, Any]) -> Event:
    """Parse a webhook payload; malformed payloads raise ``EventError`` naming the field."""
    if not isinstance(payload, Mapping):
        raise EventError(f"event payload must be a JSON object, got {_type(payload)}")
    kind: EventKind = next((k for k in _KINDS if k == event_name), "unsupported")
    if kind in _PR_EVENTS:
        return _pull_request_event(event_name, kind, payload)
    if kind == "workflow_run":
        return _workflow_run_event(event_name, payload)
    if kind in _COMMENT_EVENTS:
        return _comment_event(event_name, kind, payload)
    return Event(name=event_name, kind=kind, action=_action(payload), repo=_repo_name(payload))


def load_event_from_env(environ: Mapping[str, str]) -> Event:
    """Read ``GITHUB_EVENT_NAME`` and the JSON file at ``GITHUB_EVENT_PATH``."""
    # ``run`` has no --event flag: name what works (the runner's variables, or ``plan``).
    hint = (
        "run inside GitHub Actions, or set GITHUB_EVENT_NAME and GITHUB_EVENT_PATH "
        "(a webhook payload file); to try routing locally: pr-router plan --diff FILE "
        "[--event FILE]"
    )
    name = environ.get("GITHUB_EVENT_NAME", "").strip()
    if not name:
        raise EventError("GITHUB_EVENT_NAME is not set", hint=hint)
    path = environ.get("GITHUB_EVENT_PATH", "").strip()
    if not path:
        raise EventError("GITHUB_EVENT_PATH is not set", hint=hint)
    try:
        with open(path, encoding="utf-8") as f:
            payload = json.load(f)
    except OSError as exc:
        raise EventError(
            f"cannot read GITHUB_EVENT_PATH {path}: {exc.strerror}", hint=hint
        ) from exc
    except ValueError as exc:
        raise EventError(f"GITHUB_EVENT_PATH {path} is not valid JSON: {exc}", hint=hint) from exc
    except RecursionError:
        raise EventError(
            f"GITHUB_EVENT_PATH {path} is not a webhook payload: nested too deeply", hint=hint
        ) from None
    return load_event(name, payload)


def _decide_pr(event: Event, pr: PRContext, *, draft_reviews: bool) -> Decision:
    action = event.action
    if action == "closed":
        return Decision("skip", "the pull request was closed")
    if action in ("labeled", "unlabeled"):
        return Decision("skip", f"label change ({action}) does not change the code")
    if action not in _RUN_ACTIONS:
        return Decision("skip", f"{event.name} action {action!r} is not handled")
    if pr.draft and not draft_reviews:
        return Decision(
            "skip", "draft pull request (set `drafts: run` in the policy to review drafts)"
        )
    return Decision("run", f"{event.name} {action}", incremental=action == "synchronize")


def decide(event: Event, *, draft_reviews: bool) -> Decision:
    """What to do for an event: run, skip (with the reason), collect, or failure_summary."""
    if event.kind in _PR_EVENTS and event.pr is not None:
        return _decide_pr(event, event.pr, draft_reviews=draft_reviews)
    if event.kind in _COMMENT_EVENTS:
        if event.pr is None:
            return Decision("skip", event.note or "the comment is not on a pull request")
        if event.action != "created":
            # an edit must not replay an old command; a deletion has nothing to read
            return Decision("skip", f"comment {event.action}: only new comments are commands")
        return Decision("command", f"{event.name} {event.action}: read the comment for commands")
    if event.kind in ("schedule", "workflow_dispatch"):
        return Decision("collect", f"{event.name}: finish pending batches on open pull requests")
    if event.kind == "workflow_run" and event.workflow_run is not None:
        run = event.workflow_run
        if event.action != "completed":
            return Decision("skip", f"workflow run {run.run_id} is not completed ({event.action})")
        if not run.ci_failed:
            return Decision(
                "skip", f"workflow run {run.run_id} concluded {run.conclusion!r}, not failure"
            )
        if event.pr is None:
            return Decision("skip", f"CI failed but {event.note}")
        return Decision(
            "failure_summary", f"workflow run {run.run_id} failed for PR #{event.pr.number}"
        )
    return Decision("skip", f"event {event.name!r} is not supported")
