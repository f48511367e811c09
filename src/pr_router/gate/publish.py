"""Post the gate's check runs: one per gating job on the PR head, updated in place on re-runs.

The check run of the same name on the same commit is found and updated, not duplicated, so
a re-run (or a re-evaluation after a maintainer accepts a finding) changes the conclusion
that branch protection reads. GitHub appends annotations on every update and cannot delete
them, so the findings already annotated are listed in a hidden line of ``output.text`` and
not sent again. At most 50 annotations go in one request: the rest follow in updates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pr_router.errors import GitHubError
from pr_router.gate.checks import Annotation, CheckRunSpec
from pr_router.github.models import CheckRunRef

__all__ = ["ANNOTATIONS_PER_REQUEST", "CheckPoster", "Posted", "annotated_in", "post_check_runs"]

ANNOTATIONS_PER_REQUEST = 50  # GitHub's limit on output.annotations of one request
_ANNOTATED = re.compile(r"<!-- pr-router:annotated ([0-9a-f,]*) -->")
_TEXT = "Findings are annotated on their lines in **Files changed**."


class CheckPoster(Protocol):
    """The slice of ``GitHubClient`` the gate needs (a fake in tests is enough)."""

    def check_runs_for(self, sha: str, name: str) -> list[CheckRunRef]:
        """Check runs of that name on the commit."""
        ...

    def create_check_run(
        self, name: str, head_sha: str, *, conclusion: str, output: dict[str, Any]
    ) -> CheckRunRef:
        """Create a completed check run."""
        ...

    def update_check_run(
        self, check_run_id: int, *, output: dict[str, Any], conclusion: str | None = None
    ) -> None:
        """Update a check run."""
        ...


@dataclass(frozen=True, slots=True)
class Posted:
    """What happened to one check run."""

    name: str
    conclusion: str
    check_run_id: int | None  # None when GitHub refused it
    action: str  # "created", "updated" or "refused"
    requests: int = 0
    annotations_sent: int = 0
    problem: str | None = None


def annotated_in(text: str) -> set[str]:
    """Fingerprints of the findings a check run already annotated (from its hidden line)."""
    m = _ANNOTATED.search(text or "")
    return {fp for fp in m.group(1).split(",") if fp} if m else set()


def _text(fingerprints: Sequence[str]) -> str:
    return f"{_TEXT}\n\n<!-- pr-router:annotated {','.join(sorted(set(fingerprints)))} -->"


def _output(spec: CheckRunSpec, annotations: Sequence[Annotation], text: str) -> dict[str, Any]:
    out: dict[str, Any] = {"title": spec.title, "summary": spec.summary, "text": text}
    if annotations:
        out["annotations"] = [a.wire() for a in annotations]
    return out


def _post_one(client: CheckPoster, spec: CheckRunSpec) -> Posted:
    existing = client.check_runs_for(spec.head_sha, spec.name)
    current = max(existing, key=lambda r: r.id) if existing else None
    done = annotated_in(current.text) if current else set()
    fresh = [a for a in spec.annotations if a.fingerprint not in done]
    batches = [fresh[i : i + ANNOTATIONS_PER_REQUEST] for i in range(0, len(fresh), 50)] or [[]]
    text = _text([*done, *(a.fingerprint for a in fresh)])
    first = _output(spec, batches[0], text)
    if current is None:
        run_id = client.create_check_run(
            spec.name, spec.head_sha, conclusion=spec.conclusion, output=first
        ).id
    else:
        run_id = current.id
        client.update_check_run(run_id, output=first, conclusion=spec.conclusion)
    for batch in batches[1:]:
        client.update_check_run(run_id, output=_output(spec, batch, text))
    return Posted(
        spec.name, spec.conclusion, run_id, "updated" if current else "created",
        requests=len(batches) + 1, annotations_sent=len(fresh),
    )  # fmt: skip


def post_check_runs(client: CheckPoster, specs: Sequence[CheckRunSpec]) -> list[Posted]:
    """Create or update every check run; a refusal is reported per check, never raised."""
    posted: list[Posted] = []
    for spec in specs:
        try:
            posted.append(_post_one(client, spec))
        except GitHubError as exc:
            hint = f"; {exc.hint}" if exc.hint else ""
            posted.append(Posted(spec.name, spec.conclusion, None, "refused",
                                 problem=f"check run {spec.name!r}: {exc}{hint}"))  # fmt: skip
    return posted
