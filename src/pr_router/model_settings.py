"""Model behaviour as data: what differs between models, looked up by id prefix."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ModelSettings", "settings_for"]


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """Per-model facts the router and the adapters need."""

    min_cache_tokens: int = 1024  # shortest prefix the provider caches
    supports_effort: bool = True
    cache_write_billed: bool = True  # OpenAI before GPT-5.6 does not bill (or report) writes


# Longest matching prefix wins. Sources: provider docs as summarised in the project research.
_TABLE: tuple[tuple[str, ModelSettings], ...] = (
    ("claude-opus-4-5", ModelSettings(min_cache_tokens=4096)),
    ("claude-opus-4-6", ModelSettings(min_cache_tokens=4096)),
    ("claude-haiku-4-5", ModelSettings(min_cache_tokens=4096)),
    ("claude-opus-4-7", ModelSettings(min_cache_tokens=2048)),
    ("claude-opus-4-8", ModelSettings(min_cache_tokens=1024)),
    ("claude-sonnet-4", ModelSettings(min_cache_tokens=1024)),
    ("claude-sonnet-5", ModelSettings(min_cache_tokens=1024)),
    ("claude-opus-5", ModelSettings(min_cache_tokens=512)),
    ("claude-opus-5-5", ModelSettings(min_cache_tokens=512)),
    ("claude-sonnet-5-5", ModelSettings(min_cache_tokens=512)),
    ("claude-haiku-5-5", ModelSettings(min_cache_tokens=512)),
    ("claude-", ModelSettings(min_cache_tokens=1024)),
    ("gpt-4", ModelSettings(supports_effort=False, cache_write_billed=False)),
    ("gpt-5", ModelSettings(cache_write_billed=False)),
    ("gpt-5.6", ModelSettings()),
    ("gpt-6", ModelSettings()),
    ("o", ModelSettings(cache_write_billed=False)),
)


def settings_for(model: str) -> ModelSettings:
    """Settings of the longest matching prefix, or defaults."""
    best: tuple[int, ModelSettings] = (-1, ModelSettings())
    for prefix, settings in _TABLE:
        if model.startswith(prefix) and len(prefix) > best[0]:
            best = (len(prefix), settings)
    return best[1]
