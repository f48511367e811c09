"""Build realistic job inputs from the copied fixtures: real diffs, webhook payloads, CI logs."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pr_router.changes import parse_diff
from pr_router.changes.model import ChangeSet, FileChange, SensitiveHit
from pr_router.context import PRContext
from pr_router.github.event import load_event
from pr_router.jobs import FailureLog, JobInputs
from pr_router.plan import JobPlan
from pr_router.policy.models import OutputKind, Policy
from pr_router.providers.base import ModelResponse
from pr_router.tokens import TokenUsage

HERE = Path(__file__).parent
DIFFS = HERE / "fixtures" / "diffs"
LOGS = HERE.parent / "fixtures" / "logs"
WEBHOOKS = HERE.parent / "fixtures" / "github" / "webhooks"

TIERS = {
    "frontier": {"provider": "anthropic", "model": "claude-opus-5-5"},
    "standard": {"provider": "anthropic", "model": "claude-sonnet-5-5"},
    "efficient": {"provider": "anthropic", "model": "claude-haiku-5-5"},
}


def policy(**fields: Any) -> Policy:
    """A policy with Anthropic tiers and the given extra fields."""
    return Policy.model_validate({"tiers": TIERS, **fields})


def changes_of(
    files: Iterable[FileChange], hits: tuple[SensitiveHit, ...] | None = None
) -> ChangeSet:
    """A change set with real signals (from the changes package) for ``files``."""
    from pr_router.changes._signals import compute_signals

    files = tuple(files)
    signals = compute_signals(files)
    if hits is not None:
        signals = replace(signals, sensitive_hits=hits, security_sensitive=bool(hits))
    return ChangeSet(files=files, signals=signals)


def load_diff(name: str) -> ChangeSet:
    """A copied real diff, parsed and analysed."""
    data = (DIFFS / name).read_bytes()
    return changes_of(parse_diff(data, source=name))


def diff_bytes(text: str) -> ChangeSet:
    """A change set from diff text written in a test."""
    return changes_of(parse_diff(text.encode(), source="<test>"))


@functools.cache
def _opened() -> PRContext:
    payload = json.loads((WEBHOOKS / "pull_request.opened.payload.json").read_bytes())
    pr = load_event("pull_request", payload).pr
    assert pr is not None
    return pr


def pr_context(**overrides: Any) -> PRContext:
    """The PR of GitHub's ``pull_request.opened`` example payload."""
    return replace(_opened(), **overrides)


def job_plan(
    job: str,
    output: OutputKind,
    *,
    title: str = "",
    tier: str = "frontier",
    cache_key: str | None = None,
    max_output_tokens: int = 8000,
) -> JobPlan:
    """A running job's routing decision."""
    model = TIERS[tier]["model"]
    return JobPlan(
        job=job, job_class="critical" if output == "findings" else "auxiliary", run=True,
        reasons=("test",), title=title or job, output=output, tier=tier,  # type: ignore[arg-type]
        provider="anthropic", model=model, mode="sync", effort="medium",
        max_output_tokens=max_output_tokens, cache_key=cache_key,
    )  # fmt: skip


def inputs(
    changes: ChangeSet,
    *,
    context: PRContext | None = None,
    pol: Policy | None = None,
    changelog: str | None = None,
    logs: tuple[FailureLog, ...] = (),
) -> JobInputs:
    """Job inputs around ``changes``."""
    return JobInputs(
        changes=changes,
        context=context or pr_context(),
        policy=pol or policy(),
        changelog_text=changelog,
        failure_logs=logs,
        run_tag="r42-1",
    )


def response(data: Any = None, text: str = "", stop: str | None = "end_turn") -> ModelResponse:
    """A model response carrying ``data`` (or only ``text``)."""
    if data is not None and not text:
        text = json.dumps(data)
    return ModelResponse(
        custom_id="r42-1-review", provider="anthropic", model="claude-opus-5-5", text=text,
        data=data, usage=TokenUsage(input=10, output=10), stop_reason=stop,
    )  # fmt: skip


def finding(file: str, start: int, end: int | None = None, **fields: Any) -> dict[str, Any]:
    """A review finding as the model would return it."""
    base: dict[str, Any] = {
        "file": file,
        "start_line": start,
        "end_line": end if end is not None else start,
        "side": "RIGHT",
        "severity": "medium",
        "category": "bug",
        "title": "Something is off",
        "explanation": "It breaks.",
        "suggestion": None,
    }
    return base | fields
