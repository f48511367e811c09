"""Scenario rules: matching, ``times``, scopes, and loading from files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pr_router.emulator import Call, Rule, Scenario
from pr_router.errors import UsageError

REVIEW = Call("anthropic", "/v1/messages", "claude-opus-4-8", "review", "diff --git a/x b/x")
DESCRIBE = Call("openai", "/v1/responses", "gpt-5.4-mini", "describe", "write a description")


@pytest.mark.parametrize(
    ("rule", "call", "expected"),
    [
        (Rule(job="review"), REVIEW, True),
        (Rule(job="review"), DESCRIBE, False),
        (Rule(prompt="diff --git"), REVIEW, True),
        (Rule(prompt="nothing like it"), REVIEW, False),
        (Rule(model="claude-*"), REVIEW, True),
        (Rule(model="claude-*"), DESCRIBE, False),
        (Rule(endpoint="/v1/responses"), DESCRIBE, True),
        (Rule(endpoint="/v1/messages*"), DESCRIBE, False),
        (Rule(job="review", model="gpt-*"), REVIEW, False),
        (Rule(), REVIEW, True),
    ],
)
def test_rule_filters(rule: Rule, call: Call, expected: bool) -> None:
    assert rule.matches(call) is expected


def test_first_matching_rule_with_times_left_applies() -> None:
    limited = Rule(job="review", fault="429", times=2)
    fallback = Rule(job="review", output={"ok": True})
    scenario = Scenario([limited, fallback])
    picked = [scenario.pick(REVIEW) for _ in range(4)]
    assert picked == [limited, limited, fallback, fallback]
    assert scenario.pick(DESCRIBE) is None


def test_scopes_keep_item_and_batch_rules_apart() -> None:
    item = Rule(custom_id="job-2", item="errored")
    whole = Rule(batch="expired")
    scenario = Scenario([whole, item])
    assert scenario.pick(REVIEW) is None  # neither applies to a synchronous call
    as_item = Call("anthropic", "/v1/messages", "m", custom_id="job-2")
    assert scenario.pick(as_item) is item
    assert scenario.pick_batch("/v1/messages/batches", [as_item]) is whole


def test_faults_only_skips_output_rules() -> None:
    scenario = Scenario([Rule(output="x"), Rule(fault="500", endpoint="/v1/files*")])
    files = Call("openai", "/v1/files/file-1")
    assert scenario.pick(files, faults_only=True) == Rule(fault="500", endpoint="/v1/files*")


def test_batch_rule_matches_when_any_item_does() -> None:
    rule = Rule(job="describe", batch_duration_s=5)
    scenario = Scenario([rule])
    assert scenario.pick_batch("/v1/batches", [REVIEW]) is None
    assert scenario.pick_batch("/v1/batches", [REVIEW, DESCRIBE]) is rule


def test_timing_defaults() -> None:
    scenario = Scenario(latency_s=2.0)
    assert scenario.timing(None) == (2.0, 0.5)
    assert scenario.timing(Rule(latency_s=1.0, ttft_s=0.2)) == (1.0, 0.2)
    assert scenario.timing(Rule(latency_s=1.0, ttft_s=3.0)) == (3.0, 3.0)


@pytest.mark.parametrize(
    "kwargs",
    [{"fault": "418"}, {"item": "lost"}, {"batch": "done"}, {"times": 0}],
)
def test_invalid_rules_are_usage_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        Rule(**kwargs)  # type: ignore[arg-type]


def test_from_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "s.yml"
    path.write_text(
        "latency_s: 0.5\nrules:\n  - job: review\n    fault: 429\n    times: 1\n"
        "  - job: review\n    output: {verdict: ok}\n",
        encoding="utf-8",
    )
    scenario = Scenario.from_file(path)
    assert scenario.latency_s == 0.5
    assert scenario.rules == (
        Rule(job="review", fault="429", times=1),
        Rule(job="review", output={"verdict": "ok"}),
    )


def test_from_json_list(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps([{"custom_id": "a*", "item": "expired"}]), encoding="utf-8")
    assert Scenario.from_file(path).rules == (Rule(custom_id="a*", item="expired"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"jobb": "review"}]', "unknown rule keys: jobb"),
        ('{"rules": [], "speed": 1}', "unknown scenario keys: speed"),
        ('[{"fault": "404"}]', "rules\\[0\\]: rule fault"),
        ("[1", "invalid JSON"),
        ('"x"', "a list of rules or a mapping"),
    ],
)
def test_bad_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        Scenario.from_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read scenario"):
        Scenario.from_file(tmp_path / "nope.yml")
