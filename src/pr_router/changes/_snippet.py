"""The code quoted in a detector reason: one line, cut to a fixed length."""

from __future__ import annotations

__all__ = ["SNIPPET", "clip"]

SNIPPET = 40  # characters of code a reason quotes


def clip(text: str) -> str:
    """``text`` cut to ``SNIPPET`` characters, ending in "..." when cut."""
    return text if len(text) <= SNIPPET else text[: SNIPPET - 3] + "..."
