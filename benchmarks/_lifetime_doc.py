"""The lifetime section of docs/cost-benchmark.md, written from ``lifetime.py``'s figures.

The section sits between two markers so that ``cost.py --write-docs`` (which writes the rest
of the page) keeps it, and ``lifetime.py --write-docs`` replaces only it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # _cost_doc imports this module: keep it light
    from _histories import History
    from _lifetime_stats import RunnerModel

__all__ = ["END", "START", "keep_section", "section", "write_section"]

START = "<!-- lifetime-benchmark:start -->"
END = "<!-- lifetime-benchmark:end -->"
Doc = Mapping[str, Mapping[str, Any]]


def keep_section(old_page: str, new_page: str) -> str:
    """``new_page`` with the lifetime section of ``old_page`` appended (if it had one)."""
    if START not in old_page or END not in old_page or START in new_page:
        return new_page
    kept = old_page[old_page.index(START) : old_page.index(END) + len(END)]
    return new_page.rstrip("\n") + "\n\n" + kept + "\n"


def _x(value: float) -> str:
    return f"{value:.2f}x"


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "0%"


def _targets(doc: Doc) -> list[str]:
    d = doc["default"]
    rows = ["| target | measured | met |", "|---|---|---|"]
    checks = [
        ("`tco_private_usd` <= 0.40 x peer-rerun", d.get("tco_private_x_peer_rerun", 0.0), 0.40),
        ("`tco_public_usd` <= 0.40 x peer-rerun", d.get("tco_public_x_peer_rerun", 0.0), 0.40),
        ("`tco_private_usd` <= 1.15 x floor", d.get("tco_private_x_floor", 0.0), 1.15),
        ("`tco_public_usd` <= 1.15 x floor", d.get("tco_public_x_floor", 0.0), 1.15),
    ]
    for name, value, limit in checks:
        ok = value <= limit
        over = "" if ok else f" (over by {value - limit:.3f}x)"
        rows.append(f"| default {name} | {value:.3f}x{over} | {'yes' if ok else 'no'} |")
    share = d["critical_frontier_share"]
    rows.append(
        f"| `critical_frontier_share` 1.0 | {share:.2f} | {'yes' if share >= 1 else 'no'} |"
    )
    reposted = d["reposted_findings"]
    rows.append(f"| `reposted_findings` 0 | {reposted} | {'yes' if reposted == 0 else 'no'} |")
    f = doc.get("floor", {})
    if f.get("tokens_usd_attainable") and f.get("tokens_usd"):
        public = f["tokens_usd_attainable"] / f["tokens_usd"]
        private = f["tco_private_usd_attainable"] / f["tco_private_usd"]
        rows += [
            "",
            f"The attainable bound (below) is itself {public:.3f}x the floor on tokens and "
            f"{private:.3f}x on private TCO; default is {d['tco_public_x_attainable']:.3f}x "
            f"and {d['tco_private_x_attainable']:.3f}x of the bound.",
        ]
    return rows


def _table(doc: Doc) -> list[str]:
    rows = [
        "| setup | tokens | runner min | TCO private | TCO public | median PR | p90 PR | runs | "
        "critical on frontier | reposted |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, f in doc.items():
        rows.append(
            f"| {name} | ${f['tokens_usd']:.2f} | {f['runner_minutes']} | "
            f"${f['tco_private_usd']:.2f} | ${f['tco_public_usd']:.2f} | "
            f"${f['median_pr_usd']:.4f} | ${f['p90_pr_usd']:.4f} | {f['runs']} | "
            f"{f['critical_frontier_share']:.2f} | {f['reposted_findings']} |"
        )
    return rows


def _corpus(chosen: Sequence[History]) -> str:
    repos = Counter(h.repo for h in chosen)
    kinds = Counter(k for h in chosen for k in h.kinds)
    pushes = sum(len(h.pushes) for h in chosen)
    listed = ", ".join(f"{r} ({n})" for r, n in sorted(repos.items()))
    return (
        f"{len(chosen)} merged PRs with {pushes} pushes from {listed}; "
        f"{kinds['base-merge']} merge the base branch in mid-way, {kinds['rebased']} were "
        "rebased. Each commit of a PR counts as one push: an upper bound on the pushes the "
        "author made (several commits often go up together). A rebased PR's pushes before "
        "the rebase are replayed onto the mainline tip of their time; its last push is the "
        "real head on the newer base (the force-push). Method and licences: "
        "`benchmarks/lifetime_corpus/README.md`, `scripts/build_lifetime_corpus.py`."
    )


def _runner_driver(p: Mapping[str, Any], d: Mapping[str, Any], f: Mapping[str, Any],
                   runner: RunnerModel, nothing: int) -> str:  # fmt: skip
    """Why default's private-repository total is where it is against peer-rerun's."""
    from _latency import INSTALL_S, JOB_SETUP_S, PR_ROUTER_OVERHEAD_S

    fixed = JOB_SETUP_S + INSTALL_S + PR_ROUTER_OVERHEAD_S
    per = {name: fig["runner_minutes"] / max(fig["runs"], 1)
           for name, fig in (("default", d), ("peer-rerun", p), ("the floor", f))}  # fmt: skip
    floor_x = f["tco_private_x_peer_rerun"]
    text = (
        f"- **peer-rerun vs default, runner minutes** ({p['runner_minutes']} vs "
        f"{d['runner_minutes']}; TCO private {_x(d['tco_private_x_peer_rerun'])}): every run "
        f"is one billed job: set-up, install and pr-router's overhead ({fixed:.0f} s) before "
        "any model call, then its synchronous calls at the models' measured speeds (the "
        "slowest, a frontier review, sets the end), rounded up to whole minutes at "
        f"${runner.usd_per_minute}/min on a private repository. Minutes per run: "
        + ", ".join(f"{v:.2f} under {k}" for k, v in per.items())
        + f". Runner time is {_share(p['runner_usd_private'], p['tco_private_usd'])} of "
        "peer-rerun's private TCO and shrinks far less than the tokens (a run bills whole "
        "minutes however little it reviews), so it pulls default's private ratio towards 1: "
        f"even the floor stands at {_x(floor_x)} peer-rerun's private TCO"
    )
    if floor_x > 0.40:
        text += (
            ", so the 0.40x private target is out of reach of routing, batching and "
            "caching; only fewer or shorter runs would reach it (" + f"{nothing} of "
            "default's runs found nothing new and still billed their minimum)"
        )
    return (
        text
        + f". {d['runner_minutes_waiting_for_batches']} of default's minutes are batch waiting."
    )


def _bound_driver(p: Mapping[str, Any], d: Mapping[str, Any], f: Mapping[str, Any]) -> str:
    """What the floor asks that no run can do, in dollars: the attainable bound."""
    if not f.get("tokens_usd_attainable"):
        return "- **attainable bound**: not computed (no floor)."
    best, floor = f["tokens_usd_attainable"], f["tokens_usd"]
    reach = "above" if best > 1.15 * floor else "within"
    return (
        f"- **the attainable bound** (`tokens_usd_attainable`, ${best:.2f}): default's runs "
        "with each run's shared prefix written once (one critical job writes it, the other "
        "reads it; a lone critical job sends it uncached) and every run after a PR's first "
        "reading the prefix that stays the same from push to push (output schema, system "
        "text) from an earlier run's cache. Only what is new in a run is paid in full: no "
        "setup that shows the models the same prompts and gets the same answers pays less, "
        "whatever its packing or cache TTL. The bound is "
        f"{best / floor:.3f}x the floor, {reach} 1.15x: the floor charges the first sight of "
        "each push's new text as a cache read, which no request can do. Default is "
        f"{d['tco_public_x_attainable']:.3f}x the bound; the rest is the invariant prefix "
        "written again when a push comes after the cache entry expired (providers keep one "
        "an hour at most) or before the PR's intervals justified the 1-hour TTL. On a "
        f"private repository the bound is {f['tco_private_usd_attainable'] / f['tco_private_usd']:.3f}x"
        " the floor and "
        f"{f['tco_private_usd_attainable'] / p['tco_private_usd']:.3f}x peer-rerun's TCO. "
        "Targets beyond the bound need the models shown less text or answering less."
    )


def _drivers(doc: Doc, runner: RunnerModel) -> list[str]:
    p, d, f = doc["peer-rerun"], doc["default"], doc["floor"]
    scopes: Mapping[str, int] = d["runs_by_scope"]
    reviewed_whole = scopes.get("whole PR", 0)
    incremental = scopes.get("changes since the last reviewed head", 0)
    nothing = scopes.get("nothing new", 0)
    return [
        f"- **peer-rerun vs default, tokens** ({_x(d['tco_public_x_peer_rerun'])}): "
        f"peer-rerun sends the whole PR to the frontier model for every job on every one "
        f"of its {p['runs']} runs. Default reviews the whole PR {reviewed_whole} times (the "
        f"first push), what the author changed {incremental} times (only what is new since "
        "the last reviewed head counts as changed: lines an earlier push added are shown as "
        "context, and the answer is sized on the changed lines), and nothing at all "
        f"{nothing} times (pushes that only merged the base, rebased or reverted); the "
        "description is not rewritten unless the PR grew by half, the auxiliary jobs go to "
        "the efficient model (and the Batch API where its saving beats the runner time it "
        "costs), and the two critical jobs share a cached prefix. What is left is mostly the "
        "critical jobs' answers on the frontier model on every push that changes code: the "
        "quality floor, which no setup here goes below.",
        _runner_driver(p, d, f, runner, nothing),
        "- **where default's money goes**: by push, "
        + ", ".join(f"push {k} ${v:.2f}" for k, v in d.get("tokens_usd_by_push", {}).items())
        + "; by job, "
        + ", ".join(f"{k} ${v:.2f}" for k, v in d.get("tokens_usd_by_job", {}).items())
        + ". Output is most of it: the critical jobs' answers on the frontier model, on "
        "every push that changes code (the quality floor: `must_stay_frontier`). Caching "
        f"across runs: {d.get('prefix_cache_hits_across_runs', 0)} runs read the prefix that "
        f"stays the same ({d.get('prefix_tokens_read_across_runs', 0):,} tokens) from an "
        "earlier run of the PR. Each read saves most of the prefix's price; a write no run "
        "reads (a PR's last push, a push that comes after the entry expired) costs 0.25x to "
        "1x of it more, which is why the TTL is chosen from the PR's own intervals "
        "(docs/costs.md, caching across runs).",
        f"- **default vs floor** (tokens {_x(d['tco_public_x_floor'])}, TCO private "
        f"{_x(d['tco_private_x_floor'])}): the floor re-prices default's runs as if every "
        "prompt byte but the job's own instructions were a cache read, every auxiliary job a "
        "batch, and each run's runner time that of its critical calls alone "
        f"({f['runner_minutes']} minutes). The token gap is the first cache write of each "
        "run's shared prefix and the uncached prefixes of batch requests (as in the "
        "single-run benchmark above). Both pay the same answers, so a saving on the answers "
        "(a later push shown with fewer changed lines) lowers both by the same dollars and "
        "raises this ratio; only a smaller prompt prefix, or one read from an earlier run, "
        "narrows it. "
        + (
            "Default's runner minutes are the floor's: its auxiliary calls run beside the "
            "critical ones and end first, and no run waits for a batch."
            if d["runner_minutes"] <= f["runner_minutes"]
            else "The runner gap is the auxiliary calls that run synchronously, any batch waiting, "
            "and collecting results in a later run."
        ),
        _bound_driver(p, d, f),
        f"- **reposted findings** ({p['reposted_findings']} vs {d['reposted_findings']}): "
        "peer-rerun's tools keep no record of what they posted, so every finding a later "
        "push finds again (same job, file, line and title) is posted again: "
        f"{p['reposted_findings']} times over the corpus. Default found "
        f"{d['repeated_findings_not_reposted']} findings again and recognised each by its "
        "fingerprint in the PR's state, so it posted none of them twice.",
    ]


def section(doc: Doc, chosen: Sequence[History], runner: RunnerModel, note: str = "") -> str:
    """The lifetime section, markers included (``note``: how the figures were cut)."""
    lines = [
        START,
        "## A PR's whole life: `benchmarks/lifetime.py`",
        "",
        "<!-- Generated by `python benchmarks/lifetime.py --write-docs`; edit that instead. -->",
        "",
        "Every push of every PR history in `benchmarks/lifetime_corpus/` goes through "
        "`pr-router run` against the emulator (the first as `opened`, the rest as "
        "`synchronize`), with the scheduled `collect` an hour after a push when the next one "
        "is more than an hour away, and once more after the last push. The PRs are on a "
        "private repository, as in the single-run benchmark: runner minutes are billed, so "
        "the router weighs them when it chooses batch or sync, `tco_private_usd` adds them at "
        "the private rate, and `tco_public_usd` is the same runs' token cost.",
        "",
        _corpus(chosen) + (f" {note}" if note else ""),
        "",
        *_table(doc),
        "",
        "### Against the lifetime targets",
        "",
        *_targets(doc),
        "",
        "### What drives each gap",
        "",
        *_drivers(doc, runner),
        "",
        "Runner time is the cost benchmark's latency model (`benchmarks/_latency.py`, billed "
        "by `pr_router.runner`); a batch result the scheduled collect picks up counts as "
        "the few seconds it adds to the next pr-router run in the repository. The time "
        "between pushes is the real time between the commits (one minute to three days). "
        "Answers are canned at lengths sized on what each prompt shows (the single-run "
        "length law continued below 10 changed lines).",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_section(page: Path, doc: Doc, chosen: Sequence[History], runner: RunnerModel,
                  note: str = "") -> Path:  # fmt: skip
    """Replace (or append) the lifetime section of ``page``."""
    text = page.read_text(encoding="utf-8") if page.exists() else ""
    new = section(doc, chosen, runner, note)
    if START in text and END in text:
        text = text[: text.index(START)] + new.rstrip("\n") + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + new
    page.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return page
