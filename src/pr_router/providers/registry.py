"""Which providers a run can use: built from the environment, never crashing on a missing key.

A provider without a key is absent, with a message naming the fix. Keys are handed to the
SDK client and kept nowhere else: not in messages, reprs or logs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from pr_router.errors import MissingKeyError
from pr_router.providers.base import Provider

__all__ = ["PROVIDER_NAMES", "Providers", "build_providers", "missing_key_message"]

PROVIDER_NAMES: tuple[str, ...] = ("anthropic", "openai")
_ENV = {
    "anthropic": ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"),
    "openai": ("OPENAI_API_KEY", "OPENAI_BASE_URL"),
}


def missing_key_message(provider: str) -> str:
    """The one line a user sees when a provider has no key."""
    key_var = _ENV.get(provider, (f"{provider.upper()}_API_KEY", ""))[0]
    return f"No key found for {provider} - set {key_var} or pass {provider}-api-key to the action"


@dataclass(frozen=True)
class Providers(Mapping[str, Provider]):
    """The providers a run can use, by name, and why the others are missing."""

    available: Mapping[str, Provider] = field(default_factory=dict)
    missing: Mapping[str, str] = field(default_factory=dict)  # name -> what to do

    def __getitem__(self, name: str) -> Provider:
        return self.available[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.available)

    def __len__(self) -> int:
        return len(self.available)

    def close(self) -> None:
        """Close every provider's connections."""
        for provider in self.available.values():
            provider.close()

    def require(self, name: str) -> Provider:
        """The provider, or a ``MissingKeyError`` that says how to configure it."""
        provider = self.available.get(name)
        if provider is None:
            message = self.missing.get(name) or f"provider {name!r} is not supported"
            raise MissingKeyError(message, provider=name)
        return provider


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def build_providers(
    environ: Mapping[str, str],
    *,
    keys: Mapping[str, str | None] | None = None,
    base_urls: Mapping[str, str | None] | None = None,
    max_retries: int = 2,
    strict: bool = False,
) -> Providers:
    """Construct an adapter for every provider that has a key.

    ``keys`` and ``base_urls`` (by provider name) take precedence over ``environ``; tests
    and the action pass them explicitly. ``strict`` turns on the SDKs' response validation.
    """
    available: dict[str, Provider] = {}
    missing: dict[str, str] = {}
    for name in PROVIDER_NAMES:
        key_var, url_var = _ENV[name]
        key = _clean((keys or {}).get(name)) or _clean(environ.get(key_var))
        if key is None:
            missing[name] = missing_key_message(name)
            continue
        url = _clean((base_urls or {}).get(name)) or _clean(environ.get(url_var))
        available[name] = _construct(name, key, url, max_retries=max_retries, strict=strict)
    return Providers(available, missing)


def _construct(name: str, key: str, url: str | None, *, max_retries: int, strict: bool) -> Provider:
    # Imported here: constructing an adapter is what loads its vendor SDK.
    if name == "anthropic":
        from pr_router.providers.anthropic import AnthropicProvider

        return AnthropicProvider(key, base_url=url, max_retries=max_retries, strict=strict)
    from pr_router.providers.openai import OpenAIProvider

    return OpenAIProvider(key, base_url=url, max_retries=max_retries, strict=strict)
