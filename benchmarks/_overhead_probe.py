"""Time and memory of ``pr-router run`` (+ ``collect``), or memory of ``pr-router plan``.

    python benchmarks/_overhead_probe.py run CHANGED_LINES LATENCY TTFT REPEAT
    python benchmarks/_overhead_probe.py plan DIFF_FILE

Prints one JSON object. For ``run``, the emulator (GitHub and the providers: canned
answers of realistic length, every call answering after LATENCY seconds with its first
token after TTFT, batches ending before that) is forked off first, before pr-router is
imported: it serves from another process, as remote APIs would, and the figures of this
process are pr-router's own.

1. peak RSS right after importing pr-router, the SDKs and the price data;
2. one warm-up run (PR #1), then REPEAT timed runs (PRs #2, #3, ...: each its own PR, so
   no run finds an earlier one's review); the median wall time, and the median CPU time
   of this process (every thread: pr-router's own work, the SDKs included);
3. one more run + ``collect`` (the last PR) under ``tracemalloc``: the peak of the Python
   objects the pipeline allocated; then the peak RSS of the whole process.

Peak RSS is ``VmHWM`` from ``/proc/self/status`` where it exists: ``ru_maxrss`` on Linux
also counts the memory of the process this one was forked from before ``exec``.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import resource
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from _corpus import synthetic_diff


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MiB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 1024), 1)  # bytes on macOS


def synthetic_case_diff(lines: int) -> bytes:
    """About ``lines`` changed lines of code, in up to 20 files of 50 lines or more."""
    return synthetic_diff(lines, files=max(1, min(20, lines // 50)))


def _host(lines: int, latency: float, ttft: float, prs: int, conn: Connection) -> None:
    """Child process: serve the emulator, with PRs #1..``prs`` seeded, until told to stop."""
    from _canned import CallLog, Lengths, scenario_for
    from _emulated import Case, pr_event, seed_github
    from _setups import setups
    from pr_router.emulator import Emulator, RealClock
    from pr_router.emulator.github import GitHubEmulator

    default = next(s for s in setups() if s.name == "default")
    diff = synthetic_case_diff(lines)
    base = "b" * 40  # one base branch for every PR: the same CHANGELOG.md and policy
    cases = [Case(f"synthetic-{n}", n, diff, f"Synthetic change of {lines} lines",
                  base_sha=base) for n in range(1, prs + 1)]  # fmt: skip
    events = [pr_event(c) for c in cases]
    state = seed_github(default, cases[0], events[0])
    for case, event in zip(cases[1:], events[1:], strict=True):
        state.seed_pull(event, diff, commits=[(case.shas()[0], case.title)])
    scenario = scenario_for(Lengths().for_pr(lines, True), CallLog(), latency_s=latency,
                            ttft_s=ttft, batch_duration_s=min(latency, ttft) / 2)  # fmt: skip
    with Emulator(scenario=scenario, clock=RealClock(), mounts={"/github": GitHubEmulator(state)}) as emu:  # fmt: skip
        conn.send((emu.base_url, events))
        conn.recv()  # until the parent is done


def _env(base_url: str, folder: Path, event: dict[str, Any]) -> dict[str, str]:
    path = folder / f"event-{event['number']}.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    return {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(path),
            "GITHUB_REPOSITORY": "bench/corpus", "GITHUB_TOKEN": "t",
            "GITHUB_API_URL": f"{base_url}/github", "GITHUB_RUN_ID": str(event["number"]),
            "ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": base_url,
            "OPENAI_API_KEY": "k", "OPENAI_BASE_URL": base_url + "/v1",
            "PR_ROUTER_LEDGER": str(folder / "ledger.jsonl")}  # fmt: skip


def _measure(base_url: str, events: list[dict[str, Any]], repeat: int) -> dict[str, Any]:
    import io
    import tracemalloc

    # The SDKs and the price data are loaded lazily by the run; load them now so that the
    # tracemalloc figure is the run's work, not module code (the price data module also
    # takes tens of seconds to import under tracemalloc).
    import anthropic  # noqa: F401
    import github  # noqa: F401
    import openai  # noqa: F401

    from pr_router.emulator import RealClock
    from pr_router.pipeline.entry import collect_from_env, run_from_env
    from pr_router.pipeline.settings import Settings
    from pr_router.pricing import PriceTable
    from pr_router.providers.registry import build_providers

    PriceTable().rates("anthropic", "claude-opus-5-5")
    after_imports = peak_rss_mb()
    keys = {"ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k", "ANTHROPIC_BASE_URL": base_url}
    build = []
    for _ in range(3):  # what every run spends constructing its provider clients
        start = time.perf_counter()
        build_providers(keys)
        build.append(time.perf_counter() - start)
    walls: list[float] = []
    cpus: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, event in enumerate(events[:-1]):
            env = _env(base_url, Path(tmp), event)
            start, cpu = time.perf_counter(), time.process_time()
            outcome = run_from_env(env, clock=RealClock(), out=io.StringIO())
            if i:  # the first run is the warm-up
                walls.append(time.perf_counter() - start)
                cpus.append(time.process_time() - cpu)
        env = _env(base_url, Path(tmp), events[-1])
        settings = Settings.from_env(env)
        tracemalloc.start()
        run_from_env(env, settings=settings, clock=RealClock(), out=io.StringIO())
        collect_from_env(env, settings=settings, clock=RealClock(), out=io.StringIO(),
                         numbers=(events[-1]["number"],))  # fmt: skip
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    sync = [j for j in outcome.summaries[0].plan.running if j.mode == "sync"]
    return {
        "run_wall_s": round(statistics.median(walls), 3),
        "run_cpu_s": round(statistics.median(cpus), 3),
        "providers_build_s": round(min(build), 3),
        "reads_cached_prefix": any(j.cache_role == "read" for j in sync),
        "sync_jobs": len(sync),
        "rss_after_imports_mb": after_imports,
        "peak_rss_mb": peak_rss_mb(),
        "tracemalloc_peak_mb": round(peak / 2**20, 1),
    }


def _plan(diff: str) -> dict[str, float]:
    import contextlib
    import io

    from pr_router.cli import main as cli

    with contextlib.redirect_stdout(io.StringIO()):
        code = cli(["plan", "--diff", diff])
    if code != 0:
        raise SystemExit(f"pr-router plan exited with {code}")
    return {"peak_rss_mb": peak_rss_mb()}


def main() -> int:
    """``run``: fork the emulator host, measure the runs here; ``plan``: the CLI's memory."""
    if sys.argv[1] == "plan":
        print(json.dumps(_plan(sys.argv[2])))
        return 0
    lines, latency, ttft, repeat = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])  # fmt: skip
    fork = mp.get_context("fork")
    parent, child = fork.Pipe()
    host = fork.Process(target=_host, args=(lines, latency, ttft, repeat + 2, child), daemon=True)
    host.start()
    base_url, events = parent.recv()
    try:
        figures = _measure(base_url, events, repeat)
    finally:
        parent.send("stop")
        host.join(timeout=10)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
