"""A local, wire-faithful emulator of the Anthropic, OpenAI and GitHub APIs pr-router uses.

    from pr_router.emulator import Emulator, FakeClock, Rule, Scenario

    with Emulator(scenario=Scenario([Rule(fault="429", times=2)]), clock=FakeClock()) as emu:
        client = anthropic.Anthropic(api_key="k", base_url=emu.base_url)
        openai_client = openai.OpenAI(api_key="k", base_url=emu.openai_base_url)

The server binds 127.0.0.1 only. ``mounts`` adds handlers (``emulator.http.Handler``) at
path prefixes, e.g. the GitHub emulation at ``/github``.
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
