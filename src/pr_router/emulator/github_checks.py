"""Check runs in the GitHub emulator: create, update, list for a ref, as GitHub answers them.

What GitHub enforces and pr-router depends on: a check run needs a commit that exists
(422 otherwise), at most 50 annotations per request (422), a ``conclusion`` whenever the
status is ``completed`` (and a conclusion completes the run), annotations that accumulate
over updates, and ``filter=latest`` (the default) listing only the newest run per name.
Each handler returns ``(status, payload)``; ``GitHubEmulator`` turns it into a response.
"""

from __future__ import annotations

from typing import Any

from pr_router.github import shapes
from pr_router.github.emulated import EmuCheckRun, GitHubState

__all__ = ["MAX_ANNOTATIONS", "check_run", "create_check_run", "list_for_ref", "update_check_run"]

MAX_ANNOTATIONS = 50
_CONCLUSIONS = (
    "action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out",
)  # fmt: skip
_STATUSES = ("queued", "in_progress", "completed")
_OUTPUT_TEXT = ("title", "summary", "text")
Answer = tuple[int, Any]


def _invalid(message: str) -> Answer:
    return 422, {"message": "Invalid request.", "errors": [message]}


def _app(api: str, web: str) -> dict[str, Any]:
    """The GitHub Actions app, which owns check runs made with the workflow token."""
    return {
        "id": 15368,
        "slug": "github-actions",
        "node_id": shapes.node_id("App", 15368),
        "owner": shapes.user("github", api, web),
        "name": "GitHub Actions",
        "description": "Automate your workflow from idea to production",
        "external_url": "https://help.github.com/en/actions",
        "html_url": f"{web}/apps/github-actions",
        "created_at": "2018-07-30T09:30:17Z",
        "updated_at": "2024-04-10T20:33:16Z",
        "permissions": {"checks": "write", "metadata": "read"},
        "events": ["check_run", "pull_request"],
    }


def check_run(c: EmuCheckRun, repo: str, api: str, web: str) -> dict[str, Any]:
    """A check-run as GitHub returns it."""
    url = f"{api}/repos/{repo}/check-runs/{c.id}"
    done = c.status == "completed"
    return {
        "id": c.id,
        "head_sha": c.head_sha,
        "node_id": shapes.node_id("CheckRun", c.id),
        "external_id": c.external_id or "",
        "url": url,
        "html_url": f"{web}/{repo}/runs/{c.id}",
        "details_url": c.details_url or f"{web}/{repo}/runs/{c.id}",
        "status": c.status,
        "conclusion": c.conclusion,
        "started_at": shapes.TIMESTAMP,
        "completed_at": shapes.TIMESTAMP if done else None,
        "output": {
            "title": c.title,
            "summary": c.summary,
            "text": c.text,
            "annotations_count": len(c.annotations),
            "annotations_url": f"{url}/annotations",
        },
        "name": c.name,
        "check_suite": {"id": 5000 + c.id},
        "app": _app(api, web),
        "pull_requests": [],
    }


def _problem(data: Any, *, creating: bool) -> str | None:
    if not isinstance(data, dict):
        return "the body must be a JSON object"
    if creating and not all(isinstance(data.get(k), str) for k in ("name", "head_sha")):
        return "name and head_sha are required"
    status, conclusion = data.get("status"), data.get("conclusion")
    if status is not None and status not in _STATUSES:
        return f"status {status!r} is not one of {', '.join(_STATUSES)}"
    if conclusion is not None and conclusion not in _CONCLUSIONS:
        return f"conclusion {conclusion!r} is not valid"
    if status == "completed" and conclusion is None:
        return "conclusion is required when status is completed"
    output = data.get("output")
    if output is None:
        return None
    if not isinstance(output, dict) or not isinstance(output.get("summary"), str):
        return "output needs a summary"
    if any(len(output.get(k) or "") > 65535 for k in _OUTPUT_TEXT):
        return "output title, summary and text are limited to 65535 characters"
    annotations = output.get("annotations") or []
    if len(annotations) > MAX_ANNOTATIONS:
        return f"at most {MAX_ANNOTATIONS} annotations per request (got {len(annotations)})"
    for a in annotations:
        if not isinstance(a, dict) or not {"path", "start_line", "end_line", "message"} <= set(a):
            return "each annotation needs path, start_line, end_line, annotation_level, message"
        if a.get("annotation_level") not in ("notice", "warning", "failure"):
            return "annotation_level must be notice, warning or failure"
        if a["start_line"] > a["end_line"]:
            return "an annotation's start_line is after its end_line"
    return None


def _apply(c: EmuCheckRun, data: dict[str, Any]) -> None:
    for key in ("name", "external_id", "details_url"):
        if isinstance(data.get(key), str):
            setattr(c, key, data[key])
    if data.get("status"):
        c.status = data["status"]
    if data.get("conclusion"):
        c.conclusion, c.status = data["conclusion"], "completed"
    output = data.get("output")
    if isinstance(output, dict):
        for key in _OUTPUT_TEXT:
            if key in output:
                setattr(c, key, output[key])
        c.annotations.extend(output.get("annotations") or [])


def create_check_run(state: GitHubState, data: Any, api: str, web: str) -> Answer:
    """``POST /repos/{o}/{r}/check-runs``."""
    problem = _problem(data, creating=True)
    if problem is not None:
        return _invalid(problem)
    if not state.known_commit(data["head_sha"]):
        return 422, {"message": "No commit found for SHA: " + data["head_sha"]}
    run = EmuCheckRun(id=state.next_id(), name=data["name"], head_sha=data["head_sha"])
    _apply(run, data)
    state.check_runs[run.id] = run
    return 201, check_run(run, state.repo, api, web)


def update_check_run(state: GitHubState, run_id: int, data: Any, api: str, web: str) -> Answer:
    """``PATCH /repos/{o}/{r}/check-runs/{id}``."""
    run = state.check_runs.get(run_id)
    if run is None:
        return 404, {"message": "Not Found"}
    problem = _problem(data, creating=False)
    if problem is not None:
        return _invalid(problem)
    _apply(run, data)
    run.requests += 1
    return 200, check_run(run, state.repo, api, web)


def list_for_ref(
    state: GitHubState, ref: str, query: dict[str, list[str]], api: str, web: str
) -> tuple[int, list[dict[str, Any]] | dict[str, Any]]:
    """``GET /repos/{o}/{r}/commits/{ref}/check-runs``: the items, before paging."""
    sha = state.refs.get(ref, ref)
    if not state.known_commit(sha):
        return 422, {"message": f"No commit found for SHA: {ref}"}
    name = query["check_name"][0] if query.get("check_name") else None
    status = query["status"][0] if query.get("status") else None
    runs = [c for c in state.checks_on(sha, name) if status in (None, c.status)]
    if (query.get("filter") or ["latest"])[0] == "latest":
        newest = {c.name: c for c in sorted(runs, key=lambda c: c.id)}
        runs = sorted(newest.values(), key=lambda c: c.id)
    return 200, [check_run(c, state.repo, api, web) for c in reversed(runs)]
