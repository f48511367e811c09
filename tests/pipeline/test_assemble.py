"""The pure steps between the executor and GitHub: what a rerun posts, what the ledger says
was published, and how the next state is made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pr_router.execute import PendingBatch, PendingItem
from pr_router.github.models import InlineComment
from pr_router.github.publish import ReviewResult
from pr_router.github.state import State
from pr_router.ledger import LedgerRecord
from pr_router.pipeline.assemble import (
    next_state,
    published_refs,
    remembered,
    review_payload,
    with_published,
)
from pr_router.plan import JobPlan
from pr_router.summary import JobRun


@dataclass(frozen=True)
class _Finding:
    fingerprint: str
    line: int | None = 1


@dataclass(frozen=True)
class _Result:
    """The slice of ``JobResult`` the assembly reads."""

    findings: tuple[_Finding, ...]
    body: str = ""
    inline: tuple[_Finding, ...] = field(init=False)
    body_findings: tuple[_Finding, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "inline", tuple(f for f in self.findings if f.line))
        object.__setattr__(self, "body_findings", tuple(f for f in self.findings if not f.line))

    def inline_comments(self) -> tuple[InlineComment, ...]:
        return tuple(
            InlineComment(path="a.py", line=f.line or 1, body=f"about {f.fingerprint}",
                          fingerprint=f.fingerprint)
            for f in self.inline
        )  # fmt: skip

    def review_body(self) -> str:
        return self.body


RESULTS: dict[str, Any] = {
    "review": _Result((_Finding("f1"), _Finding("f2"), _Finding("f3", line=None)), "- outside"),
    "security": _Result((_Finding("s1"),)),
}


def _record(status: str = "ok", **kw: Any) -> LedgerRecord:
    return LedgerRecord(run_id="r", job=kw.pop("job", "review"), job_class="critical",
                        tier="frontier", provider="anthropic", model="m", mode="sync",
                        status=status, **kw)  # type: ignore[arg-type]  # fmt: skip


def _run(job: str, *records: LedgerRecord, status: str = "ok") -> JobRun:
    plan = JobPlan(job=job, job_class="critical", run=True, reasons=())
    return JobRun(plan=plan, status=status, records=records)  # type: ignore[arg-type]


def test_a_rerun_with_nothing_new_gets_no_review_body() -> None:
    comments, body = review_payload(RESULTS, (), incremental_since=None)
    assert len(comments) == 3
    assert body.startswith("**pr-router** found 3 thing(s)")
    assert "- outside" in body

    again, body = review_payload(RESULTS, (), incremental_since=None,
                                 known={"f1", "f2", "f3", "s1"})  # fmt: skip
    assert [c.fingerprint for c in again] == ["f1", "f2", "s1"]  # still counted as repeats
    assert body == ""

    _, body = review_payload(RESULTS, (), incremental_since="abcdef1234", known={"f1", "f3"})
    assert body.startswith("**pr-router** found 2 thing(s)")
    assert "Only changes since `abcdef1` were reviewed." in body


def test_published_refs_follow_each_finding() -> None:
    review = ReviewResult(review_ids=(70,), posted=("f1", "s1"),
                          comment_ids={"f1": 71, "s1": 72}, moved_to_body=("f2",))  # fmt: skip
    assert published_refs(RESULTS["review"], review) == ["review_comment:71", "review:70"]
    assert published_refs(RESULTS["security"], review) == ["review_comment:72"]
    assert published_refs(None, review) == []
    # a review refused even body-only went out as a conversation comment
    fallback = ReviewResult(issue_comment_id=90, moved_to_body=("f1", "f2"))
    assert published_refs(RESULTS["review"], fallback) == ["issue_comment:90"]
    # repeats publish nothing new
    assert published_refs(RESULTS["review"], ReviewResult(duplicates=("f1", "f2", "f3"))) == []


def test_with_published_stamps_the_record_whose_output_was_posted() -> None:
    failed_then_ok = _run("review", _record("failed"), _record("ok", attempt=2))
    pending = _run("describe", _record("pending", job="describe"), status="pending")
    review = ReviewResult(review_ids=(70,), posted=("f1",), comment_ids={"f1": 71})

    stamped, still = with_published((failed_then_ok, pending), RESULTS, review, summary_id=5)

    assert [r.published for r in stamped.records] == [
        [], ["review_comment:71", "review:70", "issue_comment:5"]
    ]  # fmt: skip
    assert still == pending
    (no_summary,) = with_published((failed_then_ok,), {}, ReviewResult(), summary_id=None)
    assert no_summary == failed_then_ok


def test_remembered_fingerprints_include_a_posted_body() -> None:
    posted = ReviewResult(review_ids=(70,), posted=("f1",), moved_to_body=("f2",))
    assert remembered(posted, RESULTS) == ("f1", "f2", "f3")
    assert remembered(ReviewResult(), RESULTS) == ()  # nothing went out: nothing to remember


def test_next_state_adds_to_the_pending_it_is_given() -> None:
    item = PendingItem("d", "describe", "auxiliary", "efficient", "m", "batch", "low", 10)
    mine = PendingBatch("anthropic", "b2", datetime(2027, 1, 1, tzinfo=UTC), (item,))
    theirs = {"provider": "openai", "batch_id": "b1"}
    start = State(pending=(theirs,), cost_usd=Decimal("1"), runs=3, fingerprints=("x",))

    new = next_state(start, head_sha="h", run_cost=Decimal("0.5"), pending=[mine],
                     kept_pending=[{"provider": "anthropic", "batch_id": "b0"}],
                     published=["y"], count_run=False)  # fmt: skip

    assert [p["batch_id"] for p in new.pending] == ["b1", "b0", "b2"]
    assert (new.cost_usd, new.runs, new.last_reviewed_sha) == (Decimal("1.5"), 3, "h")
    assert new.fingerprints == ("x", "y")
    counted = next_state(start, head_sha=None, run_cost=Decimal(0), pending=[], reviewed=False)
    assert (counted.runs, counted.last_reviewed_sha) == (4, None)
