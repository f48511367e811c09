"""Prompt-cache simulation: exact-prefix entries with a TTL and a ready time on the clock.

An entry written by a request becomes readable only once that request has begun answering
(its time to first token has passed). A request with the same prefix that arrives earlier
misses and writes again, as it would against the real APIs.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AnthropicCacheUsage",
    "OpenAICacheUsage",
    "PromptCache",
    "Segment",
    "anthropic_min_cacheable",
]

OPENAI_MIN_TOKENS = 1024
OPENAI_INCREMENT = 128  # tokens per cache step
OPENAI_CHARS_PER_STEP = OPENAI_INCREMENT * 4  # matches estimate_tokens (4 chars a token)
OPENAI_TTL_S = 600.0
ANTHROPIC_LOOKBACK = 20  # blocks checked before each breakpoint for an earlier entry

# Minimum cacheable prefix by model name fragment (research notes, section 1.4); the first
# fragment found in the model name wins, anything else gets the default.
_ANTHROPIC_MIN: tuple[tuple[str, int], ...] = (
    ("opus-4-5", 4096),
    ("opus-4-6", 4096),
    ("haiku-4-5", 4096),
    ("opus-4-7", 2048),
    ("opus-4-8", 1024),
    ("-5-5", 512),
    ("opus-5", 512),
    ("fable", 512),
    ("mythos", 512),
)
_ANTHROPIC_DEFAULT_MIN = 1024


def anthropic_min_cacheable(model: str) -> int:
    """The smallest prefix (tokens) the model caches; shorter prefixes are not cached."""
    for fragment, tokens in _ANTHROPIC_MIN:
        if fragment in model:
            return tokens
    return _ANTHROPIC_DEFAULT_MIN


@dataclass(frozen=True, slots=True)
class Segment:
    """One block of an Anthropic prompt, in cache order (tools, system, messages)."""

    key: str  # canonical text of the block, what the prefix hash covers
    tokens: int
    ttl_s: float | None = None  # set when the block carries a cache_control breakpoint


@dataclass(frozen=True, slots=True)
class AnthropicCacheUsage:
    """How an Anthropic prompt split between cache reads, cache writes and plain input."""

    read: int = 0
    write_5m: int = 0
    write_1h: int = 0
    uncached: int = 0


@dataclass(frozen=True, slots=True)
class OpenAICacheUsage:
    """Cached and newly written prompt tokens of an OpenAI request."""

    cached: int = 0
    written: int = 0


@dataclass(slots=True)
class _Entry:
    ready_at: float
    expires_at: float
    ttl_s: float


class PromptCache:
    """Thread-safe prefix store shared by every request and batch item of an emulator."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def anthropic(
        self, model: str, segments: Sequence[Segment], *, now: float, ready_at: float
    ) -> AnthropicCacheUsage:
        """Account one Anthropic prompt: read the longest ready prefix, write up to the
        last breakpoint, and return the split."""
        total = sum(s.tokens for s in segments)
        breakpoints = [i for i, s in enumerate(segments) if s.ttl_s is not None]
        if not breakpoints:
            return AnthropicCacheUsage(uncached=total)
        keys = _prefix_keys("anthropic", model, [s.key for s in segments])
        upto = _running_sums([s.tokens for s in segments])
        minimum = anthropic_min_cacheable(model)
        with self._lock:
            hit = self._anthropic_hit(keys, breakpoints, now)
            read = upto[hit] if hit >= 0 else 0
            writes = {300.0: 0, 3600.0: 0}
            done = hit
            for b in breakpoints:
                if b <= hit or upto[b] < minimum:
                    continue
                ttl = float(segments[b].ttl_s or 300.0)
                writes[3600.0 if ttl > 300.0 else 300.0] += upto[b] - (
                    upto[done] if done >= 0 else 0
                )
                self._put(keys[b], ready_at, ttl)
                done = b
        return AnthropicCacheUsage(
            read=read,
            write_5m=writes[300.0],
            write_1h=writes[3600.0],
            uncached=total - read - writes[300.0] - writes[3600.0],
        )

    def _anthropic_hit(self, keys: Sequence[str], breakpoints: Sequence[int], now: float) -> int:
        best = -1
        for b in breakpoints:
            for i in range(b, max(-1, b - ANTHROPIC_LOOKBACK), -1):
                if i > best and self._ready(keys[i], now):
                    best = i
                    break
        if best >= 0:
            self._refresh(keys[best], now)
        return best

    def openai(
        self, model: str, cache_key: str | None, text: str, *, now: float, ready_at: float
    ) -> OpenAICacheUsage:
        """Account one OpenAI prompt: automatic prefix caching in 128-token steps."""
        steps = len(text) // OPENAI_CHARS_PER_STEP
        first = OPENAI_MIN_TOKENS // OPENAI_INCREMENT
        if steps < first:
            return OpenAICacheUsage()
        chunks = [
            text[i * OPENAI_CHARS_PER_STEP : (i + 1) * OPENAI_CHARS_PER_STEP] for i in range(steps)
        ]
        keys = _prefix_keys("openai", f"{model}\x00{cache_key or ''}", chunks)
        with self._lock:
            hit = 0
            for k in range(steps, first - 1, -1):
                if self._ready(keys[k - 1], now):
                    hit = k
                    break
            for k in range(first, hit + 1):
                self._refresh(keys[k - 1], now)
            for k in range(max(hit + 1, first), steps + 1):
                self._put(keys[k - 1], ready_at, OPENAI_TTL_S)
        return OpenAICacheUsage(
            cached=hit * OPENAI_INCREMENT, written=(steps - hit) * OPENAI_INCREMENT
        )

    def _ready(self, key: str, now: float) -> bool:
        entry = self._entries.get(key)
        return entry is not None and entry.ready_at <= now < entry.expires_at

    def _refresh(self, key: str, now: float) -> None:
        entry = self._entries.get(key)
        if entry is not None:
            entry.expires_at = max(entry.expires_at, now + entry.ttl_s)

    def _put(self, key: str, ready_at: float, ttl_s: float) -> None:
        old = self._entries.get(key)
        if old is not None and old.ready_at <= ready_at and old.expires_at > ready_at:
            # An earlier write of the same prefix is still in flight: it becomes ready first.
            old.expires_at = max(old.expires_at, ready_at + ttl_s)
            return
        self._entries[key] = _Entry(ready_at=ready_at, expires_at=ready_at + ttl_s, ttl_s=ttl_s)


def _prefix_keys(namespace: str, scope: str, parts: Sequence[str]) -> list[str]:
    digest = hashlib.sha256(f"{namespace}\x00{scope}".encode())
    keys = []
    for part in parts:
        digest.update(hashlib.sha256(part.encode("utf-8", "surrogatepass")).digest())
        keys.append(digest.copy().hexdigest())
    return keys


def _running_sums(values: Sequence[int]) -> list[int]:
    out, total = [], 0
    for v in values:
        total += v
        out.append(total)
    return out
