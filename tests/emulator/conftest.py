"""Fixtures for the emulator tests: an emulator on a free port and real SDK clients."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import anthropic
import openai
import pytest

from pr_router.emulator import Emulator, FakeClock, Scenario

MakeEmulator = Callable[..., Emulator]


@pytest.fixture
def stack() -> Iterator[contextlib.ExitStack]:
    with contextlib.ExitStack() as s:
        yield s


@pytest.fixture
def make_emulator(stack: contextlib.ExitStack) -> MakeEmulator:
    """Start an emulator (stopped at teardown); defaults: empty scenario, FakeClock."""

    def make(*rules: Any, clock: Any = None, **scenario_options: Any) -> Emulator:
        scenario = Scenario(list(rules), **scenario_options)
        return stack.enter_context(Emulator(scenario=scenario, clock=clock or FakeClock()))

    return make


@pytest.fixture
def emu(make_emulator: MakeEmulator) -> Emulator:
    return make_emulator()


@pytest.fixture
def make_anthropic(stack: contextlib.ExitStack) -> Callable[..., anthropic.Anthropic]:
    def make(emu: Emulator, **kwargs: Any) -> anthropic.Anthropic:
        kwargs.setdefault("max_retries", 0)
        client = anthropic.Anthropic(
            api_key="k", base_url=emu.base_url, _strict_response_validation=True, **kwargs
        )
        return stack.enter_context(client)

    return make


@pytest.fixture
def make_openai(stack: contextlib.ExitStack) -> Callable[..., openai.OpenAI]:
    def make(emu: Emulator, **kwargs: Any) -> openai.OpenAI:
        kwargs.setdefault("max_retries", 0)
        client = openai.OpenAI(
            api_key="k", base_url=emu.openai_base_url, _strict_response_validation=True, **kwargs
        )
        return stack.enter_context(client)

    return make


@pytest.fixture
def claude(
    emu: Emulator, make_anthropic: Callable[..., anthropic.Anthropic]
) -> anthropic.Anthropic:
    return make_anthropic(emu)


@pytest.fixture
def gpt(emu: Emulator, make_openai: Callable[..., openai.OpenAI]) -> openai.OpenAI:
    return make_openai(emu)
