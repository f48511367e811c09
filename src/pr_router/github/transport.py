"""How pr-router talks to GitHub: retry settings, the PyGithub instance, raw downloads, errors.

PyGithub covers the JSON endpoints. Diffs and logs are bytes, and PyGithub only hands back
decoded text, so a small ``requests`` session with the same token and retry policy fetches
those. Every failure leaves this package as a ``GitHubError`` that names what was being
done and, for 403, the token permission that would fix it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters
from github.Auth import Token
from github.GithubException import GithubException, RateLimitExceededExceedsMaxWait
from github.GithubRetry import GithubRetry
from github.MainClass import Github
from urllib3.connectionpool import ConnectionPool
from urllib3.response import HTTPResponse
from urllib3.util.retry import Retry

from pr_router.errors import GitHubError

__all__ = [
    "DEFAULT_API_URL",
    "FAST_RETRY",
    "Operation",
    "RawSession",
    "RetrySettings",
    "build_github",
    "github_error",
    "quiet_user_refusal",
    "translating",
]

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
USER_AGENT = "pr-router"


@dataclass(frozen=True, slots=True)
class RetrySettings:
    """Retry and pacing for GitHub calls (defaults follow GitHub's guidance for integrations)."""

    total: int = 4
    backoff_factor: float = 1.0
    secondary_rate_wait: float = 60.0  # GitHub asks for at least a minute when no retry-after
    max_wait: float = 180.0  # never sleep longer than this for one rate limit: fail instead
    seconds_between_requests: float | None = 0.25
    seconds_between_writes: float | None = 1.0  # avoids secondary limits on bursts of writes
    timeout: int = 30


# For tests and the emulator: retry, but never sleep.
FAST_RETRY = RetrySettings(
    total=2,
    backoff_factor=0.0,
    secondary_rate_wait=0.0,
    max_wait=1.0,
    seconds_between_requests=None,
    seconds_between_writes=None,
    timeout=10,
)


class _CappedRetry(GithubRetry):
    """GithubRetry that refuses to honour a ``retry-after`` longer than ``max_rate_limit_wait``."""

    # GithubRetry narrows the response type and widens the return type; we follow it.
    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: HTTPResponse | None = None,  # type: ignore[override]
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Retry:
        """Fail fast on a retry-after beyond the cap; otherwise retry like GithubRetry."""
        if response is not None:
            wait = _retry_after(response.headers)
            cap = self.max_rate_limit_wait
            if wait is not None and cap is not None and wait > cap:
                body = {"message": f"rate limited: retry after {wait:g}s"}
                raise RateLimitExceededExceedsMaxWait(response.status, body, None, wait=wait)
        return super().increment(method, url, response, error, _pool, _stacktrace)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _retry(settings: RetrySettings) -> Retry:
    return _CappedRetry(
        total=settings.total,
        backoff_factor=settings.backoff_factor,
        secondary_rate_wait=settings.secondary_rate_wait,
        max_rate_limit_wait=settings.max_wait,
        # hand the last error response to PyGithub instead of raising urllib3's RetryError
        raise_on_status=False,
    )


def build_github(token: str, base_url: str, settings: RetrySettings) -> Github:
    """The one PyGithub instance: lazy (no request until data is needed), with our retry."""
    return Github(
        auth=Token(token),
        base_url=base_url.rstrip("/"),
        timeout=settings.timeout,
        user_agent=USER_AGENT,
        per_page=100,
        retry=_retry(settings),
        seconds_between_requests=settings.seconds_between_requests,
        seconds_between_writes=settings.seconds_between_writes,
        lazy=True,
        api_version=API_VERSION,
    )


class RawSession:
    """GETs whose answer is bytes (diffs, logs), with the token and the same retry policy."""

    def __init__(self, token: str, base_url: str, settings: RetrySettings) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = settings.timeout
        self._session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(max_retries=_retry(settings))
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)

    def get(self, url: str, *, accept: str, allow_redirects: bool = True) -> requests.Response:
        """GET ``url`` (absolute, or a path below the API base); raises ``GithubException``."""
        if url.startswith("/"):
            url = self.base_url + url
        headers = {"Accept": accept, "User-Agent": USER_AGENT, "X-GitHub-Api-Version": API_VERSION}
        if urlsplit(url).netloc == urlsplit(self.base_url).netloc:
            # never send the token to a log-storage host a redirect points at
            headers["Authorization"] = f"Bearer {self._token}"
        resp = self._session.get(
            url, headers=headers, timeout=self._timeout, allow_redirects=allow_redirects
        )
        if resp.status_code >= 400:
            raise GithubException(resp.status_code, _json_or_text(resp), dict(resp.headers))
        return resp

    def close(self) -> None:
        """Release pooled connections."""
        self._session.close()


def _json_or_text(resp: requests.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return {"message": resp.text[:200]}


@dataclass(frozen=True, slots=True)
class Operation:
    """What a call does, for error messages: ``doing`` reads after "while trying to"."""

    doing: str
    permission: str  # the token permission the call needs, e.g. "pull-requests: write"
    resource: str  # what a 404 means is missing


def _message(data: Any) -> str:
    if isinstance(data, Mapping):
        msg = str(data.get("message") or "").strip()
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            details = [
                e.get("message") or e.get("code") if isinstance(e, Mapping) else e for e in errors
            ]
            msg += " (" + "; ".join(str(d) for d in details if d) + ")"
        return msg
    return str(data or "").strip()[:200]


def _is_rate_limit(status: int, msg: str, headers: Mapping[str, Any]) -> bool:
    lowered = msg.lower()
    return status == 429 or (
        status == 403
        and (
            "rate limit" in lowered
            or _retry_after(headers) is not None
            or headers.get("x-ratelimit-remaining") == "0"
        )
    )


def github_error(
    status: int, data: Any, headers: Mapping[str, Any] | None, op: Operation
) -> GitHubError:
    """Translate one failed GitHub answer into a ``GitHubError`` that says what to fix."""
    msg = _message(data)
    hdrs = {k.lower(): v for k, v in (headers or {}).items()}
    if _is_rate_limit(status, msg, hdrs):
        return GitHubError(
            f"GitHub rate limit hit while trying to {op.doing} ({status}: {msg})",
            status=status,
            retryable=True,
            hint="GitHub limits bursts of writes; rerun the job in a few minutes",
        )
    if status == 401:
        return GitHubError(
            f"GitHub rejected the token while trying to {op.doing} (401: {msg})",
            status=status,
            hint="check the github-token input / GITHUB_TOKEN",
        )
    if status == 403:
        return GitHubError(
            f"GitHub refused to {op.doing} (403: {msg}): the token needs `{op.permission}`",
            status=status,
            permission=op.permission,
            hint=f"add `{op.permission}` to the workflow's `permissions:`; "
            "on pull_request events from forks the token is read-only",
        )
    if status == 404:
        return GitHubError(
            f"GitHub found no {op.resource} while trying to {op.doing} (404)",
            status=status,
            permission=op.permission,
            hint="check the repository and number; a token without access also gets 404",
        )
    if status == 422:
        return GitHubError(f"GitHub rejected the request to {op.doing} (422: {msg})", status=status)
    return GitHubError(
        f"GitHub failed while trying to {op.doing} ({status}: {msg})",
        status=status,
        retryable=status >= 500,
    )


@contextmanager
def translating(op: Operation, base_url: str) -> Iterator[None]:
    """Run a block of GitHub calls, turning PyGithub and network errors into ``GitHubError``."""
    try:
        yield
    except GithubException as exc:
        raise github_error(exc.status, exc.data, exc.headers, op) from exc
    except requests.RequestException as exc:
        raise GitHubError(
            f"cannot reach GitHub at {base_url} while trying to {op.doing}: {type(exc).__name__}",
            retryable=True,
            hint="check GITHUB_API_URL and the network",
        ) from exc


# PyGithub's retry logs every 403 at INFO on its own stderr handler, installed on import.
_USER_REFUSED = re.compile(r"^Request GET \S*/user failed with 403\b")


class _DropUserRefusal(logging.Filter):
    """Drops PyGithub's line for a refused ``GET /user``; every other line passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _USER_REFUSED.match(record.getMessage())


@contextmanager
def quiet_user_refusal() -> Iterator[None]:
    """Around ``GET /user`` only: the Actions and App tokens are refused it, and we expect it.

    The caller falls back to a known login, so the line PyGithub logs is noise; 403s on
    any other request are still logged.
    """
    logger = logging.getLogger("github.GithubRetry")
    drop = _DropUserRefusal()
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)
