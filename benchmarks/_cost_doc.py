"""docs/cost-benchmark.md and its chart, written from one run of ``cost.py --write-docs``.

Every number in the page comes from the run's JSON document; the prose around them says
how they were made and what moves them, so the page stays true when it is regenerated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from _canned import Lengths
from _cost_report import markdown_table, write_chart
from _floor import PARTS
from _lifetime_doc import keep_section
from _setups import FRONTIER, LIGHT_HEAVY, SINGLE_FRONTIER

__all__ = ["DocInputs", "write_docs"]

Doc = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class DocInputs:
    """What the page needs besides the JSON document."""

    label: str
    date: str
    elapsed_s: float
    per_pr: Mapping[str, Mapping[str, Decimal]]  # setup -> case -> usd
    lines: Mapping[str, int]  # case -> changed lines


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _targets(doc: Doc) -> str:
    d = doc["default"]
    share, above = d["share_of_single_frontier"], d["above_floor_pct"]
    code = d["critical_frontier_share_code_prs"]

    def mark(ok: bool) -> str:
        return "met" if ok else "**not met**"

    return "\n".join([
        "| target | measured | |",
        "|---|---|---|",
        f"| default <= 30% of single-frontier | {_pct(share)} | {mark(share <= 0.30)} |",
        f"| review + security of every code PR on the frontier tier | {_pct(code)} of the "
        f"{d['critical_jobs_code_prs']} critical jobs of code PRs | {mark(code >= 1.0)} |",
        f"| default within 15% of the floor | +{above:.1f}% | {mark(above <= 15.0)} |",
    ])  # fmt: skip


def _composition(doc: Doc) -> str:
    s, d, f = doc["single-frontier"], doc["default"], doc["floor"]
    total = s["total_usd"]
    critical = s["cost_by_job_class_usd"].get("critical", 0.0)
    return (
        f"Under single-frontier the critical jobs (review, security) are "
        f"{_pct(critical / total)} of the bill and the auxiliary jobs "
        f"{_pct(1 - critical / total)}: routing the auxiliary jobs away can save at most "
        f"that. The critical jobs stay on the frontier model, and their output tokens "
        f"(visible answer plus reasoning) cost the same whatever the routing: "
        f"${s['critical_output_usd']:.2f} under single-frontier, "
        f"${d['critical_output_usd']:.2f} under default (less only because docs-only PRs get "
        f"an efficient review), that is {_pct(d['critical_output_usd'] / total)} of "
        f"single-frontier before a single input token is paid. That is why even the floor "
        f"is {_pct(f['share_of_single_frontier'])} of single-frontier."
    )


def _above_floor(doc: Doc) -> str:
    f, d = doc["floor"], doc["default"]
    gap = d["total_usd"] - f["total_usd"]
    rows = ["| part | what it is | $ | share of the gap | PRs |", "|---|---|---|---|---|"]
    parts: Mapping[str, float] = f["default_above_floor_usd"]
    for key, usd in sorted(parts.items(), key=lambda kv: -kv[1]):
        share = usd / gap if gap else 0.0
        rows.append(f"| `{key}` | {PARTS[key]} | ${usd:.2f} | {_pct(share)} | "
                    f"{f['default_above_floor_prs'][key]} |")  # fmt: skip
    return "\n".join(rows)


def _rates() -> Mapping[str, float]:
    from pr_router.pricing import PriceTable

    r = PriceTable().rates("anthropic", FRONTIER)
    base = float(r.input)
    return {"input": base, "write_5m": float(r.cache_write_5m) / base,
            "write_1h": float(r.cache_write_1h) / base, "read": float(r.cache_read) / base}  # fmt: skip


def _attainable(doc: Doc) -> str:
    f, d = doc["floor"], doc["default"]
    attainable = f["attainable_floor_usd"]
    avoidable = d["total_usd"] - attainable
    r = _rates()
    return (
        f"The floor cannot be reached inside one run: a prefix is read only after some "
        f"request wrote it, and the prefix of a PR's only critical job is best sent uncached "
        f"(a write costs {r['write_5m']:g}x input, for no reader). The attainable floor "
        f"charges exactly that: per PR, the critical job with the largest prefix writes it "
        f"and the other reads it (a lone critical job sends it as plain input), auxiliary "
        f"jobs as they ran. It is ${attainable:.2f}; default is "
        f"+{100 * avoidable / attainable:.1f}% above it (${avoidable:.2f}). (Frontier rates "
        f"throughout, from genai-prices for `{FRONTIER}`: ${r['input']:g} per million input "
        f"tokens; 5-minute cache writes {r['write_5m']:g}x, 1-hour writes "
        f"{r['write_1h']:g}x, reads {r['read']:g}x input.)"
    )


def _install() -> str:
    from _latency import INSTALL_MEASURED

    (uv_cold, uv_warm), (pip_cold, pip_warm) = INSTALL_MEASURED["uv"], INSTALL_MEASURED["pip"]
    return (f"`scripts/install_time.sh` on this machine, 2 cores shared with other work: the "
            f"action's uv install, fetching uv first as on a runner without it, cold "
            f"{uv_cold:g} s, warm {uv_warm:g} s; the pip fallback cold {pip_cold:g} s, warm "
            f"{pip_warm:g} s; the cold uv figure, since a PR's first run may find no cache")  # fmt: skip


def _own_packing(doc: Doc) -> str:
    f = doc["floor"]
    own = f["default_above_floor_usd"].get("own_prefix", 0.0)
    if own > 0:
        return (f"Critical jobs of {f['default_above_floor_prs']['own_prefix']} PR(s) still sent "
                f"a prefix of their own (`own_prefix`, ${own:.2f}). The largest PRs:")  # fmt: skip
    return (
        "The largest PRs carry much of default's total. When a diff does not fit "
        "`max_context_tokens`, the packer leaves whole files out of the one packing the review "
        "and the security scan share (the security detector's files, then CI, dependency, "
        "migration and config files are dropped last), so the security job still reads the "
        "review's cached prefix: one cache write of about 140k tokens and one read, where "
        "single-frontier sends the prefix twice uncached:"
    )


def _closing(doc: Doc) -> str:
    f, d = doc["floor"], doc["default"]
    attainable = f["attainable_floor_usd"]
    return (
        f"Default is ${d['total_usd'] - attainable:.2f} above the attainable floor "
        f"(${attainable:.2f}): one run cannot do better with the same answers. The rest of the "
        f"distance to the 15% target is the floor's own definition: it reads every prefix "
        f"without writing it, and a lone critical job's prefix at the read rate."
    )


def _frugal(fr: Mapping[str, Any]) -> str:
    failed = fr["critical_jobs_failed"]
    if not failed:
        return (f"Frugal saves {fr['savings_vs_single_frontier_pct']:.1f}% with every critical "
                "job answered. Its review and security caps (`max_output_tokens: 4000`) count "
                "reasoning tokens; on security-sensitive PRs, where effort is high, it raises "
                "them to 8000, and no answer of this corpus reached a cap. Should one, the run "
                "retries a critical answer cut at its cap once with twice the room "
                "(`tests/execute/test_critical_answers.py` runs every shipped policy on the "
                "largest diffs).")  # fmt: skip
    return (
        f"Frugal's {fr['savings_vs_single_frontier_pct']:.1f}% includes {failed} critical "
        f"job(s) that produced nothing: its review cap (`max_output_tokens: 4000`) counts "
        f"reasoning tokens too, so on large security-sensitive PRs (high effort) the answer "
        f"is cut at the limit, fails validation, cannot escalate above the frontier tier, "
        f"and is billed anyway. The critical-on-frontier share counts those attempts; the "
        f"per-setup table below counts the failures."
    )


def _strict(st: Mapping[str, Any]) -> str:
    r = _rates()
    return (
        f"Strict costs {_pct(st['share_of_single_frontier'])} of single-frontier: its 1-hour "
        f"cache TTL bills writes at {r['write_1h']:g}x input, so one write and one read "
        f"({r['write_1h'] + r['read']:g}x) cost more than sending the prefix twice uncached "
        f"(2x). The 1-hour TTL pays off only across runs of the same PR within the hour, which "
        f"this benchmark (one run per PR) does not have. Its plan estimate "
        f"(${st['plan_estimate_usd']:.2f}, against ${st['total_usd']:.2f} measured) prices "
        f"each cache write at the policy's TTL (`router._usage`); what remains between the two "
        f"is the catalogue's output lengths against the benchmark's canned ones."
    )


def _largest(inputs: DocInputs, n: int = 3) -> str:
    default, single = inputs.per_pr["default"], inputs.per_pr["single-frontier"]
    total = sum(default.values(), Decimal(0))
    top = sorted(default, key=lambda c: -default[c])[:n]
    rows = ["| PR (diff) | changed lines | default | single-frontier | default / single |",
            "|---|---|---|---|---|"]  # fmt: skip
    for case in top:
        rows.append(f"| `{case}` | {inputs.lines[case]:,} | ${default[case]:.3f} | "
                    f"${single[case]:.3f} | {float(default[case] / single[case]):.2f} |")  # fmt: skip
    share = sum((default[c] for c in top), Decimal(0)) / total if total else Decimal(0)
    return "\n".join(rows) + f"\n\nThese {n} PRs are {_pct(float(share))} of default's total."


def _lengths() -> str:
    le = Lengths()
    rows = ["| job | visible output tokens |", "|---|---|"]
    rows += [
        f"| review | {le.review} at {le.pivot_lines} changed lines, x (lines/{le.pivot_lines})"
        f"^{le.exponent} kept in [{le.min_factor}, {le.max_factor}]; "
        f"x {le.non_code_factor} on PRs that change no code |",
        f"| security | {le.security}, same size factor |",
        f"| describe | {le.describe} |",
        f"| changelog | {le.changelog} |",
        f"| docs | {le.docs} |",
    ]
    examples = ", ".join(f"{n:,} lines: {le.size_factor(n):.2f}x" for n in (10, 200, 2000, 20000))
    return "\n".join(rows) + f"\n\nSize factor examples: {examples}."


def _setup_rows(doc: Doc) -> str:
    rows = ["| setup | jobs run | batch jobs | critical jobs failed | prompt tokens read from "
            "cache | plan estimate | measured |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, s in doc.items():
        est = f"${s['plan_estimate_usd']:.2f}" if "plan_estimate_usd" in s else "n/a"
        rows.append(f"| {name} | {s['jobs']} | {s['batch_jobs']} | {s['critical_jobs_failed']} | "
                    f"{_pct(s['cache_read_share_of_prompt'])} | {est} | ${s['total_usd']:.2f} |")  # fmt: skip
    return "\n".join(rows)


def _tco(doc: Doc) -> str:
    """Tokens plus runner minutes per setup, and the runner targets."""
    from _latency import (
        BATCH_COMPLETION_S,
        COLLECT_IN_RUN_S,
        INSTALL_S,
        JOB_SETUP_S,
        PR_ROUTER_OVERHEAD_S,  # fmt: skip
        SPEEDS,
        sweep_minutes_per_pr,
    )

    rows = ["| setup | tokens | runner minutes | runner (private, $0.006/min) | total, private "
            "repo | total, public repo | batch jobs |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for name, x in doc.items():
        if name == "floor":
            continue
        rows.append(f"| {name} | ${x['tokens_usd']:.2f} | {x['runner_minutes']:,} | "
                    f"${x['runner_usd_private']:.2f} | ${x['tco_private_usd']:.2f} | "
                    f"${x['tco_public_usd']:.2f} | {x['batch_jobs']} |")  # fmt: skip
    d = doc["default"]

    def mark(ok: bool) -> str:
        return "met" if ok else "**not met**"

    t, r, p = (d["tokens_usd_vs_single_frontier"], d["runner_minutes_vs_single_frontier"],
               d["tco_private_usd_vs_single_frontier"])  # fmt: skip
    failed = {
        n: x["critical_jobs_failed"] for n, x in doc.items() if n in ("default", "frugal", "strict")
    }
    speeds = "; ".join(f"{k}: first token {v.ttft_s:g} s, {v.output_tps:g} tokens/s "
                       f"(measured as {v.measured_as})" for k, v in SPEEDS.items())  # fmt: skip
    return "\n".join([
        *rows, "",
        "| target | measured | |", "|---|---|---|",
        f"| default `tco_private_usd` <= 0.70 x single-frontier | {p:.3f} x | {mark(p <= 0.70)} |",
        f"| default `runner_minutes` <= 1.1 x single-frontier | {r:.3f} x | {mark(r <= 1.1)} |",
        f"| default `tokens_usd` <= 0.70 x single-frontier | {t:.3f} x | {mark(t <= 0.70)} |",
        f"| no critical job without an answer (default, frugal, strict here; every shipped "
        f"policy in `tests/execute/test_critical_answers.py`) | "
        f"{', '.join(f'{n}: {v}' for n, v in failed.items())} failed | "
        f"{mark(not any(failed.values()))} |",
        "",
        "Every PR runs on a private repository (the event says `repository.private: true`), so "
        "the router weighs runner minutes at $0.006 and sends auxiliary jobs to the Batch API "
        "only where their saving beats the collection cost. The public-repository total is "
        "the same runs' tokens with free runner minutes: an upper bound, since on a public "
        "repository the router batches every auxiliary job (runner time is free) and pays "
        "the batch rate on them.",
        "",
        "Runner minutes come from a latency model (`benchmarks/_latency.py`), not from the "
        "emulator's fake clock: each PR's `pr-router run` is one job of "
        f"{JOB_SETUP_S:g} s set-up (VM, checkout, setup-python; an assumption), "
        f"{INSTALL_S:g} s install ({_install()}), "
        f"{PR_ROUTER_OVERHEAD_S:g} s of pr-router's own work and GitHub pacing, then its "
        f"synchronous model calls side by side, a cache reader starting at its writer's first "
        f"token. Model speeds are Artificial Analysis's public medians for the Anthropic API "
        f"(https://artificialanalysis.ai): {speeds}; the OpenAI tiers are timed as the "
        f"Anthropic tier of the same rank. Batches: Anthropic documents that most batches "
        f"finish in under an hour ({BATCH_COMPLETION_S:g} s here) and all within 24 hours, so no "
        f"run sees its batch end; runs do not wait (`wait_seconds: 0` in every shipped "
        f"policy); a later run collects them (the PR's next run), charged here as "
        f"{COLLECT_IN_RUN_S:g} s added to the next PR's run of the corpus. Minutes "
        f"are billed per job, rounded up. An optional hourly `collect` sweep bills about "
        f"{sweep_minutes_per_pr(1):g} minutes a month whatever is pending; at 100 PRs a month "
        f"that is {sweep_minutes_per_pr(100):g} minutes per PR "
        f"(${sweep_minutes_per_pr(100) * 0.006:.3f} on a private repository), more than the Batch API saves on any PR of this "
        f"corpus; the router counts it when `runner.sweep_minutes_per_month` says one runs.",
        "",
        _tco_gap(doc),
    ])  # fmt: skip


def _tco_gap(doc: Doc) -> str:
    """Why the total-cost targets are met or not, from the figures."""
    from _latency import INSTALL_MEASURED

    d, s, a = doc["default"], doc["single-frontier"], doc["floor"]
    t, p = d["tokens_usd_vs_single_frontier"], d["tco_private_usd_vs_single_frontier"]
    uv, pip = INSTALL_MEASURED["uv"][0], INSTALL_MEASURED["pip"][0]
    tokens = (
        f"Default's tokens are {t:.3f} x single-frontier's (${d['tokens_usd']:.2f}; "
        f"${d['tokens_usd'] - a['attainable_floor_usd']:.2f} above the attainable floor "
        f"below): the critical jobs share one cached prefix, also on PRs too large for the "
        f"context budget, and the auxiliary jobs run on the efficient model."
    )
    runner = (
        f"The runner adds about the same to both (${d['runner_usd_private']:.2f} and "
        f"${s['runner_usd_private']:.2f} on a private repository, "
        f"{d['runner_minutes_vs_single_frontier']:.3f} x the minutes), since every setup's run "
        f"lasts as long as its frontier review plus a fixed start: job set-up, the install and "
        f"pr-router's own work. That fixed part is common to both, so the smaller it is, the "
        f"closer the private-repository ratio comes to the token ratio: the action installs "
        f"with uv, {uv:g} s where pip took {pip:g} s (figures above)."
    )
    verdict = ("Both total-cost targets are met." if t <= 0.70 and p <= 0.70 else
               f"Not met: tokens {t:.3f} x, private total {p:.3f} x (target 0.70 x each).")  # fmt: skip
    return f"{verdict} {tokens} {runner}"


def _page(doc: Doc, inputs: DocInputs, chart: str) -> str:
    d, s, st = doc["default"], doc["single-frontier"], doc["strict"]
    prs = d["prs"]
    warnings = sorted({e for x in doc.values() for e in x["errors"]})
    parts = [
        "# Cost benchmark: the same PRs under six setups",
        "",
        f"Generated by `python benchmarks/cost.py --write-docs` on {inputs.date}. Corpus: "
        f"{inputs.label}, {prs} PRs, each run under 5 setups through the whole pipeline "
        f"against the emulator ({inputs.elapsed_s:.0f} s on this machine). Do not edit by "
        f"hand: change the benchmark and regenerate.",
        "",
        markdown_table(doc),
        "",
        f"![Total cost per setup and cost per PR]({chart})",
        "",
        "## Total cost: tokens plus runner minutes",
        "",
        _tco(doc),
        "",
        "## Against the targets",
        "",
        _targets(doc),
        "",
        f"Critical-path jobs on the frontier tier: {_pct(d['critical_frontier_share'])} of "
        f"all of default's critical jobs, {_pct(d['critical_frontier_share_code_prs'])} of "
        f"those on PRs that change code. The rest are reviews of docs-only PRs, which the "
        f"built-in rule sends to the efficient tier on purpose.",
        "",
        "## What drives the numbers",
        "",
        "### Why default is not at 30% of single-frontier",
        "",
        _composition(doc),
        "",
        f"Reasoning tokens are part of that output (the emulator adds 25%, 50% or 100% of "
        f"the visible answer at low, medium and high effort). Without any reasoning tokens "
        f"default would be {_pct(d['share_of_single_frontier_without_reasoning'])} of "
        f"single-frontier instead of {_pct(d['share_of_single_frontier'])}; the floor "
        f"{_pct(doc['floor']['share_of_single_frontier_without_reasoning'])}. The 30% target "
        f"assumes auxiliary work is most of the bill, as in the seeds' agent workloads "
        f"(60-80% savings where most calls are routine); in a PR pipeline whose merge-gating "
        f"jobs stay on the frontier model it is not, whatever the routing does.",
        "",
        "What would move it, each a product decision this benchmark does not take: less "
        "reasoning on critical jobs (effort is the largest dial left: high effort doubles a "
        "review's output), shorter answers (output caps), the security scan only on PRs the "
        "detector flags, or a cheaper frontier model. Each trades quality on the merge gate.",
        "",
        "### Why default is not within 15% of the floor",
        "",
        f"Default costs ${d['total_usd'] - doc['floor']['total_usd']:.2f} more than the "
        f"floor. By part:",
        "",
        _above_floor(doc),
        "",
        _attainable(doc),
        "",
        _own_packing(doc),
        "",
        _largest(inputs),
        "",
        _closing(doc),
        "",
        _frugal(doc["frugal"]),
        "",
        _strict(st),
        "",
        f"Light-heavy saves ${s['total_usd'] - doc['light-heavy']['total_usd']:.2f} "
        f"({doc['light-heavy']['savings_vs_single_frontier_pct']:.1f}%): the description is "
        f"the only job it moves.",
        "",
        "## Method",
        "",
        "For every diff of the corpus and every setup, the GitHub emulation is seeded with the "
        "diff as an opened PR (title from the corpus manifest, a non-empty body, a "
        "Keep-a-Changelog CHANGELOG.md on the base branch, and the setup's policy file at "
        "`.github/pr-router.yml` on the base branch; the default setup has none, so the "
        "bundled default applies). Then, on one `FakeClock`, `run_from_env` (the `pr-router "
        "run` entry point: context, changes, policy, plan, budget, execute, publish, ledger) "
        "runs on the `pull_request` `opened` event, and an hour later `collect_from_env` "
        "finishes the batches and updates the summary: the steps of `pr-router demo`. Batches "
        "end 15 minutes after creation, after the run's wait budget, so every batch job "
        "goes through `collect`.",
        "",
        "Every figure is computed from the ledger file those commands wrote, deduplicated as "
        "`pr-router report` does, pending records left out: `cost_usd` of each record is "
        "`pricing.cost` of the usage object the emulated provider returned (input, cache "
        "writes by TTL, cache reads, output including reasoning) at the bundled genai-prices "
        "rates, batch at 50%. All setups see the same PRs, the same canned answers and the "
        "same token accounting.",
        "",
        "- cost per PR: the sum of the PR's records (every attempt); median and p90 are "
        "linear-interpolated quantiles over the PRs;",
        "- critical on frontier: the last attempt of each critical job (review, security, "
        "custom critical jobs), counted on the frontier tier; all PRs / PRs that change code;",
        "- vs floor: total / floor total - 1.",
        "",
        "### Setups",
        "",
        "- `single-frontier`: every job on the frontier model, synchronous, no prompt caching "
        "(PR-Agent, claude-code-action):",
        "",
        "```yaml",
        SINGLE_FRONTIER.rstrip(),
        "```",
        "",
        "- `light-heavy`: the description on the efficient model, everything else on the "
        "frontier model, synchronous, no caching (CodeRabbit's original action):",
        "",
        "```yaml",
        LIGHT_HEAVY.rstrip(),
        "```",
        "",
        "  Both baselines keep the reasoning-effort choices of the built-in rules (restated "
        "without the docs-only rule's tier change), so they differ from default only in "
        "tier, mode and caching.",
        "- `default`, `frugal`, `strict`: `policies/*.yml` as shipped.",
        "- `floor`: default's ledger re-priced, record by record: the job's instruction tokens "
        "(the last text block of its prompt, measured as the emulator answered) stay plain "
        "input; every other prompt token (output schema, system text, shared PR context) is "
        "billed as a cache read with no cache write anywhere; auxiliary jobs at batch rates, "
        "critical jobs at their sync rates; same model, same output and reasoning tokens, "
        "rates from the same price table at the record's prompt size.",
        "",
        "### Output-length assumptions",
        "",
        "Without canned answers the emulator returns a minimal instance of each job's JSON "
        "schema, a few dozen tokens, which would make output (the largest cost of a review) "
        "nearly free. The benchmark's answers have these visible lengths (`benchmarks/"
        "_canned.py`), written from what the prompt shows: findings point at added lines of "
        "files the prompt shows, walkthrough entries name listed files, so the validators "
        "accept them and the review is published as a real one would be.",
        "",
        _lengths(),
        "",
        "The emulator adds reasoning tokens on top, by effort: low +25%, medium +50%, high "
        "+100% of the visible tokens, billed as output. Review and security usually run at "
        "medium or high effort (high on security-sensitive changes), the auxiliary jobs at "
        "low. The lengths are assumptions, not measurements of any model: longer critical "
        "answers push every setup towards the floor's share of single-frontier, shorter ones "
        "make caching and routing weigh more.",
        "",
        "### Per setup",
        "",
        _setup_rows(doc),
        "",
        "The plan estimate is what `pr-router plan` predicted for the same runs (its "
        "catalogue output lengths, not the canned ones).",
    ]
    if warnings:
        parts += ["", "### Errors", "", *(f"- {w}" for w in warnings)]
    return "\n".join(parts) + "\n"


def write_docs(folder: Path, doc: Doc, inputs: DocInputs) -> Sequence[Path]:
    """Write the page and the chart into ``folder``; returns their paths."""
    chart = folder / "cost-benchmark.png"
    per_pr = {n: [float(v) for v in inputs.per_pr[n].values()] for n in doc}
    title = f"pr-router cost benchmark: {doc['default']['prs']} real PRs ({inputs.date})"
    write_chart(chart, doc, per_pr, title)
    page = folder / "cost-benchmark.md"
    old = page.read_text(encoding="utf-8") if page.exists() else ""
    page.write_text(keep_section(old, _page(doc, inputs, chart.name)), encoding="utf-8")
    return (page, chart)
