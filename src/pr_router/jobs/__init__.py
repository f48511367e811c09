"""The jobs: prompts, context packing, output schemas, validation and results.

For every running job of a plan, ``build_calls`` gives the executor a ``JobCall``: the
``ModelRequest`` (system preamble + shared PR context + job instructions, laid out so jobs
sharing a context share a cacheable prefix) and a ``validate`` function that turns the
model's answer into a ``JobResult`` or raises ``InvalidOutputError`` (cascade one tier up).
Everything here is pure: values in, values out, no network.

Custom jobs are declared in the policy like built-ins, with a ``prompt`` and an
``output`` of ``findings`` (inline comments, validated like the review) or ``comment``
(a section of the summary comment). A migration reviewer on the frontier tier::

    jobs:
      migration-review:
        class: critical
        tier: frontier
        output: findings
        title: Migration review
        when:
          paths_any: ["migrations/**"]
        prompt: |
          Review the database migrations in this diff. Look for locking operations on
          large tables, non-reversible steps without a down migration, data loss,
          missing indexes for new foreign keys, and changes that break the running
          version of the application during a rolling deploy.

It gets the same diff context as the review (and shares its cached prefix on the same
model), its findings are anchored and checked against the diff, and its section in the
summary comment is titled "Migration review". See ``docs/custom-jobs.md``.
"""

from __future__ import annotations

from pr_router.jobs.build import JobCall, build_calls, build_failure_request, unbuildable
from pr_router.jobs.changelog_style import ChangelogStyle, detect_changelog_style
from pr_router.jobs.context import Omitted, PackedContext, pack_compact, pack_diff
from pr_router.jobs.failure_logs import LogExcerpt, LogRegion, extract_failure
from pr_router.jobs.inputs import FailureLog, JobInputs
from pr_router.jobs.outputs import (
    ChangelogOutput,
    CommentOutput,
    DescribeOutput,
    DocsOutput,
    FailureOutput,
    ReviewOutput,
    SecurityOutput,
)
from pr_router.jobs.results import Finding, JobResult, Section, fingerprint
from pr_router.jobs.sanitize import fence, sanitize_output, sanitize_text
from pr_router.jobs.validate import parse_output, validator_for

__all__ = [
    "ChangelogOutput",
    "ChangelogStyle",
    "CommentOutput",
    "DescribeOutput",
    "DocsOutput",
    "FailureLog",
    "FailureOutput",
    "Finding",
    "JobCall",
    "JobInputs",
    "JobResult",
    "LogExcerpt",
    "LogRegion",
    "Omitted",
    "PackedContext",
    "ReviewOutput",
    "Section",
    "SecurityOutput",
    "build_calls",
    "build_failure_request",
    "detect_changelog_style",
    "extract_failure",
    "fence",
    "fingerprint",
    "pack_compact",
    "pack_diff",
    "parse_output",
    "sanitize_output",
    "sanitize_text",
    "unbuildable",
    "validator_for",
]
