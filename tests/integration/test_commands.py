"""Commands in PR comments end to end: GitHub's real ``issue_comment`` and
``pull_request_review_comment`` payloads (moved onto the PR, as GitHub sends them for a pull
request), PyGithub behind ``responses`` with every request checked against GitHub's OpenAPI
description (the permission read included), the SDKs on the emulator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pr_router.emulator import Rule, Scenario
from pr_router.github.state import decode_state

from .harness import World, canned_rules, diff, make_world, webhook

HTTPX = "httpx__d25f2bfeff35.diff"
MAINTAINER = "Codertocat"  # owns Codertocat/Hello-World: admin
ANSWER = {"body": "The UNSET default keeps the client's auth on streamed requests."}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    rules = [Rule(prompt="## Task: Answer", output=ANSWER), *canned_rules()]
    yield from make_world(tmp_path, Scenario(rules, batch_duration_s=0.0))  # posted in the run


def _ran(world: World) -> World:
    event = webhook("pull_request.opened.payload.json")
    world.seed(event, diff(HTTPX))
    result = world.run(world.env("pull_request", event))
    assert result.outcome.exit_code == 0
    return world


def pr_comment(body: str, login: str = MAINTAINER, action: str = "created") -> dict[str, Any]:
    """GitHub's issue_comment example, on PR #2 (GitHub adds ``issue.pull_request``)."""
    payload = webhook(f"issue_comment.{action}.payload.json")
    payload["issue"]["number"] = 2
    payload["issue"]["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/2"}
    payload["comment"]["body"] = body
    payload["comment"]["user"]["login"] = login
    return payload


def thread_comment(body: str, reply_to: int, login: str = MAINTAINER) -> dict[str, Any]:
    """GitHub's pull_request_review_comment example, as a reply in the thread of ``reply_to``."""
    payload = webhook("pull_request_review_comment.created.payload.json")
    payload["comment"]["body"] = body
    payload["comment"]["in_reply_to_id"] = reply_to
    payload["comment"]["user"]["login"] = login
    return payload


def _model_calls(world: World) -> list[Any]:
    """Every request the model emulator received (messages, batches, any provider)."""
    return [r.json for r in world.emulator.requests.snapshot()]


def _replies(world: World, before: set[int]) -> list[str]:
    return [c.body for i, c in world.state.comments.items() if i not in before
            and not c.body.startswith("<!-- pr-router:summary")]  # fmt: skip


def test_a_maintainers_escalate_reruns_the_description_on_standard(world: World) -> None:
    _ran(world)
    before = set(world.state.comments)
    calls = len(_model_calls(world))

    result = world.run(world.env("issue_comment", pr_comment("/pr-router escalate describe")))

    assert result.outcome.exit_code == 0
    # the permission was asked of the API, for the comment's author
    (asked,) = world.state.calls_to("repos/get-collaborator-permission-level")
    assert asked.path.endswith(f"/collaborators/{MAINTAINER}/permission")
    # one model call: describe, on the standard tier, synchronously
    new = _model_calls(world)[calls:]
    assert [c["model"] for c in new] == ["claude-sonnet-5-5"]
    (record,) = result.ledger
    assert (record.job, record.tier, record.mode, record.status) == (
        "describe", "standard", "sync", "ok"
    )  # fmt: skip
    assert record.command == "/pr-router escalate describe"
    assert record.commanded_by == MAINTAINER
    assert record.rejected_tier == "efficient"  # the efficient answer was rejected
    # the reply says what ran, on which model, at what cost
    (reply,) = _replies(world, before)
    assert "`describe` ran on standard (`claude-sonnet-5-5`)" in reply
    assert f"${record.cost_usd:.4f}"[:5] in reply or "$0." in reply
    # the summary keeps every job, shows the new description and the command's audit line
    _, body, state = world.summary(2)
    assert "Commands on this PR (1)" in body
    assert f"`@{MAINTAINER}`" in body
    assert "`/pr-router escalate describe`: describe ran on standard" in body
    assert "\n| describe | claude-sonnet-5-5 |" in body
    assert "\n| review | " in body  # kept from the first run
    assert "billed in an earlier run" in body
    assert state.commands[-1]["by"] == MAINTAINER
    assert state.cost_usd > record.cost_usd  # the first run's cost plus this one


def test_an_outside_contributor_spends_nothing(world: World) -> None:
    _ran(world)
    _, summary_before, _ = world.summary(2)
    before = set(world.state.comments)
    calls = len(_model_calls(world))

    result = world.run(world.env("issue_comment", pr_comment("/pr-router escalate review",
                                                             login="outsider")))  # fmt: skip

    assert result.outcome.exit_code == 0
    assert len(_model_calls(world)) == calls  # no model call
    assert result.ledger == []
    (reply,) = _replies(world, before)
    assert reply.startswith("Sorry @outsider, only people with write access")
    assert "\n" not in reply
    assert world.summary(2)[1] == summary_before  # the summary is untouched


@pytest.mark.parametrize(
    "body",
    [
        "> /pr-router escalate describe\n\nI would not do this.",
        "Try:\n\n```\n/pr-router escalate describe\n```",
        "    /pr-router escalate describe",
    ],
)
def test_a_command_in_a_quote_or_code_block_does_nothing(world: World, body: str) -> None:
    _ran(world)
    before, calls, ops = set(world.state.comments), len(_model_calls(world)), world.operations()

    result = world.run(world.env("issue_comment", pr_comment(body)))

    assert result.outcome.exit_code == 0
    assert len(_model_calls(world)) == calls
    assert _replies(world, before) == []
    new_ops = world.operations()[len(ops) :]
    assert "repos/get-collaborator-permission-level" not in new_ops
    assert not any(op.startswith("issues/create") or op.startswith("issues/update")
                   for op in new_ops)  # fmt: skip


def test_an_edited_comment_and_a_bots_comment_are_ignored(world: World) -> None:
    _ran(world)
    calls, ops = len(_model_calls(world)), len(world.operations())
    edited = pr_comment("/pr-router escalate describe", action="edited")
    world.run(world.env("issue_comment", edited))
    bot = pr_comment("/pr-router escalate describe", login="renovate[bot]")
    bot["comment"]["user"]["type"] = "Bot"
    world.run(world.env("issue_comment", bot))
    assert len(_model_calls(world)) == calls
    # the bot's comment is dropped before the API is asked anything but the PR
    assert "repos/get-collaborator-permission-level" not in world.operations()[ops:]


def test_a_malformed_command_gets_the_usage_and_runs_nothing(world: World) -> None:
    _ran(world)
    before, calls = set(world.state.comments), len(_model_calls(world))

    world.run(world.env("issue_comment", pr_comment("/pr-router escalate describe --tier ultra")))

    assert len(_model_calls(world)) == calls
    (reply,) = _replies(world, before)
    assert "did not understand" in reply
    assert "Usage: `/pr-router escalate JOB [--tier efficient|standard|frontier]`" in reply


def test_ask_in_a_findings_thread_answers_there_and_reads_the_cached_context(
    world: World,
) -> None:
    _ran(world)
    finding = min(c.id for c in world.state.review_comments.values())

    def ask(question: str) -> tuple[Any, Any]:
        calls = len(_model_calls(world))
        comment = thread_comment(f"/pr-router ask {question}", finding)
        result = world.run(world.env("pull_request_review_comment", comment))
        (call,) = _model_calls(world)[calls:]
        (record,) = result.ledger
        return call, record

    first_call, first = ask("why does this matter?")
    world.clock.advance(120)  # a follow-up question two minutes later, in the same thread
    call, record = ask("is the sync client affected too?")

    assert call["model"] == first_call["model"] == "claude-sonnet-5-5"  # the standard tier
    assert (record.job, record.tier, record.command) == (
        "ask", "standard", "/pr-router ask is the sync client affected too?"
    )  # fmt: skip
    # the first answer wrote the PR's context to the cache; the follow-up reads it
    assert first.usage.cache_write_5m > 0
    assert record.usage.cache_read == first.usage.cache_write_5m > 0
    replies = [c for c in world.state.review_comments.values() if c.in_reply_to_id == finding]
    assert len(replies) == 2
    assert ANSWER["body"] in replies[-1].body
    assert "`ask` ran on standard (`claude-sonnet-5-5`)" in replies[-1].body
    assert "read from the PR's cache" in replies[-1].body
    # the finding went into the prompt, fenced as data; nothing went to the conversation
    instructions = call["messages"][0]["content"][-1]["text"]
    assert "review thread of this finding" in instructions
    assert '<untrusted-data source="finding">' in instructions
    assert '<untrusted-data source="question">' in instructions
    _, body, state = world.summary(2)
    assert "/pr-router ask is the sync client affected too?" in body
    assert state.commands[-1]["changed"].startswith("ask ran on standard")


def test_a_rerun_within_the_cache_window_reads_the_runs_cached_prefix(world: World) -> None:
    _ran(world)
    world.clock.advance(60)
    result = world.run(world.env("issue_comment", pr_comment("/pr-router rerun review")))
    (record,) = result.ledger
    assert (record.job, record.tier) == ("review", "frontier")
    assert record.usage.cache_read > 0
    assert record.rejected_tier is None  # a frontier answer re-run is not a routing rejection
    # past the 5-minute window the prefix is written again, not read
    world.clock.advance(600)
    (late,) = world.run(world.env("issue_comment", pr_comment("/pr-router rerun review"))).ledger
    assert late.usage.cache_read == 0
    assert late.usage.cache_write_5m > 0


def test_skip_of_a_must_stay_frontier_job_is_refused_with_the_key(world: World) -> None:
    _ran(world)
    before, calls = set(world.state.comments), len(_model_calls(world))

    world.run(
        world.env("issue_comment", pr_comment("/pr-router skip review\n/pr-router skip docs"))
    )

    assert len(_model_calls(world)) == calls
    (reply,) = _replies(world, before)
    assert "`commands.allow_below_frontier: true`" in reply
    assert "`docs` will not run on this PR again" in reply
    _, body, state = world.summary(2)
    assert state.skipped == {"docs": f"@{MAINTAINER}"}
    assert "skipped docs on this PR" in body
    # the next push does not run docs
    event = webhook("pull_request.synchronize.payload.json")
    result = world.run(world.env("pull_request", event))
    assert "docs" not in {r.job for r in result.ledger}


def test_plan_and_help_reply_without_spending(world: World) -> None:
    _ran(world)
    before, calls = set(world.state.comments), len(_model_calls(world))
    world.run(world.env("issue_comment", pr_comment("/pr-router plan\n/pr-router help")))
    assert len(_model_calls(world)) == calls
    (reply,) = _replies(world, before)
    assert re.search(r"\| review +\| critical +\| frontier +\|", reply)
    assert "(plan estimate; the run reports measured costs)" in reply
    assert "`/pr-router escalate JOB [--tier" in reply


def test_state_of_the_summary_is_still_ours(world: World) -> None:
    _ran(world)
    world.run(world.env("issue_comment", pr_comment("/pr-router escalate describe")))
    _, body, _ = world.summary(2)
    assert decode_state(body) is not None


def test_collect_keeps_the_commands_of_the_pr_in_the_summary(tmp_path: Path) -> None:
    rules = [Rule(prompt="## Task: Answer", output=ANSWER), *canned_rules()]
    for world in make_world(tmp_path, Scenario(rules, batch_duration_s=900.0)):
        _ran(world)  # the batch jobs are still running when the run ends
        world.run(
            world.env("issue_comment", pr_comment("/pr-router escalate review --tier frontier"))
        )
        _, body, state = world.summary(2)
        assert "Commands on this PR (1)" in body
        assert state.pending  # the first run's batches are still out
        world.clock.advance(1800)
        event = webhook("pull_request.opened.payload.json")
        world.collect(world.env("pull_request", event), numbers=(2,))
        _, body, state = world.summary(2)
        assert not state.pending  # collected
        assert "Commands on this PR (1)" in body
        assert "`/pr-router escalate review --tier frontier`" in body
