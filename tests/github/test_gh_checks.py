"""Check runs: the client through a real socket against the emulator (every request checked
against GitHub's OpenAPI description by the fixture), the emulator's answers against the
documented response shapes, and GitHub's rules the gate depends on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import TOKEN, Emulated, seeded_state
from openapi_check import request_problems, response_problems

from pr_router.emulator.github import GitHubEmulator
from pr_router.emulator.http import Request
from pr_router.errors import GitHubError

R = "/repos/Codertocat/Hello-World"


def _annotation(line: int, level: str = "failure") -> dict[str, Any]:
    return {
        "path": "src/app.py",
        "start_line": line,
        "end_line": line,
        "annotation_level": level,
        "message": f"finding on line {line}",
    }


def _output(n: int, text: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"title": "t", "summary": "s", "text": text}
    if n:
        out["annotations"] = [_annotation(i + 1) for i in range(n)]
    return out


def test_create_list_and_update_in_place(emulated: Emulated) -> None:
    c = emulated.client
    head = emulated.state.pulls[2].head_sha
    assert c.check_runs_for(head, "pr-router / security") == []
    made = c.create_check_run(
        "pr-router / security", head, conclusion="failure", output=_output(2, "marker")
    )
    assert (made.name, made.conclusion, made.head_sha, made.annotations_count) == (
        "pr-router / security",
        "failure",
        head,
        2,
    )
    c.create_check_run("pr-router / review", head, conclusion="success", output=_output(0))
    [found] = c.check_runs_for(head, "pr-router / security")
    assert (found.id, found.text) == (made.id, "marker")
    c.update_check_run(made.id, output=_output(1), conclusion="success")
    [again] = c.check_runs_for(head, "pr-router / security")
    assert (again.conclusion, again.annotations_count) == ("success", 3)  # appended, as on GitHub
    run = emulated.state.check_runs[made.id]
    assert (run.status, run.requests, len(emulated.state.check_runs)) == ("completed", 2, 2)


def test_fifty_annotations_per_request_is_githubs_limit(emulated: Emulated) -> None:
    head = emulated.state.pulls[2].head_sha
    with pytest.raises(GitHubError) as exc:
        emulated.client.create_check_run("x", head, conclusion="failure", output=_output(51))
    assert exc.value.status == 422
    assert emulated.state.check_runs == {}
    # the spec says so too (maxItems 50): the request checker would reject it as well
    body = {"name": "x", "head_sha": head, "conclusion": "failure", "output": _output(51)}
    req = Request("POST", f"{R}/check-runs", {}, {"content-type": "application/json"},
                  json.dumps(body).encode(), "", "")  # fmt: skip
    assert any("maxItems" in p or "too long" in p for p in request_problems(req))
    emulated.emulator.requests.clear()  # the refused request is not the client's fault


def test_unknown_commit_and_completed_without_conclusion_are_refused() -> None:
    emulator = GitHubEmulator(seeded_state())
    status, payload = _send(
        emulator, "POST", f"{R}/check-runs", {"name": "x", "head_sha": "f" * 40}
    )
    assert (status, payload["message"]) == (422, f"No commit found for SHA: {'f' * 40}")
    head = emulator.state.pulls[2].head_sha
    body = {"name": "x", "head_sha": head, "status": "completed"}
    status, payload = _send(emulator, "POST", f"{R}/check-runs", body)
    assert status == 422
    assert "conclusion is required" in payload["errors"][0]


def test_list_shows_the_newest_run_per_name_unless_filter_all() -> None:
    emulator = GitHubEmulator(seeded_state())
    head = emulator.state.pulls[2].head_sha
    for conclusion in ("failure", "success"):
        body = {"name": "gate", "head_sha": head, "conclusion": conclusion, "output": _output(0)}
        assert _send(emulator, "POST", f"{R}/check-runs", body)[0] == 201
    _, latest = _send(emulator, "GET", f"{R}/commits/{head}/check-runs")
    assert [r["conclusion"] for r in latest["check_runs"]] == ["success"]
    _, every = _send(emulator, "GET", f"{R}/commits/{head}/check-runs", query={"filter": ["all"]})
    assert [r["conclusion"] for r in every["check_runs"]] == ["success", "failure"]


@pytest.mark.parametrize("method", ["POST", "PATCH", "GET"])
def test_answers_match_githubs_documented_shapes(method: str) -> None:
    state = seeded_state()
    emulator = GitHubEmulator(state)
    head = state.pulls[2].head_sha
    body = {"name": "gate", "head_sha": head, "conclusion": "neutral", "output": _output(3)}
    _status, created = _send(emulator, "POST", f"{R}/check-runs", body)
    path, payload = f"{R}/check-runs", body
    if method == "PATCH":
        path, payload = f"{R}/check-runs/{created['id']}", {"output": _output(1)}
    elif method == "GET":
        path, payload = f"{R}/commits/{head}/check-runs", None
    data = json.dumps(payload).encode() if payload is not None else b""
    headers = {"authorization": f"Bearer {TOKEN}", "content-type": "application/json"}
    request = Request(method, path, {}, headers, data, "http://127.0.0.1:9", "/github")
    answer = emulator.handle(request)
    assert answer.status in (200, 201), answer.body
    assert request_problems(request) == []
    assert response_problems(request, answer.status, answer.body, answer.headers) == []


def _send(
    emulator: GitHubEmulator,
    method: str,
    path: str,
    body: Any = None,
    *,
    query: dict[str, list[str]] | None = None,
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else b""
    headers = {"authorization": f"Bearer {TOKEN}", "content-type": "application/json"}
    answer = emulator.handle(
        Request(method, path, query or {}, headers, data, "http://127.0.0.1:9", "/github")
    )
    return answer.status, json.loads(answer.body)


def _spec(head: str, n: int, conclusion: str = "failure") -> Any:
    from pr_router.gate.checks import Annotation, CheckRunSpec

    notes = tuple(
        Annotation(
            fingerprint=f"{i:016x}",
            path="src/app.py",
            start_line=i + 1,
            end_line=i + 1,
            level="failure",
            title=f"f{i}",
            message="m",
        )
        for i in range(n)
    )
    return CheckRunSpec("pr-router / security", head, conclusion, "title", "summary", notes)


def test_post_check_runs_batches_annotations_and_updates_in_place(emulated: Emulated) -> None:
    from pr_router.gate.publish import post_check_runs

    head = emulated.state.pulls[2].head_sha
    [first] = post_check_runs(emulated.client, [_spec(head, 120)])
    assert (first.action, first.requests, first.annotations_sent) == ("created", 4, 120)
    run = emulated.state.check_runs[first.check_run_id or 0]
    assert (len(run.annotations), run.requests, run.conclusion) == (120, 3, "failure")
    writes = [
        c.body for c in emulated.state.calls if c.operation in ("checks/create", "checks/update")
    ]
    assert [len(b["output"].get("annotations", [])) for b in writes] == [50, 50, 20]
    # a re-run on the same head: same check, new conclusion, no annotation sent twice
    [again] = post_check_runs(emulated.client, [_spec(head, 121, "success")])
    assert (again.action, again.check_run_id, again.annotations_sent) == ("updated", run.id, 1)
    assert (len(run.annotations), run.conclusion, len(emulated.state.check_runs)) == (
        121, "success", 1,
    )  # fmt: skip


def test_a_refused_check_run_is_a_problem_line_not_an_exception(emulated: Emulated) -> None:
    from pr_router.gate.publish import post_check_runs

    emulated.state.fail("checks/create", "forbidden")
    [refused] = post_check_runs(emulated.client, [_spec(emulated.state.pulls[2].head_sha, 1)])
    assert (refused.action, refused.check_run_id) == ("refused", None)
    assert "checks: write" in (refused.problem or "")
