"""Invalid policies: each gives one exact message naming file:line:col and the field."""

from __future__ import annotations

import pytest

from pr_router.errors import PolicyError
from pr_router.policy.loader import check_policy_text, parse_policy

from .conftest import BASE

SRC = ".github/pr-router.yml"

# (id, policy text, the one expected error line)
CASES = [
    (
        "tier value typo",
        BASE + "jobs:\n  review:\n    tier: fronteir\n",
        f"{SRC}:7:11: jobs.review.tier: expected one of 'frontier', 'standard', 'efficient', "
        "got 'fronteir'",
    ),
    (
        "unknown top-level key",
        BASE + "rulez: []\n",
        f"{SRC}:5:1: rulez: unknown key 'rulez' (did you mean 'rules'?)",
    ),
    (
        "unknown nested key",
        BASE + "jobs:\n  review:\n    teir: frontier\n",
        f"{SRC}:7:5: jobs.review.teir: unknown key 'teir' (did you mean 'tier'?)",
    ),
    (
        "unknown tier name as a key",
        BASE.replace("  standard:", "  standrd:"),
        f"{SRC}:3:3: tiers.standrd: unknown key 'standrd' (did you mean 'standard'?)",
    ),
    (
        "wrong type",
        BASE + "batch:\n  wait_seconds: soon\n",
        f"{SRC}:6:17: batch.wait_seconds: expected an integer, got 'soon'",
    ),
    (
        "list where a mapping is expected",
        "tiers: []\n",
        f"{SRC}:1:8: tiers: expected a mapping, got a list",
    ),
    (
        "missing required key",
        "drafts: run\n",
        f"{SRC}:1:1: tiers: required key is missing",
    ),
    (
        "missing tier",
        BASE.replace("  standard: {provider: anthropic, model: claude-sonnet-5-5}\n", ""),
        f"{SRC}:2:3: tiers: missing tier(s): standard; every tier needs a model",
    ),
    (
        "duplicate key",
        BASE + "drafts: run\ndrafts: skip\n",
        f"{SRC}:6:1: drafts: duplicate key 'drafts' (first on line 5)",
    ),
    (
        "duplicate nested key",
        BASE + "batch:\n  enabled: true\n  wait_seconds: 5\n  enabled: false\n",
        f"{SRC}:8:3: batch.enabled: duplicate key 'enabled' (first on line 6)",
    ),
    (
        "bad YAML syntax",
        BASE + "drafts: run\n  ignore: []\n",
        f"{SRC}:6:9: invalid YAML: mapping values are not allowed here",
    ),
    (
        "unclosed flow sequence",
        BASE + "ignore: [a, b\n",
        f"{SRC}:6:1: invalid YAML: expected ',' or ']', but got '<stream end>' "
        "(while parsing a flow sequence)",
    ),
    (
        "tab indentation",
        BASE + "batch:\n\tenabled: true\n",
        f"{SRC}:6:1: tab character where YAML expects spaces",
    ),
    ("empty file", "", f"{SRC}:1:1: the policy file is empty"),
    ("only comments", "# nothing here\n", f"{SRC}:1:1: the policy file is empty"),
    (
        "non-mapping top level",
        "- review\n- security\n",
        f"{SRC}:1:1: expected a mapping of policy keys (tiers:, jobs:, ...), got a list",
    ),
    (
        "scalar top level",
        "frontier\n",
        f"{SRC}:1:1: expected a mapping of policy keys (tiers:, jobs:, ...), got 'frontier'",
    ),
    (
        "YAML bomb",
        BASE
        + "ignore: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"k{i}: &a{i} [" + ", ".join([f"*a{i - 1}" if i else "*a"] * 10) + "]\n"
            for i in range(6)
        ),
        f"{SRC}:5:9: too many nodes (alias expansion?)",
    ),
    (
        "recursive alias",
        BASE + "ignore: &loop [*loop]\n",
        f"{SRC}:5:9: nested deeper than 64 levels (recursive alias?)",
    ),
    (
        "huge float",
        BASE + "max_context_tokens: 1.0e+400\n",
        f"{SRC}:5:21: max_context_tokens: must be <= 1000000, got 1.0E+400",
    ),
    (
        "absurd exponent",
        BASE + "prices:\n  x: {input: 1e99999999999999999999, output: 1}\n",
        f"{SRC}:6:14: prices.x.input: number out of range: 1e99999999999999999999",
    ),
    (
        "absurd exponent in quotes",
        BASE + "prices:\n  x: {input: '1e99999999999999999999', output: 1}\n",
        f"{SRC}:6:14: prices.x.input: number out of range: 1e99999999999999999999",
    ),
    (
        "huge int",
        BASE + "max_context_tokens: 99999999999999999999999999\n",
        f"{SRC}:5:21: max_context_tokens: must be <= 1000000, got 99999999999999999999999999",
    ),
    (
        "too many digits",
        BASE + "max_context_tokens: " + "9" * 5000 + "\n",
        f"{SRC}:5:21: max_context_tokens: number too long (5000 characters)",
    ),
    (
        "infinity",
        BASE + "prices:\n  claude-opus-5-5: {input: .inf, output: 1}\n",
        f"{SRC}:6:28: prices.claude-opus-5-5.input: expected a finite number, got inf",
    ),
    (
        "too many decimal places",
        BASE + "prices:\n  claude-opus-5-5: {input: 1.1234567, output: 1}\n",
        f"{SRC}:6:28: prices.claude-opus-5-5.input: at most 6 decimal places, got 1.1234567",
    ),
    (
        "unknown model without a price override",
        BASE.replace("claude-haiku-5-5", "acme-small-1"),
        f"{SRC}:4:43: tiers.efficient.model: no price known for model 'acme-small-1' on anthropic",
    ),
    (
        "unknown fallback model",
        BASE + "fallback:\n  frontier: {provider: openai, model: gpt-unknown}\n",
        f"{SRC}:6:39: fallback.frontier.model: no price known for model 'gpt-unknown' on openai",
    ),
    (
        "must_stay_frontier names an unknown job",
        BASE + "must_stay_frontier: [review, secruity]\n",
        f"{SRC}:5:30: must_stay_frontier[1]: unknown job 'secruity' (did you mean 'security'?)",
    ),
    (
        "rule names an unknown job",
        BASE + "rules:\n  - name: x\n    jobs: [reveiw]\n    if: {}\n    then: {effort: low}\n",
        f"{SRC}:7:12: rules[0].jobs[0]: unknown job 'reveiw' (did you mean 'review'?)",
    ),
    (
        "must_stay_frontier job on another tier",
        BASE + "jobs:\n  review: {tier: standard}\n",
        f"{SRC}:6:18: jobs.review.tier: job 'review' is in must_stay_frontier but its tier is "
        "'standard'",
    ),
    (
        "batch mode on a critical job",
        BASE + "jobs:\n  security:\n    mode: batch\n",
        f"{SRC}:7:11: jobs.security.mode: critical job 'security' cannot run in batch mode",
    ),
    (
        "rule batching critical jobs",
        BASE + "rules:\n  - name: batch all\n    if: {}\n    then: {mode: batch}\n",
        f"{SRC}:8:18: rules[0].then.mode: rule 'batch all' would batch critical job(s): "
        "review, security",
    ),
    (
        "built-in job changing class",
        BASE + "jobs:\n  review:\n    class: auxiliary\n",
        f"{SRC}:7:12: jobs.review.class: built-in job 'review' is critical; a policy cannot "
        "make it auxiliary",
    ),
    (
        "custom job missing its prompt",
        BASE + "jobs:\n  migration-review:\n    class: critical\n    tier: frontier\n"
        "    output: findings\n",
        f"{SRC}:6:3: jobs.migration-review: custom job 'migration-review' needs: prompt",
    ),
    (
        "misspelt built-in job",
        BASE + "jobs:\n  secruity:\n    effort: high\n",
        f"{SRC}:6:3: jobs.secruity: custom job 'secruity' needs: class, prompt, output, tier "
        "(did you mean 'security'?)",
    ),
    (
        "invalid job name",
        BASE + "jobs:\n  Migrations: {}\n",
        f"{SRC}:6:3: jobs.Migrations: invalid job name 'Migrations'",
    ),
    (
        "bad ignore glob",
        BASE + "ignore:\n  - 'docs/**'\n  - 'build\\'\n",
        f"{SRC}:7:5: ignore[1]: invalid glob 'build\\\\'",
    ),
    (
        "bad glob inside a rule condition",
        BASE
        + "rules:\n  - name: x\n    if: {any: [{paths_any: ['!']}]}\n    then: {effort: low}\n",
        f"{SRC}:7:29: rules[0].if.any[0].paths_any[0]: invalid glob '!'",
    ),
    (
        "skip_all before other budget steps",
        BASE + "budgets:\n  on_exceed: [skip_all, skip_optional]\n",
        f"{SRC}:6:15: budgets.on_exceed[0]: 'skip_all' skips every job, so the steps after it "
        "never run",
    ),
    (
        "version",
        "version: 2\n" + BASE,
        f"{SRC}:1:10: version: expected 1, got 2",
    ),
    (
        "unsupported tag",
        BASE + "drafts: !!python/name:os.system run\n",
        f"{SRC}:5:9: drafts: unsupported YAML tag 'tag:yaml.org,2002:python/name:os.system'",
    ),
    (
        "control character",
        BASE + "drafts: run\x07\n",
        f"{SRC}:5:12: invalid YAML: special characters are not allowed (character U+0007)",
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_policy_gives_the_exact_message(text: str, expected: str) -> None:
    result = check_policy_text(text, source=SRC)
    assert [str(e) for e in result.errors] == [expected]
    assert result.loaded is None
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, source=SRC)
    assert str(raised.value) == expected


def test_error_carries_location_and_field() -> None:
    result = check_policy_text(BASE + "jobs:\n  review:\n    tier: fronteir\n", source=SRC)
    (error,) = result.errors
    assert (error.file, error.line, error.column, error.field) == (SRC, 7, 11, "jobs.review.tier")
    assert error.hint == "did you mean 'frontier'?"


def test_unknown_key_hint_lists_the_valid_keys() -> None:
    (error,) = check_policy_text(BASE + "caching: {ttl: 5m, enable: true}\n", source=SRC).errors
    assert (
        str(error) == f"{SRC}:5:20: caching.enable: unknown key 'enable' (did you mean 'enabled'?)"
    )
    assert error.hint == "valid keys here: enabled, ttl, across_runs"


def test_unknown_model_hint_names_the_override_to_add() -> None:
    (error,) = check_policy_text(
        BASE.replace("claude-haiku-5-5", "acme-small-1"), source=SRC
    ).errors
    assert error.hint is not None
    assert "prices:" in error.hint
    assert "acme-small-1" in error.hint


def test_unknown_model_with_a_price_override_passes() -> None:
    text = BASE.replace("claude-haiku-5-5", "acme-small-1") + (
        "prices:\n  acme-small-1: {input: 0.5, output: 2}\n"
    )
    policy = parse_policy(text, source=SRC)
    assert policy.tiers["efficient"].model == "acme-small-1"


def test_batch_rule_limited_to_auxiliary_jobs_passes() -> None:
    text = (
        BASE
        + "rules:\n  - name: batch aux\n    class: auxiliary\n    if: {}\n    then: {mode: batch}\n"
    )
    assert parse_policy(text, source=SRC).rules[0].then.mode == "batch"


def test_builtin_job_keeping_its_class_passes() -> None:
    text = BASE + "jobs:\n  review: {class: critical, effort: high}\n"
    assert parse_policy(text, source=SRC).jobs["review"].effort == "high"


def test_errors_under_a_misspelt_key_are_not_repeated() -> None:
    text = BASE + "fallback:\n  fronteir: {model: x}\n"
    result = check_policy_text(text, source=SRC)
    assert [str(e) for e in result.errors] == [
        f"{SRC}:6:3: fallback.fronteir: unknown key 'fronteir' (did you mean 'frontier'?)"
    ]


def test_several_errors_are_listed_in_file_order() -> None:
    text = "version: 2\n" + BASE + "rulez: 1\ndrafts: maybe\n"
    result = check_policy_text(text, source=SRC)
    assert [str(e) for e in result.errors] == [
        f"{SRC}:1:10: version: expected 1, got 2",
        f"{SRC}:6:1: rulez: unknown key 'rulez' (did you mean 'rules'?)",
        f"{SRC}:7:9: drafts: expected one of 'skip', 'run', got 'maybe'",
    ]


def test_first_error_says_how_many_more() -> None:
    text = "version: 2\n" + BASE + "rulez: 1\ndrafts: maybe\n"
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, source=SRC)
    assert str(raised.value) == f"{SRC}:1:10: version: expected 1, got 2 (and 2 more)"
    assert raised.value.hint == f"`pr-router policy check {SRC}` lists all 3 problems"
    assert (raised.value.line, raised.value.column, raised.value.field) == (1, 10, "version")


def test_all_duplicate_keys_are_reported() -> None:
    text = BASE + "drafts: run\ndrafts: skip\nignore: []\nignore: []\n"
    result = check_policy_text(text, source=SRC)
    assert [e.line for e in result.errors] == [6, 8]


def test_a_misspelt_builtin_job_hint_names_the_builtin_jobs() -> None:
    (error,) = check_policy_text(BASE + "jobs:\n  reveiw: {effort: high}\n", source=SRC).errors
    assert str(error).endswith("(did you mean 'review'?)")
    assert error.hint is not None
    assert "built-in jobs are: review, security, describe" in error.hint
    # a custom job far from every built-in name gets no guess
    (custom,) = check_policy_text(BASE + "jobs:\n  migrations: {}\n", source=SRC).errors
    assert "did you mean" not in str(custom)


@pytest.mark.parametrize(
    ("jobs", "batch_line"),
    [
        ("jobs:\n  review: {mode: batch}\n  docs: {tier: ultra}\n",
         f"{SRC}:6:18: jobs.review.mode: critical job 'review' cannot run in batch mode"),
        ("jobs:\n  security: {mode: batch}\n  migrations: {class: critical, mode: batch}\n",
         f"{SRC}:6:20: jobs.security.mode: critical job 'security' cannot run in batch mode"),
    ],
)  # fmt: skip
def test_a_critical_job_in_batch_mode_is_reported_with_the_other_errors(
    jobs: str, batch_line: str
) -> None:
    result = check_policy_text(BASE + jobs + "drafts: maybe\n", source=SRC)
    listed = [str(e) for e in result.errors]
    assert batch_line in listed
    assert len(listed) >= 3  # the model errors are still there, in file order
    assert [(e.line, e.column) for e in result.errors] == sorted(
        (e.line or 0, e.column or 0) for e in result.errors
    )
