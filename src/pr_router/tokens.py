"""Token counts by kind, as the providers bill them. Tokens are ``int``, never money."""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["TokenUsage", "estimate_tokens", "tokens_for_length"]


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """Billed tokens of one or more calls, split by how each kind is priced.

    ``input`` is uncached input only (Anthropic's ``input_tokens``; for OpenAI,
    ``prompt_tokens - cached_tokens - cache_write_tokens``). ``output`` includes
    ``reasoning`` (reasoning is a breakdown, billed at the output rate).
    """

    input: int = 0
    cache_write_5m: int = 0
    cache_write_1h: int = 0
    cache_read: int = 0
    output: int = 0
    reasoning: int = 0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"token count {f.name} must be a non-negative int, got {value!r}")

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def cache_write(self) -> int:
        """All cache writes, any TTL."""
        return self.cache_write_5m + self.cache_write_1h

    @property
    def prompt(self) -> int:
        """Every input token of the request: uncached + cache writes + cache reads."""
        return self.input + self.cache_write + self.cache_read

    def as_uncached(self) -> TokenUsage:
        """The same request without prompt caching: every prompt token billed as input."""
        return TokenUsage(input=self.prompt, output=self.output, reasoning=self.reasoning)

    def to_dict(self) -> dict[str, int]:
        """Plain dict for JSON (ledger, plan output)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def estimate_tokens(text: str) -> int:
    """A fast, provider-neutral token estimate: about four characters per token.

    Used for plan estimates and budgets only; costs always come from the provider's usage.
    """
    return tokens_for_length(len(text))


def tokens_for_length(length: int) -> int:
    """``estimate_tokens`` of a text of ``length`` characters, without the text."""
    return 0 if length <= 0 else max(1, (length + 3) // 4)
