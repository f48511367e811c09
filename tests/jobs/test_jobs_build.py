"""build_calls end to end: requests, shared prefixes, budgets, custom jobs, estimates."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from pr_router.changes.model import ChangeSet, FileKind, SensitiveHit
from pr_router.jobs import FailureLog, JobInputs, build_calls, build_failure_request, unbuildable
from pr_router.jobs.inputs import CUSTOM_ID
from pr_router.jobs.prompts import SYSTEM_PREAMBLE
from pr_router.plan import JobPlan
from pr_router.pricing import PriceTable
from pr_router.router import route
from pr_router.tokens import estimate_tokens

from .helpers import LOGS, changes_of, finding, inputs, job_plan, load_diff, policy, response
from .test_jobs_context import make_file

DIFF_KEY = "diff:anthropic:claude-opus-5-5"
COMPACT_KEY = "compact:anthropic:claude-haiku-5-5"
MIGRATION_PROMPT = "Review the database migrations for locking and irreversible steps."


def _plan() -> list[JobPlan]:
    return [
        job_plan("review", "findings", title="Code review", cache_key=DIFF_KEY),
        job_plan("security", "findings", title="Security scan", cache_key=DIFF_KEY),
        job_plan("describe", "description", tier="efficient", cache_key=COMPACT_KEY),
        job_plan("changelog", "changelog", tier="efficient", cache_key=COMPACT_KEY),
        job_plan("docs", "docs", tier="efficient", cache_key=COMPACT_KEY),
        job_plan("failure-summary", "failure", tier="efficient"),
    ]


def _httpx() -> JobInputs:
    log = FailureLog("test", (LOGS / "go_test_failure.log").read_text(), ("Run go test",))
    return inputs(load_diff("httpx__d25f2bfeff35.diff"), logs=(log,))


def test_one_call_per_job_with_unique_valid_custom_ids() -> None:
    calls = build_calls(_plan(), _httpx())
    ids = [c.request.custom_id for c in calls]
    assert ids == [
        "r42-1-review",
        "r42-1-security",
        "r42-1-describe",
        "r42-1-changelog",
        "r42-1-docs",
        "r42-1-failure-summary",
    ]
    assert all(CUSTOM_ID.match(i) for i in ids)
    review = calls[0].request
    assert (review.model, review.effort, review.max_output_tokens) == (
        "claude-opus-5-5",
        "medium",
        8000,
    )
    assert (review.schema_name, calls[1].request.schema_name) == (
        "FindingsOutput",
        "FindingsOutput",
    )
    assert review.output_schema["title"] == "FindingsOutput"


def test_custom_id_is_reduced_to_what_providers_accept() -> None:
    odd = replace(_httpx(), run_tag="run 12345/attempt#2" + "x" * 80)
    value = odd.custom_id("failure-summary")
    assert CUSTOM_ID.match(value)
    assert value.endswith("-failure-summary")
    assert len(value) == 64


def test_review_and_security_share_a_byte_identical_prefix() -> None:
    review, security, describe, changelog, docs, failure = build_calls(_plan(), _httpx())
    r, s = review.request, security.request
    assert r.system == s.system == SYSTEM_PREAMBLE
    assert r.shared_context == s.shared_context
    assert r.cache_key == s.cache_key == DIFF_KEY
    assert r.instructions != s.instructions
    assert r.instructions.startswith("## Task: code review\n")
    assert s.instructions.startswith("## Task: security scan\n")
    # The detector's locations go in the security instructions, not in the shared prefix.
    assert (
        "- `httpx/_client.py` line 237: handles authentication, credentials or permissions"
        in s.instructions
    )
    assert "(auth, from content)" in s.instructions
    assert "detector flagged" not in r.shared_context
    # The auxiliary jobs share the compact view, a different prefix.
    shared = {c.request.shared_context for c in (describe, changelog, docs)}
    assert len(shared) == 1
    assert shared != {r.shared_context}
    assert "## Diff" not in describe.request.shared_context
    assert describe.request.system == SYSTEM_PREAMBLE
    assert failure.request.shared_context.startswith("# Failed CI run of a pull request\n")
    assert "--- FAIL: TestParseInterval" in failure.request.shared_context


def _over_budget() -> JobInputs:
    files = [
        make_file("docs/guide.md", FileKind.DOCS, 300),
        make_file("tests/test_api.py", FileKind.TEST, 300),
        make_file("src/report.py", FileKind.CODE, 400),
        make_file(".github/workflows/ci.yml", FileKind.CI, 150),
        make_file("src/auth/session.py", FileKind.CODE, 200),
    ]
    hit = SensitiveHit("src/auth/session.py", "session", "session cookie handling", 3, "content")
    return inputs(changes_of(files, hits=(hit,)), pol=policy(max_context_tokens=20_000))


def test_over_budget_review_and_security_share_one_packing_and_its_cache_key() -> None:
    review, security = build_calls(_plan()[:2], _over_budget())
    rev, sec = review.request, security.request
    # Files were left out, and still one byte-identical prefix: the scan reads the review's.
    assert (rev.system, rev.shared_context) == (sec.system, sec.shared_context)
    assert (rev.schema_name, rev.output_schema) == (sec.schema_name, sec.output_schema)
    assert rev.cache_key == sec.cache_key == DIFF_KEY
    context = rev.shared_context
    assert "left out to fit the context budget" in context
    # The detector's file and the CI workflow are kept; ordinary code and tests went first.
    assert "### `src/auth/session.py`" in context
    assert "### `.github/workflows/ci.yml`" in context
    assert "### `docs/guide.md`" not in context
    assert "- `docs/guide.md` (docs, modified, +300 −0) — not shown: over the context budget" in (
        context
    )
    for call in (review, security):
        request = call.request
        parts = (request.system, request.shared_context, request.instructions)
        total = sum(estimate_tokens(p) for p in parts) + schema_tokens_of(request.output_schema)
        assert total + request.max_output_tokens <= 20_000


def schema_tokens_of(schema: object) -> int:
    """Tokens of a request's output schema, counted as ``prepare.schema_tokens`` does."""
    return estimate_tokens(json.dumps(schema, separators=(",", ":")))


def test_not_seen_files_reach_the_result_and_the_summary() -> None:
    review, _ = build_calls(_plan()[:2], _over_budget())
    result = review.validate(
        response({"summary": "Adds reports.", "findings": [finding("src/auth/session.py", 3)]})
    )
    assert result.not_seen == ("docs/guide.md", "tests/test_api.py", "src/report.py")
    assert result.section.markdown.endswith(
        "> [!WARNING]\n> **Not reviewed:** 3 file(s) did not fit the context budget and were "
        "not seen: `docs/guide.md`, `tests/test_api.py`, `src/report.py`."
    )
    assert "**Not reviewed:** 3 file(s)" in result.review_body()


def test_findings_on_files_the_model_did_not_see_are_rejected_or_kept_aside() -> None:
    from pr_router.errors import InvalidOutputError

    review, _ = build_calls(_plan()[:2], _over_budget())
    one = review.validate(response({"summary": "s", "findings": [finding("src/report.py", 5)]}))
    assert one.inline == ()
    assert [f.path for f in one.body_findings] == ["src/report.py"]
    with pytest.raises(InvalidOutputError, match="2 of 3 findings reference files not in the diff"):
        review.validate(
            response({"summary": "s", "findings": [
                finding("src/report.py", 5), finding("docs/guide.md", 2),
                finding("src/auth/session.py", 3),
            ]})
        )  # fmt: skip


def test_unbuildable_jobs_are_named() -> None:
    no_logs = inputs(load_diff("httpx__d25f2bfeff35.diff"))
    assert unbuildable(_plan(), no_logs) == [("failure-summary", "no failed job log to summarise")]
    assert [c.plan.job for c in build_calls(_plan(), no_logs)][-1] == "docs"


def test_failure_request() -> None:
    request = build_failure_request(_plan()[-1], _httpx())
    assert request.custom_id == "r42-1-failure-summary"
    assert request.schema_name == "FailureOutput"
    assert request.instructions.startswith("## Task: CI failure summary\n")
    ctx = request.shared_context
    assert "### Job `test` (failed steps: `Run go test`)" in ctx
    assert "Failing tests: `TestParseInterval`, `TestParseInterval/hours_and_minutes`, " in ctx
    assert '<untrusted-data source="ci-log">' in ctx
    assert "2025-03-04T" not in ctx


def test_custom_jobs_are_built_and_validated_like_builtins() -> None:
    pol = policy(
        jobs={
            "migration-review": {
                "class": "critical",
                "tier": "frontier",
                "output": "findings",
                "title": "Migration review",
                "when": {"paths_any": ["migrations/**"]},
                "prompt": MIGRATION_PROMPT,
            },
            "release-notes": {
                "class": "auxiliary",
                "tier": "efficient",
                "output": "comment",
                "title": "Release notes",
                "prompt": "Write two lines of release notes.",
            },
        }
    )
    plan = [
        job_plan("review", "findings", title="Code review", cache_key=DIFF_KEY),
        job_plan("migration-review", "findings", title="Migration review", cache_key=DIFF_KEY),
        job_plan("release-notes", "comment", title="Release notes", tier="efficient"),
    ]
    review, migration, notes = build_calls(
        plan, inputs(load_diff("werkzeug__eef696b15c5e.diff"), pol=pol)
    )
    assert migration.request.shared_context == review.request.shared_context
    assert migration.request.instructions.startswith(
        f"## Task: Migration review\n{MIGRATION_PROMPT}\n\nsummary: two to five sentences on "
        "what you found.\nfindings: each as the output schema describes it."
    )
    assert migration.request.schema_name == "FindingsOutput"
    assert notes.request.schema_name == "CommentOutput"
    assert "## Diff" not in notes.request.shared_context
    result = migration.validate(
        response({"summary": "No migrations.", "findings": [
            finding("src/werkzeug/wrappers/request.py", 624, title="Lock")
        ]})
    )  # fmt: skip
    assert result.section.title == "Migration review"
    assert result.inline_comments()[0].body.endswith("<sub>pr-router · Migration review</sub>")
    note = notes.validate(response({"body": "Breaking: 415 instead of 400."}))
    assert note.section.render() == "### Release notes\n\nBreaking: 415 instead of 400."


def test_router_estimates_match_the_built_prompts() -> None:
    changes = load_diff("httpx__d25f2bfeff35.diff")
    job_inputs = inputs(changes)
    prices = PriceTable(at=datetime(2026, 11, 22, tzinfo=UTC))
    plan = route(job_inputs.policy, changes, job_inputs.context, prices=prices)
    calls = {c.plan.job: c for c in build_calls(plan, job_inputs)}
    assert {"review", "security"} <= set(calls)
    for name in ("review", "security"):
        request = calls[name].request
        built = (
            estimate_tokens(request.system)
            + estimate_tokens(request.shared_context)
            + estimate_tokens(request.instructions)
            + schema_tokens_of(request.output_schema)
        )
        estimate = plan.job(name).estimate
        assert estimate is not None
        # The router counts the review's instructions for every findings job; the security
        # job's list of flagged locations is the only part it does not see.
        extra = 0 if name == "review" else built - estimate.input_tokens
        assert estimate.input_tokens == built - extra
        assert 0 <= extra < 300


def test_empty_change_set_still_builds() -> None:
    empty = inputs(ChangeSet((), load_diff("httpx__d25f2bfeff35.diff").signals))
    (call,) = build_calls(_plan()[:1], empty)
    assert "(no reviewable hunks)" in call.request.shared_context
