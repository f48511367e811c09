"""A local, wire-faithful emulator of the Anthropic, OpenAI and GitHub APIs pr-router uses.

    from pr_router.emulator import Emulator, FakeClock, Rule, Scenario

    scenario = Scenario([
        Rule(fault="429", times=2),                       # two rate limits, then normal answers
        Rule(job="review", output={"verdict": "comment"}), # canned structured output by job name
        Rule(custom_id="pr-7-*", item="errored"),          # a batch item's outcome
        Rule(batch="expired"),                             # a whole batch's outcome
    ], latency_s=2.0)
    with Emulator(scenario=scenario, clock=FakeClock()) as emu:
        claude = anthropic.Anthropic(api_key="k", base_url=emu.base_url)
        gpt = openai.OpenAI(api_key="k", base_url=emu.openai_base_url)
        ...
        emu.clock.advance(3600)      # batches, TTLs and latencies run on the emulator clock
        emu.requests.where("POST", "/v1/messages")

The server binds 127.0.0.1 only (port 0: a free port). ``mounts`` adds handlers
(``emulator.http.Handler``) at path prefixes, e.g. the GitHub emulation at ``/github``; the
longest prefix wins and the provider routes answer everything else. Calls no rule decides
get a valid instance of their JSON schema. Prompt caching, batch lifecycles, streaming and
error bodies follow the providers' wire contracts (see ``Scenario`` and ``Rule``).
"""

from __future__ import annotations

from pr_router.emulator.clock import Clock, FakeClock, RealClock
from pr_router.emulator.scenario import Call, Rule, Scenario
from pr_router.emulator.server import Emulator, RecordedRequest, RequestLog

__all__ = [
    "Call",
    "Clock",
    "Emulator",
    "FakeClock",
    "RealClock",
    "RecordedRequest",
    "RequestLog",
    "Rule",
    "Scenario",
]
