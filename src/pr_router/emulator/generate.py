"""What the emulated model "says": canned or schema-generated text, and its token counts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pr_router.emulator.scenario import Call, Rule
from pr_router.emulator.schema_fill import fill_schema
from pr_router.tokens import estimate_tokens

__all__ = ["Completion", "complete", "prompt_text"]

# Reasoning tokens as a share of the visible output, by effort. Deterministic, and counted
# inside the output total as both providers bill them.
REASONING_SHARE = {
    "none": 0.0,
    "minimal": 0.1,
    "low": 0.25,
    "medium": 0.5,
    "high": 1.0,
    "xhigh": 1.5,
    "max": 2.0,
}


@dataclass(frozen=True, slots=True)
class Completion:
    """The produced text and how it is billed."""

    text: str
    output_tokens: int  # visible + reasoning
    reasoning_tokens: int
    truncated: bool  # hit max_tokens: the text is cut short


def _text_for(call: Call, rule: Rule | None) -> str:
    if rule is not None and rule.output is not None:
        out = rule.output(call) if callable(rule.output) else rule.output
        return out if isinstance(out, str) else json.dumps(out)
    if call.schema is not None:
        return json.dumps(fill_schema(call.schema))
    return f"Emulated answer from {call.model or 'the model'}."


def complete(
    call: Call, rule: Rule | None, *, effort: str | None, max_tokens: int | None
) -> Completion:
    """Produce the answer for ``call`` and count its tokens, cut at ``max_tokens``."""
    text = _text_for(call, rule)
    visible = estimate_tokens(text)
    reasoning = int(visible * REASONING_SHARE.get(effort, 0.5)) if effort else 0
    if max_tokens is None or visible + reasoning <= max_tokens:
        return Completion(text, visible + reasoning, reasoning, truncated=False)
    reasoning = min(reasoning, max_tokens)
    room = max_tokens - reasoning
    return Completion(text[: room * 4], max_tokens, reasoning, truncated=True)


def prompt_text(parts: Any) -> str:
    """Flatten message contents (strings, text blocks, other blocks) into one string."""
    if parts is None:
        return ""
    if isinstance(parts, str):
        return parts
    if isinstance(parts, Mapping):
        for key in ("text", "content", "input_text"):
            if isinstance(parts.get(key), (str, list)):
                return prompt_text(parts[key])
        return json.dumps(parts, sort_keys=True)
    if isinstance(parts, list):
        return "\n".join(prompt_text(p) for p in parts)
    return str(parts)
