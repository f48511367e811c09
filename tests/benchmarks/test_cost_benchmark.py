"""benchmarks/cost.py: the floor's arithmetic, the canned answers, and a run on 2 diffs."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from _canned import Lengths, answer, job_of
from _emulated import Case, CaseRun
from _floor import floor_of
from _setups import SETUP_NAMES
from pr_router.emulator import Call
from pr_router.jobs.outputs import DescribeOutput, FindingsOutput
from pr_router.ledger import LedgerRates, LedgerRecord, LedgerUsage
from pr_router.pricing import PriceTable, Rates, cost
from pr_router.tokens import TokenUsage, estimate_tokens

from .conftest import run_json

RATES = Rates(Decimal(4), Decimal(20), Decimal(5), Decimal(8), Decimal("0.2"), source="test")
PRICES = PriceTable({"m": RATES})


def _record(job: str, usage: TokenUsage, *, mode: str = "sync", aux: bool = False) -> LedgerRecord:
    rates = PRICES.rates("anthropic", "m", mode)  # type: ignore[arg-type]
    return LedgerRecord(
        run_id="r", job=job, job_class="auxiliary" if aux else "critical",
        tier="efficient" if aux else "frontier", provider="anthropic", model="m",
        mode=mode, status="ok", usage=LedgerUsage.of(usage), rates=LedgerRates.of(rates),
        cost_usd=cost(usage, rates),
    )  # fmt: skip


def _run(*records: LedgerRecord, instructions: dict[str, int]) -> CaseRun:
    return CaseRun("pr.diff", "default", 100, 2, True, False,
                   tuple(r.model_dump_json() for r in records), instructions)  # fmt: skip


def test_floor_reads_every_prefix_and_batches_auxiliary_jobs() -> None:
    run = _run(
        _record("review", TokenUsage(input=100, cache_write_5m=1000, output=500)),
        _record("security", TokenUsage(input=120, cache_read=1000, output=300)),
        _record("describe", TokenUsage(input=900, output=100), mode="batch", aux=True),
        instructions={"review": 100, "security": 120, "describe": 150},
    )
    floors = {f.record.job: f for f in floor_of(run, PRICES)}
    # review: 100 input + 1000 read + 500 output, sync rates
    assert floors["review"].usd == Decimal("0.0106")
    assert floors["security"].usd == Decimal("0.00668")
    # describe: 150 input + 750 read + 100 output at batch (half) rates
    assert floors["describe"].usd == Decimal("0.001375")
    assert floors["review"].above == {"first_write": Decimal("0.0048")}
    assert floors["describe"].above == {"auxiliary_prefix": Decimal("0.001425")}
    for f in floors.values():  # the parts add up to what the record cost above its floor
        assert sum(f.above.values(), Decimal(0)) == f.record.cost_usd - f.usd
    # attainable: the review writes the shared prefix once, security reads it; describe as run
    assert floors["review"].attainable == Decimal("0.0154")
    assert floors["security"].attainable == floors["security"].usd
    assert floors["describe"].attainable == floors["describe"].record.cost_usd


def test_a_lone_critical_job_attains_its_prefix_uncached() -> None:
    run = _run(_record("review", TokenUsage(input=1100, output=500)),
               instructions={"review": 100})  # fmt: skip
    [review] = floor_of(run, PRICES)
    assert review.above == {"alone": Decimal("0.0038")}  # 1000 x (4 - 0.2) / 1M
    assert review.attainable == review.record.cost_usd


def test_floor_names_an_unread_write_and_a_prefix_of_its_own() -> None:
    run = _run(
        _record("review", TokenUsage(input=100, cache_write_5m=1000, output=500)),
        _record("security", TokenUsage(input=1120, output=300)),
        instructions={"review": 100, "security": 120},
    )
    floors = {f.record.job: f for f in floor_of(run, PRICES)}
    assert set(floors["review"].above) == {"unread_write"}
    assert floors["review"].unmarked == Decimal("0.001")  # (5 - 4) x 1000 / 1M
    assert floors["security"].above == {"own_prefix": Decimal("0.0038")}


_PROMPT = """## Diff
### `src/app/views.py` (code, modified, +3 −1)
<untrusted-data source="diff">
```
@@ -10,4 +10,6 @@
10   def view(request):
11 +     name = request.args.get("name")
12 +     return render(name)
12 -     return render()
13       log(name)
```
</untrusted-data>
"""


def _call(instructions: str, schema: str) -> Call:
    body = {"messages": [{"role": "user", "content": [
        {"type": "text", "text": _PROMPT}, {"type": "text", "text": instructions}]}]}  # fmt: skip
    return Call("anthropic", "/v1/messages", "m", schema, _PROMPT + instructions, body=body)


def test_canned_review_points_at_shown_lines_at_the_wanted_length() -> None:
    call = _call("## Task: code review\nReview the diff.", "FindingsOutput")
    assert job_of(call) == "review"
    out = FindingsOutput.model_validate(answer(call, "review", 1200))
    assert out.findings
    assert {(f.file, f.start_line) for f in out.findings} <= {("src/app/views.py", 11),
                                                               ("src/app/views.py", 12)}  # fmt: skip
    assert 1100 <= estimate_tokens(json.dumps(out.model_dump())) <= 1300


def test_canned_description_names_listed_files() -> None:
    prompt_files = "- `src/app/views.py` (code, modified, +3 −1)\n"
    call = Call("anthropic", "/v1/messages", "m", "DescribeOutput", prompt_files,
                body={"messages": [{"role": "user", "content": [
                    {"type": "text", "text": prompt_files},
                    {"type": "text", "text": "## Task: pull request description"}]}]})  # fmt: skip
    assert job_of(call) == "describe"
    out = DescribeOutput.model_validate(answer(call, "describe", 400))
    assert [w.path for w in out.walkthrough] == ["src/app/views.py"]


def test_lengths_grow_mildly_with_size() -> None:
    lengths = Lengths()
    assert lengths.for_pr(200, True)["review"] == 1200
    assert lengths.for_pr(10, True)["review"] == 720  # 0.6x floor
    assert lengths.for_pr(50_000, True)["security"] == 1400  # 2x cap
    assert lengths.for_pr(200, False)["review"] == 600


@pytest.mark.slow
def test_cost_benchmark_on_two_diffs() -> None:
    doc = run_json("cost.py", "--limit", "2", "--workers", "1")
    assert list(doc) == list(SETUP_NAMES)
    for name, setup in doc.items():
        assert setup["prs"] == 2, name
        assert setup["errors"] == [], name
        for key in ("total_usd", "median_pr_usd", "p90_pr_usd"):
            assert isinstance(setup[key], float), (name, key)
            assert setup[key] > 0, (name, key)
        assert 0 <= setup["critical_frontier_share"] <= 1
    default, floor = doc["default"], doc["floor"]
    assert floor["total_usd"] <= floor["attainable_floor_usd"] <= default["total_usd"] + 1e-6
    assert default["critical_frontier_share_code_prs"] == 1.0
    parts = sum(floor["default_above_floor_usd"].values())
    assert parts == pytest.approx(default["total_usd"] - floor["total_usd"], abs=1e-5)
    assert doc["single-frontier"]["share_of_single_frontier"] == 1.0
    for name, setup in doc.items():
        # tokens plus runner minutes (private: $0.006 a billed minute; public: free)
        assert setup["tokens_usd"] == setup["total_usd"], name
        assert setup["runner_minutes"] >= 2, name  # at least one billed minute per PR
        runner = round(setup["runner_minutes"] * 0.006, 6)
        assert setup["runner_usd_private"] == pytest.approx(runner), name
        assert setup["tco_private_usd"] == pytest.approx(setup["tokens_usd"] + runner), name
        assert setup["tco_public_usd"] == setup["tokens_usd"], name
        assert not setup["corpus"].startswith("shared real corpus (/"), "a machine's path"
    assert doc["single-frontier"]["tco_private_usd_vs_single_frontier"] == 1.0


# The corpus's two largest PRs: GitHub refuses both diffs (lines, then files).
LARGEST = {
    "git__bf5ce434db62.diff": ["describe"],  # one translation file: no code to review
    "webhooks__e3e60cb5336a.diff": ["changelog", "describe", "docs", "review", "security"],
}


@pytest.mark.slow
def test_the_two_largest_prs_go_through_the_files_list() -> None:
    from _emulated import run_case
    from _setups import setups
    from cost import real_diffs_dir
    from pr_router.emulator.github_files import file_rows, too_large_body

    folder = real_diffs_dir()
    if folder is None or not all((folder / name).is_file() for name in LARGEST):
        pytest.skip("the shared real-diff corpus is absent")
    (default,) = [s for s in setups() if s.name == "default"]
    for name, jobs in LARGEST.items():
        diff = (folder / name).read_bytes()
        assert too_large_body(file_rows(diff)) is not None, name
        case = Case(name, 1, diff, name)
        run = run_case(default, case)
        assert run.error is None, run.error
        assert run.diff_rebuilt, name
        assert sorted({r.job for r in run.ledger() if r.status == "ok"}) == jobs
