"""pr-router: run the AI jobs of a pull-request pipeline at the lowest cost that keeps quality."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
