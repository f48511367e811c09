"""The router's decisions as a table of cases, plus exact estimates for one case."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from pr_router.changes.model import FileKind
from pr_router.context import PRContext
from pr_router.estimate import context_tokens, instruction_tokens
from pr_router.plan import Plan, plan_to_json
from pr_router.pricing import PriceTable
from pr_router.router import route

from .factories import changes, file, policy

PRICES = PriceTable(at=datetime(2026, 11, 22, tzinfo=UTC))
OPENED = PRContext(repo="o/r", number=7, title="Fix parser", body="Fixes #3", action="opened")

CODE = changes(
    file("src/app/core.py", FileKind.CODE, 120, 30), file("tests/test_core.py", FileKind.TEST)
)
SMALL = changes(file("src/app/core.py", FileKind.CODE, 5, 1))
SENSITIVE = changes(
    file("src/app/redirect.py", FileKind.CODE, 60, 10),
    sensitive=("src/app/redirect.py:12: builds a redirect Location from input",),
)
DOCS = changes(file("docs/index.md", FileKind.DOCS, 30, 4), file("README.md", FileKind.DOCS, 3, 1))
WITH_CHANGELOG = changes(file("src/a.py", FileKind.CODE, 50, 5), file("CHANGELOG.md", FileKind.DOCS, 2, 0), changelog=True)  # fmt: skip
API = changes(file("src/a.py", FileKind.CODE, 50, 5), public_api=True)
MIGRATION = changes(file("migrations/0042_add_index.py", FileKind.MIGRATION, 20, 0))
LOCKFILE_ONLY = changes(file("poetry.lock", FileKind.LOCKFILE, 300, 200))


def _run(plan: Plan) -> dict[str, tuple[str | None, str | None, str | None] | None]:
    return {j.job: (j.tier, j.mode, j.effort) if j.run else None for j in plan.jobs}


CASES = [
    pytest.param(CODE, OPENED, {}, {
        "review": ("frontier", "sync", "medium"), "security": ("frontier", "sync", "medium"),
        "describe": ("efficient", "batch", "low"), "changelog": ("efficient", "batch", "low"),
        "docs": None, "failure-summary": None,
    }, id="code-pr-opened"),
    pytest.param(SMALL, OPENED, {}, {
        "review": ("frontier", "sync", "low"), "security": ("frontier", "sync", "low"),
        "describe": ("efficient", "batch", "low"), "changelog": ("efficient", "batch", "low"),
        "docs": None, "failure-summary": None,
    }, id="small-routine-change-low-effort"),
    pytest.param(SENSITIVE, OPENED, {}, {
        "review": ("frontier", "sync", "high"), "security": ("frontier", "sync", "high"),
        "describe": ("efficient", "batch", "low"), "changelog": ("efficient", "batch", "low"),
        "docs": None, "failure-summary": None,
    }, id="security-sensitive-high-effort"),
    pytest.param(DOCS, OPENED, {}, {
        "review": ("efficient", "sync", "low"), "security": None, "describe": ("efficient", "batch", "low"),
        "changelog": None, "docs": None, "failure-summary": None,
    }, id="docs-only-efficient-review-no-security"),
    pytest.param(WITH_CHANGELOG, PRContext(action="synchronize", body="x"), {}, {
        "review": ("frontier", "sync", "medium"), "security": ("frontier", "sync", "medium"),
        "describe": None, "changelog": None, "docs": None, "failure-summary": None,
    }, id="synchronize-with-changelog-edit"),
    pytest.param(API, OPENED, {"batch": {"enabled": False}}, {
        "review": ("frontier", "sync", "medium"), "security": ("frontier", "sync", "medium"),
        "describe": ("efficient", "sync", "low"), "changelog": ("efficient", "sync", "low"),
        "docs": ("efficient", "sync", "low"), "failure-summary": None,
    }, id="batch-disabled-public-api"),
    pytest.param(CODE, OPENED, {"rules": [{"name": "cheap review", "jobs": ["review"], "if": {}, "then": {"tier": "standard"}}]}, {
        "review": ("frontier", "sync", "medium"), "security": ("frontier", "sync", "medium"),
        "describe": ("efficient", "batch", "low"), "changelog": ("efficient", "batch", "low"),
        "docs": None, "failure-summary": None,
    }, id="must-stay-frontier-beats-demotion"),
    pytest.param(CODE, OPENED, {"must_stay_frontier": [], "rules": [{"name": "cheap review", "jobs": ["review"], "if": {}, "then": {"demote": True}}]}, {
        "review": ("standard", "sync", "medium"), "security": ("frontier", "sync", "medium"),
        "describe": ("efficient", "batch", "low"), "changelog": ("efficient", "batch", "low"),
        "docs": None, "failure-summary": None,
    }, id="demotion-without-must-stay"),
    pytest.param(CODE, PRContext(action="opened", labels=("deep-docs",)), {"rules": [
        {"name": "label promotes describe", "jobs": ["describe"], "if": {"labels_any": ["deep-docs"]}, "then": {"promote": True, "mode": "sync"}},
    ]}, {
        "review": ("frontier", "sync", "medium"), "security": ("frontier", "sync", "medium"),
        "describe": ("standard", "sync", "low"), "changelog": ("efficient", "batch", "low"),
        "docs": None, "failure-summary": None,
    }, id="label-rule-promotes"),
    pytest.param(CODE, PRContext(action="opened", draft=True), {}, dict.fromkeys(
        ("review", "security", "describe", "changelog", "docs", "failure-summary")), id="draft-skipped"),
    pytest.param(CODE, PRContext(event="workflow_run", ci_failed=True), {}, {
        "review": None, "security": None, "describe": None, "changelog": None, "docs": None,
        "failure-summary": ("efficient", "sync", "low"),
    }, id="workflow-run-failure-summary-only"),
    pytest.param(LOCKFILE_ONLY, OPENED, {}, {
        "review": None, "security": None, "describe": ("efficient", "batch", "low"), "changelog": None,
        "docs": None, "failure-summary": None,
    }, id="lockfile-only"),
    pytest.param(CODE, OPENED, {"jobs": {"describe": {"enabled": False}, "review": {"effort": "high"}}}, {
        "review": ("frontier", "sync", "high"), "security": ("frontier", "sync", "medium"),
        "describe": None, "changelog": ("efficient", "batch", "low"), "docs": None, "failure-summary": None,
    }, id="job-overrides"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "context", "extra", "expected"), CASES)
def test_routing_table(change, context, extra, expected) -> None:  # type: ignore[no-untyped-def]
    plan = route(policy(**extra), change, context, prices=PRICES)
    assert _run(plan) == expected
    for job in plan.jobs:
        assert job.reasons, f"{job.job} has no reason"


def test_custom_job_runs_on_its_paths_only() -> None:
    custom = {
        "migration-review": {
            "class": "critical", "tier": "frontier", "output": "findings",
            "prompt": "Review the migration for locking and data loss.",
            "when": {"paths_any": ["migrations/**"]},
        }
    }  # fmt: skip
    with_migration = route(policy(jobs=custom), MIGRATION, OPENED, prices=PRICES)
    without = route(policy(jobs=custom), CODE, OPENED, prices=PRICES)
    job = with_migration.job("migration-review")
    assert (job.run, job.tier, job.mode) == (True, "frontier", "sync")
    assert "runs: migrations/0042_add_index.py matches migrations/**" in job.reasons
    assert without.job("migration-review").reasons == ("no changed path matches migrations/**",)


def test_reasons_name_their_rule_and_signal() -> None:
    plan = route(policy(), SENSITIVE, OPENED, prices=PRICES)
    review = plan.job("review")
    assert review.reasons[0] == "critical-path job: frontier tier, sync (catalogue default)"
    assert review.reasons[-1] == (
        "rule 'security-sensitive change: high effort': effort high (change is security-sensitive "
        "(src/app/redirect.py:12: builds a redirect Location from input))"
    )
    docs = route(policy(), DOCS, OPENED, prices=PRICES)
    assert docs.job("security").reasons == (
        "no code, ci, dependency, migration, config files changed",
    )
    changelog = route(policy(), WITH_CHANGELOG, OPENED, prices=PRICES)
    assert changelog.job("changelog").reasons == ("PR already edits CHANGELOG.md",)


def test_must_stay_frontier_reason() -> None:
    rule = {"name": "cheap", "jobs": ["security"], "if": {}, "then": {"tier": "efficient"}}
    plan = route(policy(rules=[rule]), CODE, OPENED, prices=PRICES)
    assert plan.job("security").tier == "frontier"
    assert plan.job("security").reasons[-1] == (
        "must_stay_frontier: PR changes code, kept on the frontier tier"
    )


def test_review_and_security_share_the_cached_prefix() -> None:
    plan = route(policy(), CODE, OPENED, prices=PRICES)
    review, security = plan.job("review"), plan.job("security")
    assert (review.cache_role, security.cache_role) == ("write", "read")
    assert review.cache_key == security.cache_key == "diff:anthropic:claude-opus-5-5"
    assert review.estimate is not None
    assert security.estimate is not None
    assert review.estimate.cache_write_tokens == security.estimate.cached_tokens > 0
    # Batch jobs do not count on cache hits (results are not scheduled in order).
    assert plan.job("describe").cache_role is None


def test_no_caching_when_disabled() -> None:
    plan = route(policy(caching={"enabled": False}), CODE, OPENED, prices=PRICES)
    assert all(j.cache_role is None for j in plan.jobs)


def test_exact_estimate_for_a_small_change() -> None:
    """Money by hand for SMALL; token counts come from the context packers (tested there)."""
    plan = route(policy(), SMALL, OPENED, prices=PRICES)
    prefix = context_tokens("diff", SMALL, OPENED, 150_000)  # system preamble + packed diff
    own = instruction_tokens("findings")  # instructions + output schema
    assert prefix >= 512  # the 5.5 models' minimum cacheable prefix: review and security share it
    review, security, describe = plan.job("review"), plan.job("security"), plan.job("describe")
    assert (review.cache_role, security.cache_role, describe.cache_role) == ("write", "read", None)
    assert review.estimate is not None
    assert security.estimate is not None
    assert describe.estimate is not None
    # Opus 5.5 per MTok: input 4, 5m write 5, read 0.2, output 20. Low effort: 0.8 x output.
    # review:   own*4 + prefix*5 + 1200*20        security: own*4 + prefix*0.2 + 800*20
    assert review.estimate.usd == (Decimal(own * 4 + prefix * 5 + 1200 * 20)) / 1_000_000
    assert security.estimate.usd == (own * 4 + prefix * Decimal("0.2") + 800 * 20) / Decimal(
        1_000_000
    )
    assert review.estimate.cache_write_tokens == security.estimate.cached_tokens == prefix
    # All-frontier: the same tokens, uncached, synchronous: (own + prefix)*4 + output*20.
    assert review.all_frontier_usd == Decimal((own + prefix) * 4 + 1200 * 20) / 1_000_000
    # describe: Haiku 5.5 batch (input 0.05, output 0.25), 600 * 0.8 = 480 output tokens.
    compact = context_tokens("compact", SMALL, OPENED, 150_000) + instruction_tokens("description")
    assert describe.estimate.usd == (compact * Decimal("0.05") + 480 * Decimal("0.25")) / 1_000_000
    assert describe.all_frontier_usd == Decimal(compact * 4 + 480 * 20) / 1_000_000


def test_plan_json_matches_the_contract() -> None:
    doc = plan_to_json(
        route(policy(), CODE, OPENED, prices=PRICES, policy_name="policies/default.yml")
    )
    assert doc["schema_version"] == 1
    assert doc["policy"] == "policies/default.yml"
    assert set(doc["signals"]) >= {
        "files_changed", "lines_added", "lines_removed", "file_kinds", "code_changed",
        "docs_only", "security_sensitive", "sensitive_reasons", "risk", "estimated_diff_tokens",
    }  # fmt: skip
    assert [j["job"] for j in doc["jobs"]] == [
        "review", "security", "describe", "changelog", "docs", "failure-summary",
    ]  # fmt: skip
    review = doc["jobs"][0]
    assert {
        "job",
        "class",
        "run",
        "tier",
        "provider",
        "model",
        "mode",
        "effort",
        "reasons",
        "estimate",
    } <= set(review)
    assert set(review["estimate"]) >= {"input_tokens", "output_tokens", "usd"}
    assert set(doc["jobs"][4]) == {"job", "class", "run", "reasons", "on_push"}
    assert [j.get("on_push") for j in doc["jobs"]] == [
        "changed", "changed-sensitive", "grown", "surface", "new-surface", None,
    ]  # fmt: skip
    totals = doc["totals"]
    assert set(totals) == {"usd", "all_frontier_usd", "savings_pct"}
    assert totals["usd"] < totals["all_frontier_usd"]
    assert totals["savings_pct"] == pytest.approx(
        100 * (1 - totals["usd"] / totals["all_frontier_usd"]), abs=0.1
    )


def test_cache_write_estimate_follows_the_policy_ttl() -> None:
    five = route(policy(), CODE, OPENED, prices=PRICES).job("review").estimate
    hour = route(policy(caching={"ttl": "1h"}), CODE, OPENED, prices=PRICES).job("review").estimate
    assert five is not None
    assert hour is not None
    assert five.cache_write_tokens == hour.cache_write_tokens > 0
    # Opus 5.5: 1h writes cost $8 per MTok against $5 for 5m writes.
    assert hour.usd - five.usd == Decimal(hour.cache_write_tokens * 3) / 1_000_000
