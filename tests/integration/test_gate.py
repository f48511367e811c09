"""The merge gate end to end: ``pr-router run`` on a real webhook payload and a real diff,
PyGithub behind ``responses`` forwarding to the GitHub emulator (every request checked
against GitHub's OpenAPI description, check runs included), the SDKs on the model emulator.

What branch protection reads is asserted where GitHub keeps it: the check runs on the head
commit, their conclusion, summary and annotations.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gate.sarif_schema import sarif_problems
from pr_router.emulator import Rule, Scenario
from pr_router.github.emulated import EmuCheckRun, EmuReviewComment
from pr_router.github.publish import fingerprints_in

from .harness import SECURITY_MATCH, World, canned_rules, diff, make_world, webhook

HTTPX = "httpx__d25f2bfeff35.diff"
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
SECURITY, REVIEW = "pr-router / security", "pr-router / review"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from make_world(tmp_path, Scenario(canned_rules()))


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[World]:
    """The security scan's provider fails on every attempt; the review works."""
    rules = [Rule(prompt=SECURITY_MATCH, fault="no-retry"), *canned_rules()]
    yield from make_world(tmp_path, Scenario(rules))


def _opened(world: World, **pull: Any) -> dict[str, Any]:
    event = webhook("pull_request.opened.payload.json")
    event["pull_request"].update(pull)
    world.seed(event, diff(HTTPX))
    return event


def _checks(world: World) -> dict[str, EmuCheckRun]:
    found = {c.name: c for c in world.state.check_runs.values()}
    assert len(found) == len(world.state.check_runs), "one check run per name"
    return found


def test_a_high_security_finding_fails_the_security_check_with_an_annotation(
    world: World, tmp_path: Path
) -> None:
    event = _opened(world)
    sarif = tmp_path / "results.sarif"
    result = world.run(world.env("pull_request", event, PR_ROUTER_SARIF=str(sarif)))

    assert result.outcome.exit_code == 0  # the gate is the check, not the step
    checks = _checks(world)
    security, review = checks[SECURITY], checks[REVIEW]
    assert (security.head_sha, security.status, security.conclusion) == (
        HEAD,
        "completed",
        "failure",
    )
    assert security.title == "1 finding at high or above blocks the merge"
    assert security.annotations == [
        {
            "path": "httpx/_client.py", "start_line": 1789, "end_line": 1789,
            "annotation_level": "failure", "title": "[High] Auth is sent on redirects",
            "message": "Auth is sent on redirects: explained.", "raw_details": "CWE-522 · auth",
        }
    ]  # fmt: skip
    assert "security: " in security.summary
    assert "Cost: $" in (security.summary or "")
    assert "❌ blocks the merge" in (security.summary or "")
    # the review's findings are medium: below its gate level (critical), annotated as warnings
    assert (review.conclusion, {a["annotation_level"] for a in review.annotations}) == (
        "success", {"warning"},
    )  # fmt: skip
    assert [a["end_line"] for a in review.annotations] == [237, 177]  # the removed line: no
    assert result.outputs["gate"] == "fail"
    assert (
        "pr-router / security: failure: 1 finding at high or above blocks the merge" in result.log
    )
    _, body, state = world.summary(event["number"])
    assert "❌ **pr-router / security**: 1 finding at high or above blocks the merge" in body
    assert state.gate is not None
    assert [f["fp"] for f in state.gate["jobs"]["security"]] == [
        fp for c in world.state.review_comments.values() for fp in fingerprints_in(c.body)
        if "Auth is sent on redirects" in c.body
    ]  # fmt: skip
    # SARIF for code scanning: valid, on the head, rule from the CWE
    log = json.loads(sarif.read_text(encoding="utf-8"))
    assert sarif_problems(log) == []
    [run] = log["runs"]
    [alert] = run["results"]
    assert (alert["ruleId"], run["versionControlProvenance"][0]["revisionId"]) == ("CWE-522", HEAD)
    assert alert["locations"][0]["physicalLocation"]["region"] == {"startLine": 1789}


def test_a_rerun_updates_the_checks_in_place(world: World) -> None:
    event = _opened(world)
    world.run(world.env("pull_request", event))
    first = {name: (c.id, len(c.annotations)) for name, c in _checks(world).items()}
    sync = dict(event, action="synchronize")
    world.run(world.env("pull_request", sync))
    again = _checks(world)
    assert {name: (c.id, len(c.annotations)) for name, c in again.items()} == first
    assert again[SECURITY].requests == 2  # created, then updated: no annotation sent twice
    assert world.operations().count("checks/update") == 2


def test_an_outage_gives_a_neutral_check_that_says_why(outage: World) -> None:
    event = _opened(outage)
    result = outage.run(outage.env("pull_request", event))

    assert result.outcome.exit_code == 0
    security = _checks(outage)[SECURITY]
    assert security.conclusion == "neutral"
    assert (security.title or "").startswith("Could not run: the job failed:")
    assert security.annotations == []
    assert _checks(outage)[REVIEW].conclusion == "success"
    assert result.outputs["gate"] == "skipped"


def test_an_outage_blocks_only_when_the_policy_says_so(outage: World) -> None:
    outage.state.add_file(".github/pr-router.yml", _policy("  on_outage: failure\n"), "master")
    event = _opened(outage)
    result = outage.run(outage.env("pull_request", event))
    assert _checks(outage)[SECURITY].conclusion == "failure"
    assert result.outputs["gate"] == "fail"


def test_a_pr_without_model_keys_gets_neutral_checks_with_the_reason(world: World) -> None:
    # a fork PR gets no secrets; where its token may still write (the repository allows
    # write tokens for fork PRs), the checks say why nothing was judged
    event = _opened(world)
    event["pull_request"]["head"]["repo"]["full_name"] = "mallory/Hello-World"
    result = world.run(world.env("pull_request", event, keys=False))

    checks = _checks(world)
    assert {c.conclusion for c in checks.values()} == {"neutral"}
    assert (checks[SECURITY].title or "").startswith("Could not run: no model provider: No key")
    assert result.outputs["gate"] == "skipped"
    assert "pr-router / security: neutral: Could not run: no model provider" in result.log


def test_a_fork_prs_read_only_token_cannot_post_checks_and_that_is_fine(world: World) -> None:
    event = _opened(world)
    event["pull_request"]["head"]["repo"]["full_name"] = "mallory/Hello-World"
    world.state.read_only = True  # GitHub's token for a fork PR's pull_request run
    result = world.run(world.env("pull_request", event, keys=False))

    assert result.outcome.exit_code == 0
    assert world.state.check_runs == {}
    assert "::warning" not in result.log  # expected on forks: the second stage posts them
    assert "(not posted)" in result.log


def test_the_gate_can_be_switched_off(world: World) -> None:
    world.state.add_file(".github/pr-router.yml", _policy(enabled=False), "master")
    event = _opened(world)
    result = world.run(world.env("pull_request", event))
    assert world.state.check_runs == {}
    assert "checks/create" not in world.operations()
    assert result.outputs["gate"] == "skipped"


def _policy(extra: str = "", *, enabled: bool = True) -> bytes:
    """The default policy with a gate section."""
    from importlib import resources

    text = resources.files("pr_router.policy").joinpath("default.yml").read_text(encoding="utf-8")
    head, _, _ = text.partition("\ngate:\n")
    gate = f"\ngate:\n  enabled: {str(enabled).lower()}\n{extra}"
    return (head + gate + "\nmax_context_tokens: 150000\n").encode()


# -- accepting a finding ------------------------------------------------------------------


def _finding_thread(world: World, title: str) -> EmuReviewComment:
    return next(c for c in world.state.review_comments.values() if title in c.body)


def _reply(world: World, to: EmuReviewComment, author: str, body: str) -> EmuReviewComment:
    reply = EmuReviewComment(
        id=world.state.next_id(), review_id=None, number=to.number, author=author, body=body,
        path=to.path, line=to.line, side=to.side, commit_id=to.commit_id, in_reply_to_id=to.id,
    )  # fmt: skip
    world.state.review_comments[reply.id] = reply
    return reply


def _collect(world: World) -> Any:
    return world.collect(world.env("schedule", {"schedule": "7,37 * * * *"}))


def test_a_maintainers_accept_reply_passes_the_check_and_is_recorded(world: World) -> None:
    event = _opened(world)
    world.run(world.env("pull_request", event))
    thread = _finding_thread(world, "Auth is sent on redirects")
    world.state.roles |= {"octo-lead": "maintain", "drive-by": "triage"}
    # not enough permission: ignored; quoted or in code: not a command
    _reply(world, thread, "drive-by", "/pr-router accept looks fine to me")
    _reply(world, thread, "octo-lead", "> /pr-router accept quoted\n\n```\n/pr-router accept\n```")
    assert _collect(world).ledger == []
    assert _checks(world)[SECURITY].conclusion == "failure"

    _reply(
        world, thread, "octo-lead", "/pr-router accept redirects only go to our own API host @all"
    )
    result = _collect(world)

    security = _checks(world)[SECURITY]
    assert (security.conclusion, security.requests) == ("success", 2)  # one update: the accept
    assert security.title == "No blocking findings (1 finding, 1 accepted)"
    assert "✅ accepted by `octo-lead` (reply): redirects only go to our own API host `@all`" in (
        security.summary or ""
    )
    _, body, state = world.summary(event["number"])
    assert "✅ **pr-router / security**: No blocking findings (1 finding, 1 accepted)" in body
    assert "accepted by `octo-lead` (reply): redirects only go to our own API host" in body
    assert state.gate is not None
    assert [a["by"] for a in state.gate["accepted"]] == ["octo-lead"]
    [record] = result.ledger
    assert (record.job, record.status, record.cost_usd) == ("security", "skipped", 0)
    [accepted] = record.accepted
    assert (accepted.by, accepted.via, accepted.severity, accepted.title) == (
        "octo-lead", "reply", "high", "Auth is sent on redirects",
    )  # fmt: skip
    assert "collaborators/octo-lead/permission" in " ".join(c.path for c in world.state.calls)
    # the report lists it, from the ledger
    from pr_router.report import Period, report_json, report_markdown, summarize

    summary = summarize([record], Period(None, record.timestamp))
    assert report_json(summary, [])["gate_accepted"] == [
        {"pr": "Codertocat/Hello-World#2", "job": "security", "severity": "high",
         "title": "Auth is sent on redirects", "by": "octo-lead",
         "reason": "redirects only go to our own API host @all", "via": "reply"},
    ]  # fmt: skip
    markdown = report_markdown(summary, [])
    assert "### Findings accepted for the merge gate" in markdown
    assert "redirects only go to our own API host `@all`" in markdown  # no mention in an issue
    # the next push keeps the acceptance: the same finding does not fail the check again
    world.run(world.env("pull_request", dict(event, action="synchronize")))
    assert _checks(world)[SECURITY].conclusion == "success"


def test_a_reaction_the_policy_names_accepts_a_finding(world: World) -> None:
    world.state.add_file(".github/pr-router.yml", _policy("  accept_reaction: rocket\n"), "master")
    event = _opened(world)
    world.run(world.env("pull_request", event))
    thread = _finding_thread(world, "Auth is sent on redirects")
    world.state.roles["octo-lead"] = "admin"
    world.state.add_reaction("review", thread.id, "+1", "octo-lead")  # not the named one
    world.state.add_reaction("review", thread.id, "rocket", "drive-by")  # reads only
    _collect(world)
    assert _checks(world)[SECURITY].conclusion == "failure"

    world.state.add_reaction("review", thread.id, "rocket", "octo-lead")
    result = _collect(world)
    assert _checks(world)[SECURITY].conclusion == "success"
    [record] = result.ledger
    assert [(a.by, a.via, a.reason) for a in record.accepted] == [
        ("octo-lead", "reaction", "reacted :rocket:"),
    ]
    assert "reacting with :rocket:" in (_checks(world)[SECURITY].summary or "")


def test_an_accept_reply_re_evaluates_the_gate_at_once(world: World) -> None:
    event = _opened(world)
    world.run(world.env("pull_request", event))
    thread = _finding_thread(world, "Auth is sent on redirects")
    said = "/pr-router accept the redirect never leaves our own host"
    reply = _reply(world, thread, "Codertocat", said)  # owns the repository: admin
    payload = webhook("pull_request_review_comment.created.payload.json")
    payload["comment"] |= {"id": reply.id, "body": said, "in_reply_to_id": thread.id}
    payload["comment"]["user"]["login"] = "Codertocat"

    result = world.run(world.env("pull_request_review_comment", payload))

    assert result.outcome.exit_code == 0
    assert _checks(world)[SECURITY].conclusion == "success"
    answer = [c for c in world.state.review_comments.values()
              if c.in_reply_to_id == thread.id and c.author == world.state.viewer]  # fmt: skip
    assert len(answer) == 1
    assert "accept the redirect never leaves our own host`: accepted; the merge gate was " in (
        answer[0].body
    )
    assert "`pr-router / security` success" in answer[0].body
    [record] = result.ledger
    assert [(a.by, a.reason) for a in record.accepted] == [
        ("Codertocat", "the redirect never leaves our own host"),
    ]
    _, body, _ = world.summary(event["number"])
    assert "accepted by `Codertocat` (reply): the redirect never leaves our own host" in body
    # the same reply again changes nothing, and says so
    again = world.run(world.env("pull_request_review_comment", payload))
    assert again.ledger == []
