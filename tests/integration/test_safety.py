"""What a run does when it should not, or cannot, do its job: fork PRs without secrets,
tokens without write access, failing models, drafts, and failed CI runs."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import pr_router
from pr_router.emulator import Rule, Scenario
from pr_router.github.emulated import EmuJob, EmuRun

from .harness import LOGS, REVIEW_MATCH, World, canned_rules, diff, make_world, webhook

HTTPX = "httpx__d25f2bfeff35.diff"
SRC = Path(pr_router.__file__).parent
WRITES = {"pulls/create-review", "issues/create-comment", "issues/update-comment"}
PERMISSION = "the token needs `pull-requests: write`"
ZERO = {"cost-usd": "0.000000", "all-frontier-usd": "0.000000", "savings-usd": "0.000000",
        "pending-batches": "", "jobs-failed": "", "gate": "skipped", "runner-minutes": "0",
        "runner-usd": "0.000000", "total-usd": "0.000000", "all-frontier-total-usd": "0.000000",
        "total-savings-usd": "0.000000"}  # fmt: skip


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    # Batches end at once: a run (which does not wait) still posts them, as it would a batch
    # that ended while the synchronous jobs ran.
    yield from make_world(tmp_path, Scenario(canned_rules(), batch_duration_s=0.0))


@pytest.fixture
def failing(tmp_path: Path) -> Iterator[World]:
    """The review call fails on every provider and attempt."""
    rules = [Rule(prompt=REVIEW_MATCH, fault="no-retry"), *canned_rules()]
    yield from make_world(tmp_path, Scenario(rules))


def _warnings(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("::warning")]


def _opened(world: World, **pull: Any) -> dict[str, Any]:
    event = webhook("pull_request.opened.payload.json")
    event["pull_request"].update(pull)
    world.seed(event, diff(HTTPX))
    return event


def test_a_fork_pr_without_keys_gets_a_plan_only_notice(world: World) -> None:
    event = webhook("pull_request.opened.payload.json")
    event["pull_request"]["head"]["repo"]["full_name"] = "mallory/Hello-World"
    world.seed(event, diff(HTTPX))

    result = world.run(world.env("pull_request", event, keys=False))

    assert result.outcome.exit_code == 0
    assert "::notice::pr-router ran in plan-only mode: No key found for anthropic" in result.log
    assert "fork-safe two-stage workflow" in result.outcome.message
    assert not WRITES & set(world.operations())
    assert world.emulator.requests.snapshot() == []  # no model was called either
    assert "| review | critical | frontier |" in result.step_summary
    assert result.outputs == ZERO
    assert result.ledger == []


def test_403_on_the_review_is_one_clear_line_and_the_summary_says_what_failed(
    world: World,
) -> None:
    event = _opened(world)
    world.state.fail("pulls/create-review", "forbidden")

    result = world.run(world.env("pull_request", event))

    assert result.outcome.exit_code == 0
    (warning,) = [w for w in _warnings(result.log) if "pull-requests: write" in w]
    assert warning.startswith("::warning::The review could not be posted: GitHub refused to")
    assert PERMISSION in warning
    # said once: not repeated as a note of the terminal summary
    assert [line for line in result.log.splitlines() if "pull-requests: write" in line] == [warning]
    assert world.state.reviews == {}
    _, body, state = world.summary(2)
    assert "ℹ️ The review could not be posted" in body
    assert PERMISSION in body
    assert "findings 3 inline" not in body  # the summary claims nothing the PR lacks
    assert "`review`: findings" not in body
    assert PERMISSION in result.step_summary
    # Nothing counts as reviewed: the next run posts the findings.
    assert (state.last_reviewed_sha, state.fingerprints) == (None, ())
    assert {r.job: r.published for r in result.ledger}["review"] == [
        f"issue_comment:{world.summary(2)[0]}"
    ]

    again = world.run(world.env("pull_request", event))
    assert again.outcome.exit_code == 0
    assert len(world.state.review_comments) == 4


def test_403_fails_the_step_with_fail_on_error(world: World) -> None:
    event = _opened(world)
    world.state.fail("pulls/create-review", "forbidden")

    result = world.run(world.env("pull_request", event, PR_ROUTER_FAIL_ON_ERROR="true"))

    assert result.outcome.exit_code == 1


def test_a_read_only_token_posts_nothing_and_the_log_says_what_failed(world: World) -> None:
    event = _opened(world)
    for op in WRITES:
        world.state.fail(op, "forbidden", times=5)

    result = world.run(world.env("pull_request", event))

    assert result.outcome.exit_code == 0
    warnings = _warnings(result.log)
    assert any(w.startswith("::warning::The review could not be posted") for w in warnings)
    assert any(w.startswith("::warning::The summary comment could not be posted") for w in warnings)
    assert world.state.comments == {}
    assert world.state.reviews == {}
    assert "could not be posted" in result.step_summary
    assert {r.job for r in result.ledger} == {"review", "security", "describe", "changelog"}
    assert all(r.published == [] for r in result.ledger)


def test_a_failed_job_exits_1_only_with_fail_on_error(failing: World) -> None:
    event = _opened(failing)

    quiet = failing.run(failing.env("pull_request", event))
    strict = failing.run(failing.env("pull_request", event, PR_ROUTER_FAIL_ON_ERROR="true"))

    assert (quiet.outcome.exit_code, strict.outcome.exit_code) == (0, 1)
    assert quiet.outputs["jobs-failed"] == strict.outputs["jobs-failed"] == "review"
    assert "::warning::review failed:" in quiet.log
    _, body, _ = failing.summary(2)
    assert "❌ `review` failed:" in body
    assert {r.job for r in quiet.ledger if r.status == "failed"} == {"review"}


def test_a_draft_is_skipped_with_the_reason(world: World) -> None:
    event = _opened(world, draft=True)

    result = world.run(world.env("pull_request", event))

    assert result.outcome.exit_code == 0
    reason = "skipped: draft pull request (set `drafts: run` in the policy to review drafts)"
    assert result.outcome.message == reason
    assert f"pr-router: {reason}" in result.log
    assert reason in result.step_summary
    assert result.outputs == ZERO
    assert not WRITES & set(world.operations())


def test_converted_to_draft_is_skipped_with_the_reason(world: World) -> None:
    event = webhook("pull_request.converted_to_draft.payload.json")
    world.seed(event, diff(HTTPX))

    result = world.run(world.env("pull_request", event))

    assert result.outcome.exit_code == 0
    assert "'converted_to_draft' is not handled" in result.outcome.message
    assert not WRITES & set(world.operations())


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("pull_request.closed.payload.json", "skipped: the pull request was closed"),
        ("pull_request.labeled.payload.json", "skipped: label change (labeled) does not change"),
        ("pull_request.opened.with-null-body.json", None),
    ],
)
def test_what_each_pull_request_action_does(world: World, payload: str, reason: str | None) -> None:
    event = webhook(payload)
    world.seed(event, diff(HTTPX))

    result = world.run(world.env("pull_request", event))

    assert result.outcome.exit_code == 0
    if reason is None:
        assert len(world.state.reviews) == 1
        assert "Description · describe" in world.summary(2)[1]  # an empty body gets one
    else:
        assert result.outcome.message.startswith(reason)
        assert not WRITES & set(world.operations())
        assert world.emulator.requests.snapshot() == []


def test_drafts_run_when_the_base_branch_policy_says_so(world: World) -> None:
    event = _opened(world, draft=True)
    base = event["pull_request"]["base"]["sha"]
    policy = (SRC / "policy" / "default.yml").read_text(encoding="utf-8")
    assert "\ndrafts: skip\n" in policy
    world.state.add_file(
        ".github/pr-router.yml",
        policy.replace("\ndrafts: skip\n", "\ndrafts: run\n").encode(),
        ref=base,
    )

    result = world.run(world.env("pull_request", event))

    assert result.outcome.exit_code == 0
    assert len(world.state.reviews) == 1
    assert result.outcome.summaries[0].plan.policy == f".github/pr-router.yml@{base[:7]}"


def _ci_failed(world: World) -> dict[str, Any]:
    """PR #2 of octo-org/octo-repo, and its CI run that failed in pytest."""
    pull_event = webhook("pull_request.opened.payload.json")
    run_event = webhook("workflow_run.completed.with-pull-requests.payload.json")
    run = run_event["workflow_run"]
    run["conclusion"] = "failure"
    repo = run_event["repository"]["full_name"]
    pull = pull_event["pull_request"]
    for side in ("base", "head"):
        pull[side]["repo"] = copy.deepcopy(run_event["repository"])
    pull["head"]["sha"] = run["head_sha"]
    world.repo = repo
    world.seed(pull_event, diff(HTTPX))
    log = (LOGS / "pytest_failure.log").read_text(encoding="utf-8")
    job = EmuJob(id=9001, name="test", conclusion="failure",
                 steps=[("Set up job", "success"), ("Run pytest -q", "failure")], log=log)  # fmt: skip
    world.state.add_run(EmuRun(id=run["id"], name=run["name"], head_sha=run["head_sha"],
                               head_branch=run["head_branch"], pr_numbers=(2,), jobs=[job]))  # fmt: skip
    return run_event


def test_a_failed_ci_run_gets_a_failure_summary_from_the_job_logs(world: World) -> None:
    event = _ci_failed(world)

    result = world.run(world.env("workflow_run", event))

    assert result.outcome.exit_code == 0
    ops = world.operations()
    assert "actions/list-jobs-for-workflow-run" in ops
    assert "actions/download-job-logs-for-workflow-run" in ops
    (request,) = [
        r.json for r in world.emulator.requests.snapshot() if "FailureOutput" in str(r.json)
    ]
    assert "Run pytest -q" in str(request)
    assert [r.job for r in result.ledger] == ["failure-summary"]
    assert world.state.reviews == {}
    _, body, _ = world.summary(2)
    assert "The assertion in test_app.py::test_main does not hold." in body


def test_a_successful_ci_run_does_nothing(world: World) -> None:
    event = _ci_failed(world)
    event["workflow_run"]["conclusion"] = "success"

    result = world.run(world.env("workflow_run", event))

    assert result.outcome.exit_code == 0
    assert result.outcome.message == "nothing to do: the CI run did not fail"
    assert world.emulator.requests.snapshot() == []
    assert not WRITES & set(world.operations())
