"""A PR too large for the context budget: review and security still share one cached prefix.

Routed by the real router, prompts built by ``build_calls``, run by the executor against the
emulator's Anthropic API: the review writes the packed diff to the cache and the security
scan reads it, although files were left out of the packing.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from jobs.helpers import changes_of, inputs, policy
from jobs.test_jobs_context import make_file
from pr_router.changes.model import FileKind, SensitiveHit
from pr_router.emulator import Rule
from pr_router.jobs import build_calls
from pr_router.pricing import PriceTable
from pr_router.router import route
from providers.factories import ANSWER, emulator

from .factories import executor

PRICES = PriceTable(at=datetime(2026, 11, 22, tzinfo=UTC))


def _large_pr() -> tuple[object, object]:
    files = [
        make_file("docs/guide.md", FileKind.DOCS, 400),
        make_file("tests/test_api.py", FileKind.TEST, 500),
        make_file("src/report.py", FileKind.CODE, 700),
        make_file("requirements.txt", FileKind.DEPENDENCY, 20),
        make_file("src/auth/session.py", FileKind.CODE, 250),
    ]
    hit = SensitiveHit("src/auth/session.py", "session", "session cookie handling", 3, "content")
    job_inputs = inputs(changes_of(files, hits=(hit,)), pol=policy(max_context_tokens=30_000))
    plan = route(job_inputs.policy, job_inputs.changes, job_inputs.context, prices=PRICES)
    critical = [plan.job("review"), plan.job("security")]
    return job_inputs, build_calls(critical, job_inputs)


def test_security_reads_the_review_prefix_when_files_are_left_out(
    stack: contextlib.ExitStack,
) -> None:
    job_inputs, calls = _large_pr()
    review, security = calls  # type: ignore[misc]
    assert (review.plan.cache_role, security.plan.cache_role) == ("write", "read")
    context = review.request.shared_context
    assert "left out to fit the context budget" in context  # the packing is incomplete
    assert security.request.shared_context == context  # byte for byte
    assert "### `src/auth/session.py`" in context  # the detector's file is kept
    assert "### `requirements.txt`" in context  # so is the dependency file
    assert "### `src/report.py`" not in context

    emu = emulator(stack, Rule(output=ANSWER, latency_s=1.0, ttft_s=0.1))
    outcome = executor(stack, emu, job_inputs.policy).run(calls)  # type: ignore[attr-defined]

    rev, sec = outcome.job("review"), outcome.job("security")
    assert (rev.status, sec.status) == ("ok", "ok")
    written = rev.records[0].usage.cache_write_5m
    assert written > 5_000  # the packed diff, schema and system text
    assert rev.records[0].usage.cache_read == 0
    assert sec.records[0].usage.cache_read == written
    assert sec.records[0].usage.cache_write_5m == 0
    # Reading costs a tenth of writing: the scan's prompt is now mostly cache reads.
    assert sec.records[0].cost_usd < rev.records[0].cost_usd / 5
