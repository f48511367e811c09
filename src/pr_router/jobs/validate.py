"""Check a model's answer and turn it into a ``JobResult``, or reject it with the reason.

A rejection raises ``InvalidOutputError``; the executor then retries the job one tier up
(the cascade). What counts as *unusable*, per output kind:

- every job: no JSON object in the answer, or JSON that does not match the schema
  (the reason names the first failing field: ``schema: findings.0.start_line: field
  required``), or an answer cut at the output-token limit;
- ``findings`` (review, security, custom): neither a summary nor any finding ("empty
  output"); a finding with neither title nor explanation; or, with two findings or more,
  more than half of them on files the model was not shown ("3 of 4 findings reference
  files not in the diff": the model is describing some other change). Fewer bad
  references are repaired instead: a line outside the diff moves to the nearest
  commentable line of the same file (noted on the comment), a range is clamped into one
  hunk, a finding on a file outside the diff is kept in the review body;
- ``description``: an empty summary, or more than half of two or more walkthrough entries
  naming files that are not in the PR (fewer are dropped and counted);
- ``changelog``: a user-facing change with an empty entry;
- ``docs``: a suggestion without target or text (an empty list is a valid answer);
- ``failure``: an empty likely cause or fix;
- ``comment``: an empty body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pr_router.errors import InvalidOutputError
from pr_router.jobs.anchors import Anchor, normalise_path, place
from pr_router.jobs.inputs import JobInputs
from pr_router.jobs.outputs import (
    ChangelogOutput,
    CommentOutput,
    DescribeOutput,
    DocsOutput,
    FailureOutput,
    FindingsOutput,
)
from pr_router.jobs.prepare import PreparedJob, prepare_job
from pr_router.jobs.results import Finding, JobResult, Section, fingerprint
from pr_router.jobs.sections import (
    changelog_section,
    comment_section,
    describe_section,
    docs_section,
    failure_section,
    findings_section,
)
from pr_router.plan import JobPlan
from pr_router.providers.base import ModelResponse

__all__ = ["make_validator", "parse_output", "validator_for"]

M = TypeVar("M", bound=BaseModel)
_JSON_FENCE = re.compile(r"^```(?:json)?\s*\n(.*?)\n```\s*$", re.DOTALL)


def _reject(response: ModelResponse, reason: str) -> InvalidOutputError:
    return InvalidOutputError(reason, provider=response.provider, request_id=response.request_id)


def _json_of(response: ModelResponse) -> Any:
    if response.data is not None:
        return response.data
    text = response.text.strip()
    if not text:
        raise _reject(response, "empty output")
    fenced = _JSON_FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    elif "{" in text:
        text = text[text.index("{") : text.rindex("}") + 1]
    try:
        return json.loads(text)
    except ValueError as exc:
        raise _reject(response, f"not JSON: {exc}") from None


def _schema_reason(err: ValidationError) -> str:
    errors = err.errors()
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "(root)"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"schema: {where}: {first['msg'][:1].lower()}{first['msg'][1:]}{more}"


def parse_output(model: type[M], response: ModelResponse) -> M:
    """The response as ``model``; ``InvalidOutputError`` with the precise reason otherwise."""
    if response.truncated:
        raise _reject(response, f"output cut at the token limit (stop: {response.stop_reason})")
    data = _json_of(response)
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise _reject(response, _schema_reason(err)) from None


def _anchor(prepared: PreparedJob, raw: Any) -> Anchor:
    path = normalise_path(raw.file, prepared.index)
    if path not in prepared.packed.shown:
        return Anchor(path, None, raw.side, exact=False)
    return place(prepared.index, path, raw.start_line, raw.end_line, raw.side)


def _noop(prepared: PreparedJob, a: Anchor, suggestion: str | None) -> bool:
    """True when the suggestion is exactly the code it would replace."""
    if suggestion is None or a.line is None or a.side != "RIGHT":
        return False
    first = a.start_line or a.line
    current = [prepared.index.text_at(a.path, n, "RIGHT") for n in range(first, a.line + 1)]
    return None not in current and "\n".join(c or "" for c in current) == suggestion.rstrip("\n")


def _findings(prepared: PreparedJob, response: ModelResponse) -> JobResult:
    out = parse_output(FindingsOutput, response)
    if not out.summary.strip() and not out.findings:
        raise _reject(response, "empty output")
    for i, raw in enumerate(out.findings):
        if not raw.title.strip() and not raw.explanation.strip():
            raise _reject(response, f"findings.{i}: empty title and explanation")
    anchors = [_anchor(prepared, raw) for raw in out.findings]
    unseen = sum(1 for a in anchors if a.path not in prepared.packed.shown)
    if len(anchors) >= 2 and unseen * 2 > len(anchors):
        raise _reject(
            response, f"{unseen} of {len(anchors)} findings reference files not in the diff"
        )
    job, title = prepared.plan.job, prepared.title
    findings: list[Finding] = []
    notes: list[str] = []
    for i, (raw, a) in enumerate(zip(out.findings, anchors, strict=True)):
        if a.moved_from is not None:
            notes.append(f"findings.{i}: moved from {a.path}:{a.moved_from} to line {a.line}")
        elif a.line is None:
            notes.append(f"findings.{i}: {a.path} is not in the diff; kept in the review body")
        suggestion = None if _noop(prepared, a, raw.suggestion) else raw.suggestion
        findings.append(Finding(
            job=job, job_title=title, path=a.path, line=a.line, side=a.side,
            start_line=a.start_line, severity=raw.severity, category=raw.category,
            title=raw.title, explanation=raw.explanation, suggestion=suggestion,
            cwe=raw.cwe,
            moved_from=a.moved_from, exact=a.exact,
            fingerprint=fingerprint(job, a.path, raw.title, a.line),
        ))  # fmt: skip
    packed = prepared.packed
    section = findings_section(title, out.summary, findings, packed.not_seen, packed.listed_only)
    return JobResult(job, title, out, section, tuple(findings), packed.not_seen,
                     packed.listed_only, tuple(notes))  # fmt: skip


def _describe(prepared: PreparedJob, response: ModelResponse) -> JobResult:
    out = parse_output(DescribeOutput, response)
    if not out.summary.strip():
        raise _reject(response, "empty output: no summary")
    known = [
        w.model_copy(update={"path": path})
        for w in out.walkthrough
        if (path := normalise_path(w.path, prepared.index)) in prepared.pr_paths
    ]
    unknown = len(out.walkthrough) - len(known)
    if len(out.walkthrough) >= 2 and unknown * 2 > len(out.walkthrough):
        raise _reject(
            response,
            f"{unknown} of {len(out.walkthrough)} walkthrough entries name files not in the PR",
        )
    kept = out.model_copy(update={"walkthrough": known})
    section = describe_section(prepared.title, kept, unknown)
    notes = (f"{unknown} walkthrough entry(ies) dropped: files not in the PR",) if unknown else ()
    return JobResult(prepared.plan.job, prepared.title, kept, section, notes=notes)


def _simple(prepared: PreparedJob, response: ModelResponse) -> JobResult:
    job, title, kind = prepared.plan.job, prepared.title, prepared.plan.output
    section: Section
    if kind == "changelog":
        cl = parse_output(ChangelogOutput, response)
        if cl.user_facing and not cl.entry.strip():
            raise _reject(response, "empty output: user-facing change without an entry")
        return JobResult(job, title, cl, changelog_section(title, cl, prepared.style))
    if kind == "docs":
        docs = parse_output(DocsOutput, response)
        for i, s in enumerate(docs.suggestions):
            if not s.target.strip() or not s.text.strip():
                raise _reject(response, f"suggestions.{i}: empty target or text")
        return JobResult(job, title, docs, docs_section(title, docs))
    if kind == "failure":
        fo = parse_output(FailureOutput, response)
        if not fo.likely_cause.strip() or not fo.fix.strip():
            raise _reject(response, "empty output: no likely cause or fix")
        return JobResult(job, title, fo, failure_section(title, fo, prepared.excerpts))
    co = parse_output(CommentOutput, response)
    if not co.body.strip():
        raise _reject(response, "empty output")
    section = comment_section(title, co)
    return JobResult(job, title, co, section)


def make_validator(prepared: PreparedJob) -> Callable[[ModelResponse], JobResult]:
    """The validator of a prepared job (raises ``InvalidOutputError`` when unusable)."""
    kind = prepared.plan.output

    def validate(response: ModelResponse) -> JobResult:
        if kind == "findings":
            return _findings(prepared, response)
        if kind == "description":
            return _describe(prepared, response)
        return _simple(prepared, response)

    return validate


def validator_for(job_plan: JobPlan, inputs: JobInputs) -> Callable[[ModelResponse], JobResult]:
    """Parse and check a response of ``job_plan``'s job into a ``JobResult``."""
    return make_validator(prepare_job(job_plan, inputs))
