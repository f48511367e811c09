"""Read the inputs of the CLI commands (diff, event, policy) with one-line errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pr_router.context import PRContext
from pr_router.errors import DiffError, EventError

__all__ = ["guess_event_name", "read_diff", "read_event_context"]

_MAX_DIFF_BYTES = 50_000_000


def read_diff(spec: str | None, *, repo: str | None = None, base: str | None = None,
              head: str | None = None) -> tuple[bytes, str]:  # fmt: skip
    """The diff bytes and a name for messages, from a file, stdin or ``git diff``."""
    if repo is not None or base is not None or head is not None:
        if spec is not None:
            raise DiffError("give either --diff or --repo/--base/--head, not both")
        if not (repo and base and head):
            raise DiffError(
                "--repo, --base and --head go together",
                hint="e.g. --repo . --base main --head HEAD",
            )
        from pr_router.changes import git_diff

        return git_diff(Path(repo), base, head), f"git diff {base} {head}"
    if spec is None:
        raise DiffError(
            "no diff given",
            hint="pass --diff FILE, --diff - (stdin) or --repo DIR --base REV --head REV",
        )
    if spec == "-":
        return sys.stdin.buffer.read(_MAX_DIFF_BYTES + 1), "<stdin>"
    path = Path(spec)
    try:
        with path.open("rb") as fh:
            return fh.read(_MAX_DIFF_BYTES + 1), spec
    except IsADirectoryError:
        raise DiffError(f"cannot read diff {spec}: it is a directory") from None
    except OSError as exc:
        raise DiffError(f"cannot read diff {spec}: {exc.strerror or exc}") from None


def guess_event_name(payload: dict[str, Any]) -> str:
    """The GitHub event name a payload belongs to, from its top-level keys."""
    if "workflow_run" in payload:
        return "workflow_run"
    if "pull_request" in payload:
        return "pull_request"
    raise EventError("event payload has neither pull_request nor workflow_run",
                     hint="pass a pull_request or workflow_run webhook payload")  # fmt: skip


def read_event_context(path: str | None, event_name: str | None = None) -> PRContext:
    """The PR context from a webhook payload file, or an empty context without one."""
    if path is None:
        return PRContext()
    try:
        payload = json.loads(Path(path).read_bytes())
    except OSError as exc:
        raise EventError(f"cannot read event {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise EventError(f"event {path} is not valid JSON: {exc}") from None
    except RecursionError:
        raise EventError(f"event {path} is not a webhook payload: nested too deeply") from None
    if not isinstance(payload, dict):
        raise EventError(f"event {path} is not a JSON object")
    from pr_router.github.event import load_event

    event = load_event(event_name or guess_event_name(payload), payload)
    if event.pr is None:
        raise EventError(f"event {path} does not concern a pull request", hint=event.note)
    return event.pr
