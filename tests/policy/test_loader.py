"""Loading policy files: file errors, bundled default, price overrides, YAML semantics."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pr_router.errors import PolicyError
from pr_router.policy.loader import (
    BUNDLED_DEFAULT,
    check_policy,
    check_policy_text,
    load_policy,
    parse_policy,
    rates_from_override,
)
from pr_router.policy.models import PriceOverride
from pr_router.pricing import Rates
from pr_router.tokens import TokenUsage

from .conftest import BASE

Write = Callable[[str | bytes], Path]


def test_bundled_default_loads() -> None:
    loaded = load_policy(None)
    assert loaded.source == BUNDLED_DEFAULT == "bundled default"
    assert loaded.policy.tiers["frontier"].model == "claude-opus-5-5"
    assert loaded.prices.known("anthropic", "claude-haiku-5-5")


def test_file_loads_with_its_path_as_source(write: Write) -> None:
    path = write(BASE)
    loaded = load_policy(path)
    assert loaded.source == str(path)
    assert loaded.policy.tiers["standard"].model == "claude-sonnet-5-5"


def test_missing_file_names_the_path_and_the_default(tmp_path: Path) -> None:
    path = tmp_path / "nope.yml"
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    assert str(raised.value) == f"{path}: policy file not found"
    assert raised.value.hint is not None
    assert "policies/default.yml" in raised.value.hint
    assert "pr-router policy check" in raised.value.hint


def test_directory_instead_of_a_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as raised:
        load_policy(tmp_path)
    assert str(raised.value) == f"{tmp_path}: is a directory, not a policy file"


def test_non_utf8_file_names_the_byte_position(write: Write) -> None:
    path = write(BASE.encode() + b"drafts: r\xe9n\n")
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    assert str(raised.value) == f"{path}:5:10: not UTF-8 text (byte 0xe9)"
    assert raised.value.hint == "save the policy file as UTF-8"


def test_utf8_bom_is_accepted(write: Write) -> None:
    assert load_policy(write(b"\xef\xbb\xbf" + BASE.encode())).policy.drafts == "skip"


def test_check_policy_returns_problems_instead_of_raising(tmp_path: Path) -> None:
    result = check_policy(tmp_path / "missing.yml")
    assert not result.ok
    assert result.loaded is None
    assert [e.field for e in result.errors] == [None]


def test_price_override_becomes_rates_with_derived_cache_rates() -> None:
    override = PriceOverride(input=Decimal("3"), output=Decimal("15"))
    assert rates_from_override(override) == Rates(
        input=Decimal("3"),
        output=Decimal("15"),
        cache_write_5m=Decimal("3.75"),
        cache_write_1h=Decimal("6"),
        cache_read=Decimal("0.3"),
        source="policy override",
    )


def test_price_override_keeps_given_cache_rates() -> None:
    override = PriceOverride(
        input=Decimal("1.1"), output=Decimal("4.4"), cache_read=Decimal("0.05"),
        cache_write_1h=Decimal("1.5"),
    )  # fmt: skip
    rates = rates_from_override(override)
    assert (rates.cache_write_5m, rates.cache_write_1h, rates.cache_read) == (
        Decimal("1.375"),
        Decimal("1.5"),
        Decimal("0.05"),
    )


def test_price_override_round_trip_from_yaml_is_exact() -> None:
    text = BASE + "prices:\n  claude-opus-5-5: {input: 0.1, output: 2.5, cache_read: 0.01}\n"
    loaded = check_policy_text(text, source="p.yml").loaded
    assert loaded is not None
    rates = loaded.prices.rates("anthropic", "claude-opus-5-5")
    assert rates == Rates(
        input=Decimal("0.1"),
        output=Decimal("2.5"),
        cache_write_5m=Decimal("0.125"),
        cache_write_1h=Decimal("0.2"),
        cache_read=Decimal("0.01"),
        source="policy override",
    )
    # 0.1 is exactly a tenth: YAML floats are read as Decimal, never through binary floats.
    usage = TokenUsage(input=1_000_000, output=1_000_000, cache_read=1_000_000)
    assert loaded.prices.cost("anthropic", "claude-opus-5-5", usage) == Decimal("2.61")
    batch = loaded.prices.rates("anthropic", "claude-opus-5-5", "batch")
    assert (batch.input, batch.output) == (Decimal("0.05"), Decimal("1.25"))


def test_model_without_override_uses_genai_prices() -> None:
    loaded = load_policy(None)
    assert loaded.prices.rates("anthropic", "claude-opus-5-5").source.startswith("genai-prices")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("yes", "'yes'"), ("on", "'on'"), ("010", "10"), ("0x10", "16"), ("1_000", "1000")],
)
def test_plain_scalars_follow_yaml_1_2(value: str, expected: str) -> None:
    # YAML 1.1 would read `yes`/`on` as true and `010` as octal 8.
    text = BASE + f"drafts: {value}\n"
    (error,) = check_policy_text(text, source="p.yml").errors
    assert str(error).endswith(f"got {expected}")


def test_yes_is_still_a_boolean_for_boolean_fields() -> None:
    policy = parse_policy(BASE + "batch: {enabled: no}\ncaching: {enabled: yes}\n", source="p")
    assert (policy.batch.enabled, policy.caching.enabled) == (False, True)


def test_labels_that_look_like_booleans_stay_strings() -> None:
    text = BASE + "rules:\n  - name: x\n    if: {labels_any: [no, on]}\n    then: {effort: low}\n"
    assert parse_policy(text, source="p").rules[0].if_.labels_any == ["no", "on"]


def test_anchors_and_merge_keys_work() -> None:
    text = BASE + (
        "rules:\n"
        "  - &cheap {name: small, jobs: [describe], if: {max_changed_lines: 10},"
        " then: {effort: low}}\n"
        "  - <<: *cheap\n"
        "    name: small docs\n"
        "    jobs: [docs]\n"
    )
    rules = parse_policy(text, source="p").rules
    assert [(r.name, r.jobs, r.then.effort) for r in rules] == [
        ("small", ["describe"], "low"),
        ("small docs", ["docs"], "low"),
    ]


def test_error_inside_a_merged_mapping_points_at_the_anchor() -> None:
    text = BASE + "x: &t {provider: anthropic, model: claude-opus-5-5, teir: 1}\nfallback:\n"
    text += "  frontier:\n    <<: *t\n"
    assert [str(e) for e in check_policy_text(text, source="p").errors] == [
        "p:5:1: x: unknown key 'x'",
        "p:5:53: fallback.frontier.teir: unknown key 'teir'",
    ]


_KEYS = st.sampled_from(
    ["tiers", "jobs", "rules", "frontier", "review", "tier", "mode", "if", "then", "prices",
     "ignore", "batch", "name", "input", "x"]
)  # fmt: skip
_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=8),
    st.sampled_from(["frontier", "batch", "anthropic", "claude-opus-5-5", "1e999", "!", ".inf"]),
)  # fmt: skip
_DOCS = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(doc=_DOCS)
def test_any_structure_gives_a_result_never_an_exception(doc: object) -> None:
    import json

    result = check_policy_text(json.dumps(doc), source="p.yml")  # JSON is YAML
    assert result.ok or (result.errors and all(e.line and e.column for e in result.errors))


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_gives_a_result_never_an_exception(text: str) -> None:
    result = check_policy_text(text, source="p.yml")
    assert result.ok or result.summary is not None
