"""Requests, schemas and emulator helpers shared by the provider and executor tests."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from pr_router.emulator import Emulator, FakeClock, Rule, Scenario
from pr_router.providers.anthropic import AnthropicProvider
from pr_router.providers.base import Effort, ModelRequest
from pr_router.providers.openai import OpenAIProvider

FINDINGS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "summary": {"type": "string"},
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"line": {"type": "integer"}, "message": {"type": "string"}},
                "required": ["line", "message"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["summary", "findings"],
    "additionalProperties": False,
}
# 8,000 characters: 2,000 tokens at the emulator's (and estimate_tokens') 4 chars a token.
CONTEXT = ("+ changed line of code in the pull request " * 200)[:8000]
SYSTEM = "You review pull requests."  # 25 chars: 7 tokens
# What the canned answer says, and its size: json.dumps gives 40 chars, 10 tokens.
ANSWER: dict[str, Any] = {"summary": "Looks fine.", "findings": []}

MakeEmulator = Callable[..., Emulator]


def request(
    job: str = "review",
    *,
    model: str = "claude-opus-5-5",
    custom_id: str | None = None,
    cache_key: str | None = None,
    cache_ttl: str = "5m",
    effort: Effort | None = "high",
    schema_name: str | None = None,
    instructions: str | None = None,
    context: str = CONTEXT,
    timeout_s: float = 30.0,
    max_output_tokens: int = 2000,
) -> ModelRequest:
    """A structured request laid out like the jobs layer lays them out."""
    return ModelRequest(
        job=job,
        custom_id=custom_id or job,
        model=model,
        system=SYSTEM,
        shared_context=context,
        instructions=instructions or f"Do the {job} job.",
        output_schema=FINDINGS,
        schema_name=schema_name or job,
        max_output_tokens=max_output_tokens,
        effort=effort,
        cache_key=cache_key,
        cache_ttl=cache_ttl,  # type: ignore[arg-type]
        timeout_s=timeout_s,
    )


def emulator(
    stack: contextlib.ExitStack, *rules: Rule, clock: Any = None, **options: Any
) -> Emulator:
    """An emulator on a free port, stopped when ``stack`` closes."""
    scenario = Scenario(list(rules), **options)
    return stack.enter_context(Emulator(scenario=scenario, clock=clock or FakeClock()))


def anthropic(
    stack: contextlib.ExitStack, emu: Emulator, *, max_retries: int = 2
) -> AnthropicProvider:
    """The real adapter on the emulator, strict response validation on."""
    provider = AnthropicProvider("sk-ant-test", base_url=emu.base_url, max_retries=max_retries,
                                 strict=True)  # fmt: skip
    stack.callback(provider.close)
    return provider


def openai(stack: contextlib.ExitStack, emu: Emulator, *, max_retries: int = 2) -> OpenAIProvider:
    """The real adapter on the emulator, strict response validation on."""
    provider = OpenAIProvider("sk-test", base_url=emu.openai_base_url, max_retries=max_retries,
                              strict=True)  # fmt: skip
    stack.callback(provider.close)
    return provider
