"""Prices and costs. Money is ``Decimal`` USD; tokens are ``int``; the two never mix.

Rates come from the bundled data of ``genai-prices`` (never auto-updated during a run),
resolved for a moment in time and a mode (sync or batch), and can be overridden per model
by the policy (negotiated rates). Every cost pr-router shows is ``cost(usage, rates)``:
reproducible from the provider's usage object and this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, Literal

from pr_router.errors import UnknownModelError
from pr_router.tokens import TokenUsage

__all__ = ["BATCH_FACTOR", "MTOK", "PriceTable", "Rates", "cost", "format_usd"]

MTOK = Decimal(1_000_000)
Mode = Literal["sync", "batch"]
# Both providers bill every token class of a batch request at half the standard rate.
BATCH_FACTOR = Decimal("0.5")


@dataclass(frozen=True, slots=True)
class Rates:
    """USD per million tokens for one model in one mode."""

    input: Decimal
    output: Decimal
    cache_write_5m: Decimal
    cache_write_1h: Decimal
    cache_read: Decimal
    source: str = "genai-prices"

    def scaled(self, factor: Decimal, source: str) -> Rates:
        """Every rate multiplied by ``factor``."""
        return Rates(
            input=self.input * factor,
            output=self.output * factor,
            cache_write_5m=self.cache_write_5m * factor,
            cache_write_1h=self.cache_write_1h * factor,
            cache_read=self.cache_read * factor,
            source=source,
        )


def cost(usage: TokenUsage, rates: Rates) -> Decimal:
    """Exact USD cost of ``usage`` at ``rates`` (reasoning is inside output)."""
    total = (
        usage.input * rates.input
        + usage.cache_write_5m * rates.cache_write_5m
        + usage.cache_write_1h * rates.cache_write_1h
        + usage.cache_read * rates.cache_read
        + usage.output * rates.output
    )
    return Decimal(total) / MTOK


def format_usd(amount: Decimal) -> str:
    """Human-readable dollars: 4 decimals under a cent, else 2-3."""
    if amount == 0:
        return "$0.00"
    places = "0.0001" if abs(amount) < Decimal("0.01") else "0.001" if abs(amount) < 1 else "0.01"
    return f"${amount.quantize(Decimal(places), rounding=ROUND_HALF_UP):,}"


@lru_cache(maxsize=1)
def _snapshot() -> Any:
    # Imported lazily: the price data is large and only `plan`/`run` need it.
    from genai_prices import data_snapshot

    return data_snapshot.get_snapshot()


def _tier_price(value: Any, prompt_tokens: int) -> Decimal | None:
    """A flat price, or the tier a prompt of ``prompt_tokens`` falls into (cliff pricing)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    price: Decimal = value.base
    for tier in value.tiers:
        if prompt_tokens > tier.start:
            price = tier.price
    return price


class PriceTable:
    """Resolves ``Rates`` per (provider, model, mode), with policy overrides first."""

    def __init__(
        self,
        overrides: Mapping[str, Rates] | None = None,
        *,
        at: datetime | None = None,
    ) -> None:
        self._overrides = dict(overrides or {})
        self._at = at or datetime.now(UTC)

    def rates(
        self, provider: str, model: str, mode: Mode = "sync", prompt_tokens: int = 0
    ) -> Rates:
        """Rates for ``model`` on ``provider``; raises ``UnknownModelError`` if none is known."""
        override = self._overrides.get(model)
        if override is not None:
            return (
                override.scaled(BATCH_FACTOR, "policy override (batch)")
                if mode == "batch"
                else override
            )
        info = self._model_info(provider, model)
        context = {"processing": "batch"} if mode == "batch" else None
        price = info.get_prices(self._at, context)
        standard = info.get_prices(self._at)
        rates = self._rates_from(price, prompt_tokens, f"genai-prices: {info.id}")
        if mode == "batch" and price == standard:
            # No batch variant in the data: apply the providers' documented 50% discount.
            rates = rates.scaled(BATCH_FACTOR, f"genai-prices: {info.id} (batch = 50%)")
        return rates

    def cost(self, provider: str, model: str, usage: TokenUsage, mode: Mode = "sync") -> Decimal:
        """USD cost of ``usage`` on ``model`` in ``mode``."""
        return cost(usage, self.rates(provider, model, mode, usage.prompt))

    def known(self, provider: str, model: str) -> bool:
        """Whether a price is known for the model."""
        try:
            self.rates(provider, model)
        except UnknownModelError:
            return False
        return True

    def _model_info(self, provider: str, model: str) -> Any:
        try:
            _, info = _snapshot().find_provider_model(model, None, provider, None)
        except LookupError:
            info = None
        if info is None:
            raise UnknownModelError(
                f"no price known for model {model!r} on {provider}",
                hint=f"add it under `prices:` in the policy, e.g. prices: {{{model}: "
                "{input: 3.0, output: 15.0}} (USD per million tokens)",
            )
        return info

    @staticmethod
    def _rates_from(price: Any, prompt_tokens: int, source: str) -> Rates:
        input_ = _tier_price(price.input_mtok, prompt_tokens)
        output = _tier_price(price.output_mtok, prompt_tokens)
        if input_ is None or output is None:
            raise UnknownModelError(f"price data for {source} has no token rates")
        write = _tier_price(price.cache_write_mtok, prompt_tokens)
        write_1h = _tier_price(getattr(price, "cache_write_1h_mtok", None), prompt_tokens)
        read = _tier_price(price.cache_read_mtok, prompt_tokens)
        return Rates(
            input=input_,
            output=output,
            # Models without a listed write rate do not charge extra for writes.
            cache_write_5m=write if write is not None else input_,
            cache_write_1h=write_1h
            if write_1h is not None
            else (write if write is not None else input_),
            cache_read=read if read is not None else input_,
            source=source,
        )
