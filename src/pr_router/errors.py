"""The exception hierarchy of pr-router, written out once.

    PrRouterError                 root: every error the product raises on purpose
    ├── UsageError                the user can fix it; the CLI exits 2 with one line + hint
    │   ├── PolicyError           bad policy file: names file:line:col and the field path
    │   ├── DiffError             unreadable or malformed diff
    │   ├── EventError            malformed webhook payload / runner environment
    │   └── UnknownModelError     no price for a model: names the override to add
    ├── ProviderError             a model provider call failed (carries ``retryable``)
    │   ├── MissingKeyError       no API key for a provider: the provider is skipped
    │   └── InvalidOutputError    the model answered, but not with what the job asked for
    └── GitHubError               a GitHub API call failed (carries status, permission hint)

Nothing above the provider adapters sees a vendor SDK exception: adapters translate
them into ``ProviderError`` with ``retryable``, ``status`` and ``request_id``.
"""

from __future__ import annotations

__all__ = [
    "DiffError",
    "EventError",
    "GitHubError",
    "InvalidOutputError",
    "MissingKeyError",
    "PolicyError",
    "PrRouterError",
    "ProviderError",
    "UnknownModelError",
    "UsageError",
]


class PrRouterError(Exception):
    """Root of every error pr-router raises on purpose."""

    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class UsageError(PrRouterError):
    """A mistake the user can fix (bad flag, file, policy, diff). Exit code 2."""


class PolicyError(UsageError):
    """The policy file is invalid; the message names file:line:col and the field."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        where = file or "<policy>"
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        prefix = f"{where}: "
        if field:
            prefix += f"{field}: "
        super().__init__(prefix + message, hint=hint)


class DiffError(UsageError):
    """The diff cannot be read or parsed."""


class EventError(UsageError):
    """The webhook payload or the runner environment is not what pr-router needs."""


class UnknownModelError(UsageError):
    """No price is known for a model."""


class ProviderError(PrRouterError):
    """A model provider call failed after the SDK's own retries."""

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        retryable: bool = False,
        status: int | None = None,
        request_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.provider = provider
        self.retryable = retryable
        self.status = status
        self.request_id = request_id


class MissingKeyError(ProviderError):
    """No API key is configured for a provider."""


class InvalidOutputError(ProviderError):
    """The model's output does not validate against the job's schema or the diff."""


class GitHubError(PrRouterError):
    """A GitHub API call failed; ``permission`` names the missing token permission."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        permission: str | None = None,
        retryable: bool = False,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.permission = permission
        self.retryable = retryable
