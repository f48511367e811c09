"""A pending job's line says when its batch was submitted and when it is expected."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from pr_router.batch_eta import batch_eta, eta_text
from pr_router.pipeline.snapshot import restore_summary, snapshot_summary
from pr_router.render.summary import job_line, summary_markdown, terminal_summary
from pr_router.summary import RunSummary

from .factories import realistic_summary

AT = datetime(2026, 12, 4, 14, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("provider", "submitted", "text"),
    [
        ("anthropic", AT, "submitted 14:02 UTC, expected by ~15:02 UTC (Anthropic batches "
         "usually end within 1 hour; limit 24 h)"),
        # an evening batch: the expected time is on the next day, so it carries the date
        ("anthropic", AT.replace(hour=23, minute=40), "submitted 23:40 UTC, expected by ~Dec 05 "
         "00:40 UTC (Anthropic batches usually end within 1 hour; limit 24 h)"),
        # OpenAI documents the 24-hour window only
        ("openai", AT, "submitted 14:02 UTC, expected by Dec 05 14:02 UTC (OpenAI batches end "
         "within 24 h; no usual time is documented)"),
        # another time zone is shown in UTC
        ("anthropic", AT.astimezone(timezone(timedelta(hours=2))), "submitted 14:02 UTC, "
         "expected by ~15:02 UTC (Anthropic batches usually end within 1 hour; limit 24 h)"),
    ],
)  # fmt: skip
def test_eta_text(provider: str, submitted: datetime, text: str) -> None:
    assert eta_text(provider, submitted) == text


def test_eta_limits() -> None:
    eta = batch_eta("anthropic", AT)
    assert (eta.expected, eta.limit) == (AT + timedelta(hours=1), AT + timedelta(hours=24))
    assert batch_eta("openai", AT).expected is None


def _pending_summary() -> tuple[str, RunSummary]:
    summary = realistic_summary()
    (key,) = summary.pending_batches
    return key, replace(summary, pending_since=((key, AT),))


def test_the_comment_job_summary_and_log_say_when() -> None:
    key, summary = _pending_summary()
    batch = key.rpartition(":")[2]
    body = summary_markdown(summary)
    assert (
        f"- ⏳ `docs` pending in batch `{batch}`: submitted 14:02 UTC, expected by ~15:02 UTC "
        "(Anthropic batches usually end within 1 hour; limit 24 h); a later run or `collect` "
        "will post it." in body
    )
    log = terminal_summary(summary)
    assert f"docs: pending in batch {batch}: submitted 14:02 UTC, expected by ~15:02 UTC" in log


def test_without_a_submission_time_the_line_names_the_batch_only() -> None:
    summary = realistic_summary()
    (job,) = [j for j in summary.jobs if j.status == "pending"]
    assert "expected" not in job_line(job, summary)
    assert "pending in batch" in job_line(job, summary)


def test_the_submission_time_survives_the_snapshot() -> None:
    _, summary = _pending_summary()
    back = restore_summary(snapshot_summary(summary))
    assert back.pending_since == summary.pending_since
