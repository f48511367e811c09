"""The policies shipped in ``policies/``: valid, documented, and on models that exist."""

from __future__ import annotations

import typing
from pathlib import Path

import jsonschema
import pytest
import yaml

from pr_router.policy.catalog import resolve_jobs
from pr_router.policy.loader import check_policy, default_policy_text, load_policy
from pr_router.policy.schema import policy_json_schema
from pr_router.pricing import PriceTable

from .conftest import POLICIES, ROOT

SHIPPED = sorted(POLICIES.glob("*.yml"))


def test_the_four_policies_are_shipped() -> None:
    assert [p.name for p in SHIPPED] == ["default.yml", "frugal.yml", "openai.yml", "strict.yml"]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_policy_loads(path: Path) -> None:
    result = check_policy(path)
    assert [str(e) for e in result.errors] == []


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_policy_matches_the_json_schema(path: Path) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text()), policy_json_schema())


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_policy_is_mostly_comments(path: Path) -> None:
    lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
    comments = [line for line in lines if line.startswith("#")]
    assert len(comments) >= len(lines) / 3, "shipped policies double as documentation"


def test_default_copy_is_identical_to_the_bundled_default() -> None:
    bundled = ROOT / "src" / "pr_router" / "policy" / "default.yml"
    assert (POLICIES / "default.yml").read_bytes() == bundled.read_bytes()
    assert default_policy_text() == bundled.read_text(encoding="utf-8")


def _literals(tp: object) -> set[str]:
    found: set[str] = set()
    for arg in typing.get_args(tp):
        if isinstance(arg, str):
            found.add(arg)
        else:
            found |= _literals(arg)
    return found


def _sdk_models() -> dict[str, set[str]]:
    from anthropic.types.model import Model
    from openai.types.shared.chat_model import ChatModel

    return {"anthropic": _literals(Model), "openai": _literals(ChatModel)}


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_model_is_known_to_its_sdk_and_to_genai_prices(path: Path) -> None:
    policy = load_policy(path).policy
    sdk, prices = _sdk_models(), PriceTable()
    for target in [*policy.tiers.values(), *policy.fallback.values()]:
        assert target.model in sdk[target.provider], target
        assert prices.known(target.provider, target.model), target


def test_default_tiers_and_fallbacks() -> None:
    policy = load_policy(None).policy
    assert {t: m.model for t, m in policy.tiers.items()} == {
        "frontier": "claude-opus-5-5",
        "standard": "claude-sonnet-5-5",
        "efficient": "claude-haiku-5-5",
    }
    assert {t: (m.provider, m.model) for t, m in policy.fallback.items()} == {
        "frontier": ("openai", "gpt-6.1-sol"),
        "standard": ("openai", "gpt-6.1-terra"),
        "efficient": ("openai", "gpt-6-luna"),
    }


def test_openai_policy_is_openai_only_without_fallback() -> None:
    policy = load_policy(POLICIES / "openai.yml").policy
    assert {m.provider for m in policy.tiers.values()} == {"openai"}
    assert policy.fallback == {}


def test_strict_policy_adds_a_frontier_migration_review() -> None:
    policy = load_policy(POLICIES / "strict.yml").policy
    job = next(j for j in resolve_jobs(policy) if j.name == "migration-review")
    assert (job.job_class, job.tier, job.mode, job.builtin) == (
        "critical",
        "frontier",
        "sync",
        False,
    )
    assert job.when is not None
    assert job.when.paths_any is not None
    assert "migrations/**" in job.when.paths_any
    assert "migration-review" in policy.must_stay_frontier
    assert policy.budgets.on_exceed == ["batch_auxiliary", "skip_optional"]


def test_frugal_policy_keeps_the_frontier_floor_and_batches_auxiliary_jobs() -> None:
    policy = load_policy(POLICIES / "frugal.yml").policy
    assert policy.must_stay_frontier == ["review", "security"]
    aux = [j for j in resolve_jobs(policy) if j.job_class == "auxiliary"]
    assert {j.name: j.mode for j in aux} == dict.fromkeys(
        ["describe", "changelog", "docs", "failure-summary"], "batch"
    )
    assert "demote_critical" not in policy.budgets.on_exceed
