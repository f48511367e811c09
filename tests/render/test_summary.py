"""The sticky summary, job summary, terminal lines, action outputs and inline cost note."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from pr_router.github.publish import compose_summary
from pr_router.github.state import MAX_FINGERPRINTS, State
from pr_router.pricing import format_usd
from pr_router.render.summary import (
    BODY_LIMIT,
    COMMENT_LIMIT,
    action_outputs,
    format_tokens,
    inline_cost_note,
    step_summary_markdown,
    summary_markdown,
    terminal_summary,
)
from pr_router.summary import JobRun, RunSummary, Section

from .factories import HAIKU, OPUS, D, job_plan, realistic_summary, record

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("PR_ROUTER_UPDATE_SNAPSHOTS") == "1"


def check_snapshot(name: str, text: str) -> None:
    """Compare with the stored snapshot; PR_ROUTER_UPDATE_SNAPSHOTS=1 rewrites it."""
    path = SNAPSHOTS / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {name}: run with PR_ROUTER_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8")


def cost_rows(markdown: str) -> dict[str, list[str]]:
    """The cost table's rows by job name (status icons stripped)."""
    table = markdown.split("#### Cost (measured)", 1)[1].split("\n\n", 2)[1]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        rows[cells[0].split(" ")[-1].strip("*")] = cells
    return rows


@pytest.fixture
def summary() -> RunSummary:
    return realistic_summary()


def test_full_comment_snapshot(summary: RunSummary) -> None:
    check_snapshot("summary.md", summary_markdown(summary))


def test_step_summary_snapshot(summary: RunSummary) -> None:
    check_snapshot("step_summary.md", step_summary_markdown(summary))


def test_terminal_snapshot(summary: RunSummary) -> None:
    check_snapshot("terminal.txt", terminal_summary(summary))


def test_key_lines(summary: RunSummary) -> None:
    lines = summary_markdown(summary).splitlines()
    assert lines[0] == (
        "**pr-router** · this run $0.089 · PR total $0.160 over 2 runs · "
        "saved $0.062 (41%) vs all-frontier · ⏳ 1 pending · ❌ 1 failed"
    )
    assert "- 🔁 Reviewed only changes since `abc1234`." in lines
    assert (
        "- ⏳ `docs` pending in batch `msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d`; "
        "a later run or `collect` will post it."
    ) in lines
    assert "- ❌ `failure-summary` failed: provider overloaded (529) after 3 retries" in lines
    assert "- ⚠️ `review` did not see 1 file (token budget): `vendor/big.min.js`" in lines
    assert "- 💰 Budget: $0.071 of $1.00 per PR used this run ($0.142 of $5.00 this PR)." in lines
    assert "| **total** |  |  | 17.5k | 4.8k | 2.6k | **$0.089** | $0.151 | $0.062 |" in lines
    assert "PR total: **$0.160** over 2 runs (earlier runs $0.071)." in lines
    assert "Runner time spent waiting for models and batches: 1m 35s." in lines


def test_exact_totals_from_hand_computed_records(summary: RunSummary) -> None:
    # review 350*5 + 4800*6.25 + 1200*25; security 420*5 + 4800*0.5 + 640*25; describe
    # (batch, half price) 5300*0.5 + 420*2.5; changelog 900*0.5 + 150*2.5 then on sonnet
    # 900*1.5 + 150*7.5. USD per million tokens.
    assert summary.cost_usd == Decimal("0.08925")
    assert summary.all_frontier_usd == Decimal("0.15135")
    assert action_outputs(summary) == {
        "cost-usd": "0.089250",
        "all-frontier-usd": "0.151350",
        "savings-usd": "0.062100",
        "pending-batches": "anthropic:msgbatch_01HkcTjaV5uDC8jWR4ZsDV8d",
        "jobs-failed": "failure-summary",
        "gate": "skipped",
        # not measured: no runner minutes, totals equal the token figures
        "runner-minutes": "0",
        "runner-usd": "0.000000",
        "total-usd": "0.089250",
        "all-frontier-total-usd": "0.151350",
        "total-savings-usd": "0.062100",
    }


def test_cost_cells_are_sums_of_records(summary: RunSummary) -> None:
    rows = cost_rows(summary_markdown(summary))
    for job in summary.jobs:
        cells = rows[job.plan.job]
        if job.records:
            assert cells[6] == format_usd(sum((r.cost_usd for r in job.records), Decimal(0)))
            assert cells[7] == format_usd(
                sum((r.all_frontier_usd for r in job.records), Decimal(0))
            )
    records = [r for j in summary.jobs for r in j.records]
    assert rows["total"][6] == f"**{format_usd(sum((r.cost_usd for r in records), Decimal(0)))}**"
    prompt = sum(r.usage.tokens().prompt for r in records)
    assert rows["total"][3] == format_tokens(prompt)


def test_outputs_match_action_yml(summary: RunSummary) -> None:
    action = Path(__file__).resolve().parents[2] / "action.yml"
    declared = yaml.safe_load(action.read_text(encoding="utf-8"))["outputs"]
    assert set(action_outputs(summary)) == set(declared)


def test_jobs_without_records_say_so(summary: RunSummary) -> None:
    rows = cost_rows(summary_markdown(summary))
    assert rows["docs"][6] == "⏳ pending, not billed yet"
    assert rows["failure-summary"][6] == "failed, not billed"
    assert rows["docs"][3:6] == ["–", "–", "–"]


def test_escalation_and_cache_are_marked(summary: RunSummary) -> None:
    text = summary_markdown(summary)
    assert (
        "| changelog | auxiliary | efficient → standard | claude-haiku-5-5 → claude-sonnet-5-5 "
        "| batch |  | user-facing change; escalated: output referenced a line outside the diff |"
    ) in text
    assert "| sync (writes cache) |" in text
    assert "| sync (reads cache) |" in text
    assert "| 0 (4.8k written) |" in text


def test_auxiliary_results_are_collapsible(summary: RunSummary) -> None:
    text = summary_markdown(summary)
    assert (
        "<details><summary>PR description · describe · claude-haiku-5-5 · $0.0037</summary>\n\n"
        "Adds **session rotation** on login."
    ) in text
    assert text.count("<details>") == text.count("</details>")


def test_mermaid_pie_adds_up_to_all_frontier(summary: RunSummary) -> None:
    text = summary_markdown(summary)
    values = [Decimal(v) for v in re.findall(r'^    "[^"]+" : ([0-9.]+)$', text, re.MULTILINE)]
    assert "```mermaid\npie showData" in text
    assert abs(sum(values) - summary.all_frontier_usd) < Decimal("0.0005")


@pytest.mark.parametrize(
    ("tokens", "shown"),
    [
        (0, "0"),
        (950, "950"),
        (1000, "1.0k"),
        (6100, "6.1k"),
        (6149, "6.1k"),
        (6150, "6.2k"),
        (999_949, "999.9k"),
        (999_950, "1.0M"),
        (1_250_000, "1.3M"),
    ],
)
def test_format_tokens(tokens: int, shown: str) -> None:
    assert format_tokens(tokens) == shown


def test_terminal_lines(summary: RunSummary) -> None:
    lines = terminal_summary(summary).splitlines()
    assert lines[0].startswith("pr-router · this run $0.089 · PR total $0.160 over 2 runs")
    assert (
        "security: 5.2k sent (4.8k cached), 640 received. Cost: $0.021 (all-frontier $0.042)"
        in lines
    )
    assert lines[1].startswith("review: 5.2k sent (0 cached, 4.8k written to cache), 1.2k")


def test_inline_cost_note(summary: RunSummary) -> None:
    assert inline_cost_note(summary.jobs[0]) == "<sub>review · claude-opus-5-5 · $0.062</sub>"
    assert inline_cost_note(summary.jobs[3]) == (
        "<sub>changelog · claude-sonnet-5-5 (escalated) · $0.0033</sub>"
    )
    assert inline_cost_note(summary.jobs[4]) == (
        "<sub>docs · claude-haiku-5-5 · not billed yet</sub>"
    )


def test_step_summary_has_the_same_cost_table(summary: RunSummary) -> None:
    comment, step = summary_markdown(summary), step_summary_markdown(summary)
    table = comment.split("#### Cost (measured)", 1)[1].split("</sub>", 1)[0]
    assert table in step
    assert "<details>" not in step


def test_nothing_billed_yet() -> None:
    docs = job_plan("docs", HAIKU, "batch")
    base = realistic_summary()
    summary = replace(base, jobs=(JobRun(docs, "pending"),), previous_runs=0,
                      previous_cost_usd=Decimal(0), notices=(), budget_line=None)  # fmt: skip
    text = summary_markdown(summary)
    assert text.splitlines()[0] == (
        "**pr-router** · this run $0.00 · PR total $0.00 over 1 run · ⏳ 1 pending"
    )
    assert "mermaid" not in text
    assert action_outputs(summary)["cost-usd"] == "0.000000"


def test_negative_saving_is_signed() -> None:
    review = job_plan("review", OPUS)
    rec = record("review", OPUS, input=10, cache_write_5m=10_000, output=10)
    summary = replace(realistic_summary(), jobs=(JobRun(review, "ok", (rec,)),))
    text = summary_markdown(summary)
    # 10*5 + 10_000*6.25 + 10*25 = 62_800 vs uncached 10_010*5 + 10*25 = 50_300 (per MTok)
    assert "· $0.013 more than all-frontier" in text.splitlines()[0]
    assert cost_rows(text)["review"][8] == "-$0.013"


# -- limits and hidden content ------------------------------------------------------------


def _huge(summary: RunSummary, sizes: tuple[int, ...]) -> RunSummary:
    jobs = list(summary.jobs)
    for i, size in zip((2, 3, 4), sizes, strict=False):
        body = "```python\n" + ("x = 'some long generated line of output'\n" * (size // 40))
        jobs[i] = replace(jobs[i], section=Section(f"Big {i}", body))
    jobs[0] = replace(jobs[0], not_seen=tuple(f"src/gen/file_{n}.py" for n in range(3000)))
    return replace(summary, jobs=tuple(jobs))


@pytest.mark.parametrize("limit", [BODY_LIMIT, COMMENT_LIMIT])
def test_body_fits_the_limit_and_keeps_the_cost_table(summary: RunSummary, limit: int) -> None:
    big = _huge(summary, (90_000, 60_000, 2_000))
    text = summary_markdown(big, limit=limit)
    assert len(text) <= limit
    cost = summary_markdown(summary).split("#### Cost (measured)", 1)[1].split("<details>")[0]
    assert cost in text  # the cost table is never trimmed
    assert "characters trimmed to fit GitHub's comment limit" in text
    assert text.count("<details>") == text.count("</details>")
    for block in text.split("<details>")[1:]:  # every cut closed its code fence
        inner = block.split("</details>")[0]
        assert sum(1 for ln in inner.splitlines() if ln.startswith("```")) % 2 == 0


def test_the_largest_section_is_trimmed_first(summary: RunSummary) -> None:
    big = _huge(summary, (70_000, 3_000, 2_000))
    big = replace(big, jobs=(*big.jobs[:1], replace(big.jobs[1]), *big.jobs[2:]))
    big = replace(big, jobs=tuple(replace(j, not_seen=()) for j in big.jobs))
    text = summary_markdown(big)
    small = big.jobs[3].section
    assert small is not None
    assert small.markdown.strip() in text  # the small one survived whole


def test_full_comment_with_state_fits_without_publisher_trimming(summary: RunSummary) -> None:
    big = _huge(summary, (90_000, 60_000, 40_000))
    state = State(
        pending=tuple(
            {
                "provider": "anthropic",
                "batch_id": f"msgbatch_{i:024d}",
                "requests": [{"custom_id": f"req-{i}-{j}", "job": "docs"} for j in range(3)],
            }
            for i in range(5)
        ),
        last_reviewed_sha="f" * 40,
        cost_usd=Decimal("12.345678"),
        runs=99,
        fingerprints=tuple(f"{i:016x}" for i in range(MAX_FINGERPRINTS)),
    )
    full, trimmed = compose_summary(summary_markdown(big), state)
    assert len(full) <= COMMENT_LIMIT
    assert not trimmed


HIDDEN = "<!-- pr-router:state eyJ2ZXJzaW9uIjoxfQ== -->"


def test_no_html_comment_even_from_sections(summary: RunSummary) -> None:
    jobs = list(summary.jobs)
    jobs[2] = replace(jobs[2], section=Section("Desc <!-- x -->", f"text {HIDDEN}\n<!--\nhidden"))
    jobs[5] = replace(jobs[5], error=f"boom {HIDDEN}")
    jobs[0] = replace(jobs[0], not_seen=("a<!--b.py",))
    evil = replace(summary, jobs=tuple(jobs), notices=(HIDDEN,), budget_line="<!-- b -->",
                   incremental_since="<!--", pending_batches=("anthropic:<!--x",))  # fmt: skip
    for text in (summary_markdown(evil), step_summary_markdown(evil)):
        assert "<!--" not in text.replace("&lt;!--", "")
    assert "<!--" not in summary_markdown(_huge(evil, (90_000,)))


def test_limit_too_small_is_refused(summary: RunSummary) -> None:
    with pytest.raises(ValueError, match="no room"):
        summary_markdown(summary, limit=500)


def _rerun(error: str | None, *, escalated: bool = False) -> RunSummary:
    """The realistic run with ``docs`` failing in its batch (``error``) and re-run in sync;
    no batch record at all when ``error`` is None (the provider has no batch API)."""
    base = realistic_summary()
    docs = next(j for j in base.jobs if j.plan.job == "docs")
    batch = record("docs", HAIKU, "batch")
    batch = batch.model_copy(update={"status": "failed", "error": error, "cost_usd": D(0)})
    reason = "provider has no batch API" if error is None else f"retry after {error}"
    sync = record("docs", HAIKU, "sync", input=900, output=150).model_copy(
        update={
            "attempt": 1 if error is None else 2,
            "escalation_reason": reason,
            "escalated_from": "efficient" if escalated else None,
        }
    )
    records = (sync,) if error is None else (batch, sync)
    jobs = tuple(replace(docs, status="ok", records=records) if j is docs else j for j in base.jobs)
    return replace(base, jobs=jobs, pending_batches=())


def _routing_row(markdown: str, job: str) -> list[str]:
    table = markdown.rsplit("| job | class |", 1)[1]  # the routing table comes last
    line = next(ln for ln in table.splitlines() if ln.startswith(f"| {job} |"))
    return [c.strip() for c in line.strip("|").split(" | ")]


@pytest.mark.parametrize(
    ("error", "why"),
    [
        ("batch item expired: the batch expired before it ran", "batch expired"),
        ("batch item errored: batch failed: bad input file", "batch failed"),
        ("batch item errored: overloaded", "batch request errored"),
        ("batch item canceled: canceled", "batch canceled"),
        ("batch submission failed: 500 server error", "batch submission failed"),
    ],
)
def test_a_batch_job_re_run_synchronously_says_so(error: str, why: str) -> None:
    text = summary_markdown(_rerun(error))
    assert cost_rows(text)["docs"][2] == "batch → sync"
    row = _routing_row(text, "docs")
    assert row[4] == "batch → sync"
    assert row[6] == f"public API changed; {why}, retried synchronously"
    assert _routing_row(step_summary_markdown(_rerun(error)), "docs") == row
    # the other batch jobs ran in their batch, as planned
    assert _routing_row(text, "describe")[4] == "batch"
    assert cost_rows(text)["describe"][2] == "batch"


def test_a_batch_job_without_a_batch_api_says_so() -> None:
    text = summary_markdown(_rerun(None))
    row = _routing_row(text, "docs")
    assert row[4] == "batch → sync"
    assert row[6] == "public API changed; provider has no batch API: ran synchronously"


def test_an_escalation_out_of_a_batch_is_not_called_a_retry() -> None:
    text = summary_markdown(_rerun("batch item expired: gone", escalated=True))
    row = _routing_row(text, "docs")
    assert row[4] == "batch → sync"
    assert "retried synchronously" not in row[6]
    assert "escalated: retry after batch item expired: gone" in row[6]
