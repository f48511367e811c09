"""What each job asks the model to return: pydantic models that double as the JSON schema.

Schemas stay inside what both providers' strict structured-output modes accept: every
property is required (optional values are ``X | None`` without a default), objects forbid
extra keys, no open dicts and no length or range keywords. Limits that strict modes cannot
express (non-empty text, sane line numbers) are checked in ``validate``, which can name the
exact problem.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ChangelogOutput",
    "CommentOutput",
    "DescribeOutput",
    "DocSuggestion",
    "DocsOutput",
    "FailureOutput",
    "Finding",
    "FindingsOutput",
    "JobOutput",
    "ReviewFinding",
    "ReviewOutput",
    "SecurityFinding",
    "SecurityOutput",
    "Severity",
    "WalkthroughEntry",
    "strict_schema",
]

Severity = Literal["critical", "high", "medium", "low", "info"]
Side = Literal["RIGHT", "LEFT"]
ChangelogSection = Literal["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"]
DocKind = Literal["docstring", "readme", "cli-help", "config-reference"]
Confidence = Literal["high", "medium", "low"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _all_required(schema: dict[str, Any]) -> None:
    """Strict structured output: every property required, no defaults in the schema."""
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)
    schema["required"] = list(schema.get("properties", {}))


# Every findings job (review, security, custom) answers with this one schema: providers
# treat the output schema as part of the prompt prefix, so a shared schema is what lets the
# second job read the PR context from the prompt cache. The docstring is the schema's
# description, which the model reads: this note stays out of it.
class Finding(_Out):
    """One problem found in the diff, anchored to lines of the diff listing."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_all_required)

    file: str = Field(description="Path exactly as in the diff listing.")
    start_line: int = Field(description="First line of the range, numbered as in the listing.")
    end_line: int = Field(description="Last line (same as start_line for one line).")
    side: Side = Field(description="RIGHT for added or context lines, LEFT for removed lines.")
    severity: Severity
    category: str = Field(description="One word or two: bug, correctness, performance, ...")
    # Lenient when parsing (a missing CWE means none), required in the schema sent to the
    # providers (strict structured output wants every property listed).
    cwe: str | None = Field(
        default=None, description='CWE id such as "CWE-79" for a security weakness, else null.'
    )
    title: str = Field(description="Short headline, under 80 characters.")
    explanation: str = Field(description="Why it is a problem and what happens, in Markdown.")
    suggestion: str | None = Field(
        description="Replacement code for lines start_line..end_line, or null."
    )


class FindingsOutput(_Out):
    """Output of the review and security jobs and of custom ``findings`` jobs."""

    summary: str = Field(description="Two to five sentences on the change and its risks.")
    findings: list[Finding]


# The jobs' names for the shared schema.
ReviewFinding: TypeAlias = Finding
SecurityFinding: TypeAlias = Finding
ReviewOutput: TypeAlias = FindingsOutput
SecurityOutput: TypeAlias = FindingsOutput


class WalkthroughEntry(_Out):
    """One line of the per-file walkthrough."""

    path: str
    change: str = Field(description="One line: what changed in this file and why.")


class DescribeOutput(_Out):
    """Output of the describe job: a PR description."""

    summary: str = Field(description="What the PR does and why, in Markdown, a short paragraph.")
    walkthrough: list[WalkthroughEntry]


class ChangelogOutput(_Out):
    """Output of the changelog job: one entry, or a statement that none is needed."""

    user_facing: bool = Field(description="False when users of the project would not notice.")
    section: ChangelogSection
    entry: str = Field(description="The entry text, one or two lines, without the bullet.")


class DocSuggestion(_Out):
    """One documentation change the PR calls for."""

    target: str = Field(description="File, symbol or flag the text belongs to.")
    kind: DocKind
    text: str = Field(description="The proposed documentation text, ready to paste.")


class DocsOutput(_Out):
    """Output of the docs job."""

    suggestions: list[DocSuggestion]


class FailureOutput(_Out):
    """Output of the failure-summary job."""

    likely_cause: str = Field(description="The most likely cause, in one or two sentences.")
    failing_step: str = Field(description="The step or test that failed first.")
    fix: str = Field(description="What to change to fix it, concretely.")
    confidence: Confidence


class CommentOutput(_Out):
    """Output of a custom ``comment`` job: one Markdown section."""

    body: str = Field(description="The comment, in Markdown.")


JobOutput: TypeAlias = (
    FindingsOutput | DescribeOutput | ChangelogOutput | DocsOutput | FailureOutput | CommentOutput
)


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema, as sent to the provider."""
    return model.model_json_schema()
