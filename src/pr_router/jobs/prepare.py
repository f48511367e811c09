"""Turn a job's routing decision into its prompt parts, ready for a request and a validator.

Review, security and custom ``findings`` jobs share one diff packing (one byte-identical
prefix: ``SYSTEM_PREAMBLE`` + the packed diff), also when it has to leave files out: the
packer keeps the security detector's files and the CI, dependency, migration and config
files longest, so the security scan sees what it needs and reads the review's cached
prefix instead of paying for a prompt of its own. Describe, changelog, docs and custom
``comment`` jobs share the compact view.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from pr_router.changes.linemap import LineMap
from pr_router.changes.model import SensitiveHit
from pr_router.jobs.changelog_style import ChangelogStyle, detect_changelog_style
from pr_router.jobs.context import PackedContext, pack_compact, pack_diff
from pr_router.jobs.failure import LOG_EXCERPT_TOKENS, pack_log
from pr_router.jobs.failure_logs import LogExcerpt
from pr_router.jobs.inputs import JobInputs
from pr_router.jobs.outputs import (
    ChangelogOutput,
    CommentOutput,
    DescribeOutput,
    DocsOutput,
    FailureOutput,
    FindingsOutput,
    strict_schema,
)
from pr_router.jobs.prompts import (
    SYSTEM_PREAMBLE,
    changelog_instructions,
    custom_instructions,
    describe_instructions,
    docs_instructions,
    failure_instructions,
    review_instructions,
    security_instructions,
)
from pr_router.plan import JobPlan
from pr_router.policy.catalog import resolve_jobs
from pr_router.providers.base import ModelRequest
from pr_router.tokens import estimate_tokens

__all__ = [
    "COMPACT_RESERVE",
    "MIN_CONTEXT_BUDGET",
    "PreparedJob",
    "compact_budget",
    "diff_budget",
    "instructions_for",
    "output_model",
    "prepare_job",
    "prepare_jobs",
    "schema_tokens",
]

MIN_CONTEXT_BUDGET = 1_000  # below this a prompt is useless; the packer still names files
COMPACT_RESERVE = 4_000  # system, instructions and output of the auxiliary jobs, generously


def output_model(job: str, output: str) -> type[BaseModel]:
    """The output model (and so the JSON schema) of a job."""
    models: dict[str, type[BaseModel]] = {
        "description": DescribeOutput,
        "changelog": ChangelogOutput,
        "docs": DocsOutput,
        "failure": FailureOutput,
        "comment": CommentOutput,
    }
    if output == "findings":
        return FindingsOutput  # one schema for every findings job: see outputs.Finding
    return models[output]


def schema_tokens(model: type[BaseModel]) -> int:
    """Tokens the schema adds to the prompt (providers count it as input)."""
    return estimate_tokens(json.dumps(strict_schema(model), separators=(",", ":")))


def instructions_for(
    job: str, output: str, *, hits: Sequence[SensitiveHit] = (), title: str = "",
    prompt: str | None = None, changelog: ChangelogStyle | None = None,
) -> str:  # fmt: skip
    """The job-specific suffix of the prompt (``hits``: the security detector's findings)."""
    if job == "review" and prompt is None:
        return review_instructions()
    if job == "security" and prompt is None:
        return security_instructions(hits)
    builtin = {
        "description": describe_instructions,
        "docs": docs_instructions,
        "failure": failure_instructions,
    }
    if prompt is None and output in builtin:
        return builtin[output]()
    if prompt is None and output == "changelog":
        return changelog_instructions(changelog or ChangelogStyle())
    return custom_instructions(title or job, prompt or "", output)


def diff_budget(max_context_tokens: int, reserves: Iterable[tuple[str, int, int]]) -> int:
    """Tokens left for the shared diff: the cap minus system, instructions and output.

    ``reserves`` holds ``(instructions, schema_tokens, max_output_tokens)`` of every job that
    shares the diff; the largest of each is reserved so the prefix fits all of them.
    """
    items = list(reserves) or [("", 0, 0)]
    own = max(estimate_tokens(text) + schema for text, schema, _ in items)
    output = max(out for _, _, out in items)
    reserve = estimate_tokens(SYSTEM_PREAMBLE) + own + output
    return max(MIN_CONTEXT_BUDGET, max_context_tokens - reserve)


def compact_budget(max_context_tokens: int) -> int:
    """Tokens the compact view may use."""
    return max(MIN_CONTEXT_BUDGET, max_context_tokens - COMPACT_RESERVE)


@dataclass(frozen=True, slots=True)
class PreparedJob:
    """A job's prompt parts and what its validator needs to know."""

    plan: JobPlan
    title: str
    model: type[BaseModel]
    shared_context: str
    instructions: str
    cache_key: str | None
    index: LineMap
    pr_paths: frozenset[str]
    packed: PackedContext
    style: ChangelogStyle = field(default_factory=ChangelogStyle)
    excerpts: tuple[LogExcerpt, ...] = field(default=())

    def request(self, custom_id: str, cache_ttl: Any = "5m") -> ModelRequest:
        """The provider request of this job."""
        plan = self.plan
        return ModelRequest(
            job=plan.job,
            custom_id=custom_id,
            model=plan.model or "",
            system=SYSTEM_PREAMBLE,
            shared_context=self.shared_context,
            instructions=self.instructions,
            output_schema=strict_schema(self.model),
            schema_name=self.model.__name__,
            max_output_tokens=plan.max_output_tokens or 4_000,
            effort=plan.effort,
            cache_key=self.cache_key,
            cache_ttl=cache_ttl,
            prefix_ttl=plan.prefix_ttl,
        )


class _Shared:
    """Packings computed once per run and shared by the jobs that use them."""

    def __init__(self, inputs: JobInputs) -> None:
        self.inputs = inputs
        self.catalogue = {j.name: j for j in resolve_jobs(inputs.policy)}
        self.index = inputs.linemap or LineMap(inputs.changes.files)
        self.pr_paths = frozenset(f.path for f in inputs.changes.files)
        self.style = detect_changelog_style(inputs.changelog_text)
        self._diff: PackedContext | None = None

    def instructions(self, job: str, output: str) -> str:
        spec = self.catalogue.get(job)
        prompt = None if spec is None or spec.builtin else spec.prompt
        title = spec.title if spec is not None else job
        hits = self.inputs.changes.signals.sensitive_hits
        return instructions_for(
            job, output, hits=hits, title=title, prompt=prompt, changelog=self.style
        )

    def budget(self) -> int:
        """The diff budget from every findings job of the catalogue (run or not)."""
        reserves = [
            (self.instructions(j.name, j.output), schema_tokens(output_model(j.name, j.output)),
             j.max_output_tokens)
            for j in self.catalogue.values() if j.output == "findings"
        ]  # fmt: skip
        return diff_budget(self.inputs.policy.max_context_tokens, reserves)

    def diff(self) -> PackedContext:
        if self._diff is None:
            self._diff = pack_diff(self.inputs.changes, self.inputs.context, self.budget())
        return self._diff


def _prepare(job_plan: JobPlan, shared: _Shared) -> PreparedJob:
    inputs = shared.inputs
    job, output = job_plan.job, job_plan.output
    spec = shared.catalogue.get(job)
    title = job_plan.title or (spec.title if spec else job)
    excerpts: tuple[LogExcerpt, ...] = ()
    index, paths = shared.index, shared.pr_paths
    if output == "findings":
        packed = shared.diff()
    elif output == "failure":
        packed, excerpts = pack_log(inputs.context, inputs.failure_logs, LOG_EXCERPT_TOKENS)
    else:
        whole = inputs.whole if inputs.whole is not None and output != "docs" else inputs.changes
        packed = pack_compact(
            whole, inputs.context, compact_budget(inputs.policy.max_context_tokens)
        )
        if whole is not inputs.changes:
            # The description is checked against the files it was shown: on a later push
            # that is the whole PR, not only what the push changed.
            index, paths = LineMap(whole.files), frozenset(f.path for f in whole.files)
    return PreparedJob(
        plan=job_plan, title=title, model=output_model(job, output),
        shared_context=packed.text, instructions=shared.instructions(job, output),
        cache_key=job_plan.cache_key, index=index, pr_paths=paths, packed=packed,
        style=shared.style, excerpts=excerpts,
    )  # fmt: skip


def prepare_jobs(jobs: Iterable[JobPlan], inputs: JobInputs) -> list[PreparedJob]:
    """Prepare several jobs, packing each shared context once."""
    shared = _Shared(inputs)
    return [_prepare(j, shared) for j in jobs]


def prepare_job(job_plan: JobPlan, inputs: JobInputs) -> PreparedJob:
    """Prepare one job (the same packing ``prepare_jobs`` would give it)."""
    return _prepare(job_plan, _Shared(inputs))
