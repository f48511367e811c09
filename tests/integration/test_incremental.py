"""``synchronize``: only what changed since the last reviewed head is reviewed, and the
summary and the review say so."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pr_router.emulator import Call, Rule, Scenario

from .harness import (
    HTTPX_REVIEW,
    REVIEW_MATCH,
    SECURITY_MATCH,
    World,
    canned_rules,
    diff,
    finding,
    make_world,
    webhook,
)

OLD = "1111111111111111111111111111111111111111"  # the head the first run reviewed
NEW = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"  # the synchronize payload's head
WERKZEUG_REVIEW = {
    "summary": "The debugger PIN is hashed from bytes on Python 3.",
    "findings": [finding("werkzeug/debug/__init__.py", 44, 44, "RIGHT", "MD5 is a weak PIN hash")],
}


def _by_diff(werkzeug: Mapping[str, Any], httpx: Mapping[str, Any]) -> Any:
    def answer(call: Call) -> Mapping[str, Any]:
        return werkzeug if "werkzeug/debug/__init__.py" in call.prompt else httpx

    return answer


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    rules = [
        Rule(prompt=REVIEW_MATCH, output=_by_diff(WERKZEUG_REVIEW, HTTPX_REVIEW)),
        Rule(prompt=SECURITY_MATCH, output={"summary": "Nothing to report.", "findings": []}),
        *canned_rules(),
    ]
    yield from make_world(tmp_path, Scenario(rules))


def _review_prompts(world: World) -> list[str]:
    bodies = [json.dumps(r.json) for r in world.emulator.requests.where("POST", "/v1/messages")]
    return [b for b in bodies if REVIEW_MATCH.replace("#", "") in b.replace("#", "")]


def test_synchronize_reviews_only_the_new_commits(world: World) -> None:
    opened = webhook("pull_request.opened.payload.json")
    opened["pull_request"]["head"]["sha"] = OLD
    world.seed(opened, diff("httpx__d25f2bfeff35.diff"))
    first = world.run(world.env("pull_request", opened))
    assert world.summary(2)[2].last_reviewed_sha == OLD
    # A push: the PR's head moves on and its diff grows; GitHub still knows the old head.
    grown = diff("httpx__d25f2bfeff35.diff") + diff("werkzeug__7111a5b6c958.diff")
    world.state.push(2, NEW, grown, "Fix the PIN hash on Python 3")
    base = world.state.pulls[2].base_sha

    second = world.run(world.env("pull_request", webhook("pull_request.synchronize.payload.json")))

    assert (first.outcome.exit_code, second.outcome.exit_code) == (0, 0)
    # The PR diff at the old head (three-dot compare from the base), not OLD...NEW.
    (compare,) = world.state.calls_to("repos/compare-commits-with-basehead")
    assert compare.path.endswith(f"/compare/{base}...{OLD}")
    # The second review prompt holds what the push added, not the files reviewed before.
    _, again = _review_prompts(world)
    assert "werkzeug/debug/__init__.py" in again
    assert "httpx/_client.py" not in again
    # Said in the new review and in the summary; the state moves to the new head.
    reviews = sorted(world.state.reviews.values(), key=lambda r: r.id)
    assert len(reviews) == 2
    assert "Only changes since `1111111` were reviewed." in reviews[1].body
    assert reviews[1].commit_id == NEW
    new_comments = [c for c in world.state.review_comments.values() if c.review_id == reviews[1].id]
    assert [(c.path, c.line, c.side) for c in new_comments] == [
        ("werkzeug/debug/__init__.py", 44, "RIGHT")
    ]
    _, body, state = world.summary(2)
    assert "🔁 Reviewed only changes since `1111111`." in body
    assert (state.last_reviewed_sha, state.runs) == (NEW, 2)
    # The PR's lifetime, run by run: what each run looked at and cost, adding up.
    assert "PR lifetime, run by run" in body
    assert "| 1 | `1111111` | whole PR |" in body
    assert "| **2** (this run) | `ec26c3e` | changes since 1111111 |" in body
    assert [e["what"] for e in state.history] == ["whole PR", "changes since 1111111"]
    assert sum(Decimal(e["usd"]) for e in state.history) == state.cost_usd
    assert second.outcome.summaries[0].incremental_since == OLD


def test_an_unreachable_old_head_falls_back_to_the_whole_pr(world: World) -> None:
    opened = webhook("pull_request.opened.payload.json")
    opened["pull_request"]["head"]["sha"] = OLD
    world.seed(opened, diff("httpx__d25f2bfeff35.diff"))
    world.run(world.env("pull_request", opened))
    grown = diff("httpx__d25f2bfeff35.diff") + diff("werkzeug__7111a5b6c958.diff")
    world.state.push(2, NEW, grown, "Force-pushed", forced=True)  # GitHub answers 404

    result = world.run(world.env("pull_request", webhook("pull_request.synchronize.payload.json")))

    assert result.outcome.exit_code == 0
    _, again = _review_prompts(world)
    assert "werkzeug/debug/__init__.py" in again
    assert "httpx/_client.py" in again
    _, body, state = world.summary(2)
    assert "Reviewed only changes since" not in body
    assert "Reviewed the whole PR: the last reviewed head 1111111 could not be compared" in body
    assert state.last_reviewed_sha == NEW
