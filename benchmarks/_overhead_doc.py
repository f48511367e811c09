"""The overhead benchmark's report: as text, and as docs/overhead.md."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["text_report", "write_doc"]

Doc = Mapping[str, Any]


def _tables(doc: Doc) -> list[str]:
    st = doc["startup"]
    sizes: Mapping[str, Mapping[str, Any]] = doc["sizes"]
    out = [
        "### Start-up (subprocess, median)",
        "",
        "| command | wall time |",
        "|---|---|",
        f"| `python -c pass` (the interpreter alone) | {st['python_s'] * 1000:.0f} ms |",
        f"| loading the genai-prices data (one `PriceTable().rates()`) | "
        f"{st['price_data_s'] * 1000:.0f} ms |",
        f"| `pr-router --help` | {st['help_s'] * 1000:.0f} ms |",
        f"| `pr-router plan --diff` (demo diff, 5 files) | {st['plan_demo_s'] * 1000:.0f} ms |",
        "",
        "### `plan` on the largest real diffs",
        "",
        "| diff | lines | in process (best) | CLI (median) | CLI peak RSS |",
        "|---|---|---|---|---|",
    ]
    for p in doc["plan_largest"]:
        out.append(f"| `{p['diff']}` | {p['lines']:,} | {p['plan_s'] * 1000:.0f} ms | "
                   f"{p['plan_cli_s'] * 1000:.0f} ms | {p['plan_cli_peak_rss_mb']:.0f} MB |")  # fmt: skip
    out += [
        "",
        f"### A run, by PR size (model calls: {doc['latency_s']:g} s each, first token after "
        f"{doc['ttft_s']:g} s; median of {doc['repeat']})",
        "",
        "| changed lines | files | run wall time | model time on the critical path | "
        "overhead (wall - model) | of which pr-router CPU | peak RSS run+collect (after "
        "imports) | tracemalloc peak of the run | `plan` CLI peak RSS |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in sizes.values():
        out.append(
            f"| {row['changed_lines']:,} | {row['files']} | {row['run_wall_s']:.2f} s | "
            f"{row['model_critical_path_s']:.2f} s | {row['overhead_s']:.2f} s | "
            f"{row['run_cpu_s']:.2f} s | "
            f"{row['peak_rss_mb']:.0f} MB ({row['rss_after_imports_mb']:.0f} MB) | "
            f"{row['tracemalloc_peak_mb']:.1f} MB | {row['plan_cli_peak_rss_mb']:.0f} MB |"
        )
    out += [
        "",
        "### Cost per PR, by size (default policy unless said)",
        "",
        "| changed lines | `plan` estimate | measured | measured, single-frontier | "
        "measured / single-frontier |",
        "|---|---|---|---|---|",
    ]
    for row in sizes.values():
        ratio = (
            row["measured_usd"] / row["single_frontier_usd"] if row["single_frontier_usd"] else 0
        )
        out.append(f"| {row['changed_lines']:,} | ${row['estimate_usd']:.4f} | "
                   f"${row['measured_usd']:.4f} | ${row['single_frontier_usd']:.4f} | "
                   f"{100 * ratio:.0f}% |")  # fmt: skip
    return out


def _reading(doc: Doc) -> list[str]:
    st = doc["startup"]
    sizes = list(doc["sizes"].values())
    small, large = sizes[0], sizes[-1]
    prices = st["price_data_s"] - st["python_s"]
    estimates = ", ".join(f"{100 * r['estimate_usd'] / r['measured_usd']:.0f}%" for r in sizes)
    return [
        "## Reading",
        "",
        f"- `--help` starts in {st['help_s'] * 1000:.0f} ms. `plan` takes "
        f"{st['plan_demo_s'] * 1000:.0f} ms on a 5-file diff, of which loading the price "
        f"data alone is about {prices * 1000:.0f} ms: the diff work is small next to it "
        f"(the largest real diffs plan in {doc['plan_largest'][0]['plan_s'] * 1000:.0f}-"
        f"{max(p['plan_s'] for p in doc['plan_largest']) * 1000:.0f} ms in process)."
        if doc["plan_largest"]
        else "",
        f"- A run adds {small['overhead_s']:.2f} s to the model time on a "
        f"{small['changed_lines']:,}-line PR and {large['overhead_s']:.2f} s on a "
        f"{large['changed_lines']:,}-line one; pr-router's own CPU time is "
        f"{small['run_cpu_s']:.2f} s and {large['run_cpu_s']:.2f} s. The rest is waiting on "
        f"the APIs beyond the modelled latency (the emulator's own work on prompts of up "
        f"to the 150k-token cap, and the GitHub calls).",
        f"- Building the provider clients costs {small['providers_build_s'] * 1000:.0f} ms "
        f"of every run: both SDK clients are constructed (the OpenAI one only serves as "
        f"the fallback in the default policy) and each loads the CA bundle.",
        f"- Memory stays flat until the diff is large: {small['peak_rss_mb']:.0f} MB peak "
        f"at {small['changed_lines']:,} lines, {large['peak_rss_mb']:.0f} MB at "
        f"{large['changed_lines']:,}, of which {small['rss_after_imports_mb']:.0f} MB is the "
        f"imports (the two SDKs, PyGithub, pydantic models, the price data).",
        f"- Cost grows far slower than size: the prompt is capped (`max_context_tokens`) and "
        f"the answers grow mildly, so the {large['changed_lines']:,}-line PR costs "
        f"{large['measured_usd'] / small['measured_usd']:.0f}x the "
        f"{small['changed_lines']:,}-line one for "
        f"{large['changed_lines'] / max(small['changed_lines'], 1):,.0f}x the lines. `plan`'s "
        f"estimate is {estimates} "
        f"of the measured cost: it uses the catalogue's expected output lengths, the "
        f"measurement the canned ones.",
        "",
    ]


def text_report(doc: Doc) -> str:
    """The figures as Markdown tables (readable as text too)."""
    return "\n".join(_tables(doc))


def write_doc(path: Path, doc: Doc, date: str) -> Path:
    """Write docs/overhead.md: the tables with how they were measured."""
    head = [
        "# Overhead: what pr-router adds to a run",
        "",
        f"Generated by `python benchmarks/overhead.py --write-docs` on {date}; do not edit by "
        "hand. The diffs of each size are synthetic (`benchmarks/_corpus.py`: Python code in "
        "up to 20 files); the largest diffs for `plan` come from the real corpus "
        f"({doc['corpus']}). Times are from one machine: compare them with each other, as "
        "ratios, not with another machine's.",
        "",
    ]
    method = [
        "",
        "## How it is measured",
        "",
        "- Start-up: each command as a subprocess, median of the repeats, output discarded.",
        "- `plan` in process: changes + router + JSON, the best of the repeats after one warm "
        "run (imports and price data loaded); the CLI figure includes the interpreter start.",
        "- A run: a fresh process forks the emulator off into another process (it serves "
        "GitHub and the providers from there, as remote APIs would), imports pr-router, the "
        "SDKs and the price data, does one warm-up run, then times `run_from_env` (what "
        "`pr-router run` calls) on the real clock, each time on a PR of its own; the median "
        "is shown. Every model call answers after the fixed latency; batches end before the "
        "critical jobs do, so the run never waits on them. The model time on the critical "
        "path is the security job's start (the review's first token, when it reads the "
        "review's cached prefix) plus one call's latency; the overhead is the wall time minus "
        "that: reading the PR and the policy, parsing, planning, building prompts, "
        "validating, publishing, and the batch round trips. Part of it is the emulator's own "
        "work on large requests (it runs in another process, like a remote API); the CPU "
        "time of the measuring process (all its threads, SDKs included) is pr-router's.",
        "- Memory, in the same process: peak RSS (`VmHWM`) right after the imports and at "
        "the end, and the `tracemalloc` peak of one more run + `collect` (Python objects the "
        "pipeline allocates once warm; imports excluded). The `plan` CLI figure is the peak "
        "RSS of a fresh process that runs the CLI's `main(['plan', '--diff', FILE])`.",
        "- Cost: the same canned answers of realistic length as `docs/cost-benchmark.md`, "
        "through `run` and `collect` on a fake clock; the estimate is `plan`'s, from its "
        "catalogue output lengths.",
        "- Against api.github.com, PyGithub paces requests (0.25 s between requests, 1 s "
        "between writes) to avoid secondary rate limits. The entry point turns pacing off for "
        "a GitHub API on the loopback interface, so these runs do not include it; on a real "
        "runner it adds up to a few seconds per run.",
    ]
    body = head + _tables(doc) + [""] + _reading(doc) + method[1:]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return path
