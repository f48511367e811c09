"""Jobs sharing a cached prefix: the writer first, readers once it has started answering."""

from __future__ import annotations

import contextlib
import threading
import time
from decimal import Decimal

from pr_router.emulator import FakeClock, RealClock, Rule
from pr_router.tokens import TokenUsage
from providers.factories import ANSWER, emulator

from .factories import call, executor, policy

# review and security share one schema ("findings") and the PR context on claude-opus-5-5:
#   schema 89 + system 7 + context 2,000 = 2,096 prefix tokens; job text 5 tokens each;
#   output 11 visible + 11 reasoning (effort high) = 22.
PREFIX = 2096


def critical_pair() -> list:  # type: ignore[type-arg]
    return [
        call("review", schema_name="findings", cache_key="diff:opus", cache_role="write"),
        call("security", schema_name="findings", cache_key="diff:opus", cache_role="read"),
    ]


def test_reader_hits_the_cache_the_writer_filled(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(output=ANSWER, latency_s=1.0, ttft_s=0.1))
    ex = executor(stack, emu)

    outcome = ex.run(critical_pair())

    review, security = outcome.job("review"), outcome.job("security")
    assert (review.status, security.status) == ("ok", "ok")
    assert review.records[0].usage.tokens() == TokenUsage(
        input=5, cache_write_5m=PREFIX, output=22, reasoning=11
    )
    assert security.records[0].usage.tokens() == TokenUsage(
        input=5, cache_read=PREFIX, output=22, reasoning=11
    )
    # Exact cost, claude-opus-5-5 sync: input 4, 5m write 5, read 0.2, output 20 $/MTok.
    #   review:   5*4 + 2096*5   + 22*20 = 20 + 10480 + 440 = 10940   -> $0.010940
    #   security: 5*4 + 2096*0.2 + 22*20 = 20 + 419.2 + 440 = 879.2   -> $0.0008792
    assert review.records[0].cost_usd == Decimal("0.01094")
    assert security.records[0].cost_usd == Decimal("0.0008792")
    # Counterfactual: the same 2,101 prompt tokens uncached at $4 + 22 * $20.
    #   2101*4 + 440 = 8844 -> $0.008844 each
    assert review.records[0].all_frontier_usd == Decimal("0.008844")
    assert security.records[0].all_frontier_usd == Decimal("0.008844")


def test_writer_streams_and_reader_does_not(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(output=ANSWER, latency_s=1.0, ttft_s=0.1))
    ex = executor(stack, emu)

    ex.run(critical_pair())

    calls = emu.requests.where("POST", "/v1/messages")
    streamed = {c.json["messages"][0]["content"][1]["text"]: c.json.get("stream", False)
                for c in calls}  # fmt: skip
    assert streamed == {"Do the review job.": True, "Do the security job.": False}


def test_without_cache_roles_both_start_at_once_and_both_write(
    stack: contextlib.ExitStack,
) -> None:
    # The control: same prompts, no scheduling. Real time, so the two requests overlap.
    emu = emulator(stack, Rule(output=ANSWER, latency_s=0.3, ttft_s=0.2), clock=RealClock())
    ex = executor(stack, emu)
    jobs = [
        call("review", schema_name="findings", cache_key="diff:opus"),
        call("security", schema_name="findings", cache_key="diff:opus"),
    ]

    outcome = ex.run(jobs)

    writes = [o.records[0].usage.cache_write_5m for o in outcome.jobs]
    reads = [o.records[0].usage.cache_read for o in outcome.jobs]
    assert writes == [PREFIX, PREFIX]
    assert reads == [0, 0]


def test_reader_starts_at_the_writers_first_token_not_its_end(
    stack: contextlib.ExitStack,
) -> None:
    emu = emulator(stack, Rule(output=ANSWER, latency_s=0.5, ttft_s=0.05), clock=RealClock())
    ex = executor(stack, emu)

    started = time.monotonic()
    outcome = ex.run(critical_pair())
    wall = time.monotonic() - started

    arrivals = sorted(r.time for r in emu.requests.where("POST", "/v1/messages"))
    assert arrivals[1] - arrivals[0] < 0.3  # well before the writer's 0.5 s answer
    assert wall < 0.5 * 1.6
    assert outcome.job("security").records[0].usage.cache_read == PREFIX


def test_a_failing_writer_releases_its_readers(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, Rule(job="findings", fault="no-retry", times=1), Rule(output=ANSWER))
    ex = executor(stack, emu, keys=("anthropic",))

    outcome = ex.run(critical_pair())

    assert outcome.job("review").status == "failed"
    assert outcome.job("security").status == "ok"


def test_openai_reader_hits_the_prefix_the_writer_filled(stack: contextlib.ExitStack) -> None:
    tiers = dict(policy().fallback)  # OpenAI on every tier
    emu = emulator(stack, Rule(output=ANSWER, latency_s=1.0, ttft_s=0.1))
    ex = executor(stack, emu, policy(tiers=tiers, fallback=False))
    key = "diff:openai:gpt-6.1-sol"

    outcome = ex.run(
        [
            call("review", schema_name="findings", cache_key=key, cache_role="write", tiers=tiers),
            call("security", schema_name="findings", cache_key=key, cache_role="read", tiers=tiers),
        ]
    )

    # 2,048 of the 2,103 prompt tokens are cacheable (128-token steps); gpt-6.1 bills writes.
    review, security = (outcome.job(j).records[0] for j in ("review", "security"))
    assert (review.usage.cache_write_5m, review.usage.cache_read) == (2048, 0)
    assert (security.usage.cache_write_5m, security.usage.cache_read) == (0, 2048)
    # gpt-6.1-sol: input 2, write 2.5, read 0.1, output 10 $/MTok
    #   security: 56*2 + 2048*0.1 + 22*10 = 112 + 204.8 + 220 = 536.8 -> $0.0005368
    assert security.cost_usd == Decimal("0.0005368")


def _arrivals_while_the_clock_stands(stack: contextlib.ExitStack, jobs: list) -> int:  # type: ignore[type-arg]
    """Requests the emulator got before its (manual) clock reached the writer's first token."""
    clock = FakeClock(auto_advance=False)
    emu = emulator(stack, Rule(output=ANSWER, latency_s=1.0, ttft_s=0.1), clock=clock)
    ex = executor(stack, emu)
    worker = threading.Thread(target=ex.run, args=(jobs,))
    worker.start()
    deadline = time.monotonic() + 2.0
    while len(emu.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    seen = len(emu.requests)
    for _ in range(100):  # let both jobs finish: move the clock until the run returns
        clock.advance(1.0)
        worker.join(0.05)
        if not worker.is_alive():
            break
    assert not worker.is_alive()
    return seen


def test_readers_wait_for_the_writers_first_token(stack: contextlib.ExitStack) -> None:
    assert _arrivals_while_the_clock_stands(stack, critical_pair()) == 1


def test_a_reader_whose_prefix_differs_is_not_held_back(stack: contextlib.ExitStack) -> None:
    # Same cache_key, but each job sends its own schema: the providers place the schema
    # before the prompt, so security could never read review's prefix. No waiting.
    jobs = [
        call("review", cache_key="diff:opus", cache_role="write"),
        call("security", cache_key="diff:opus", cache_role="read"),
    ]

    assert _arrivals_while_the_clock_stands(stack, jobs) == 2
