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

MAX_FINDINGS = 25  # findings per answer, as the schema asks

__all__ = [
    "MAX_FINDINGS",
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
# second job read the PR context from the prompt cache. The schema is also where the field
# rules are stated, once: it sits in the prefix that stays the same from push to push, so
# it is cached across runs, where each job's own instructions are paid in full by every
# job on every run. The docstrings and descriptions are what the model reads: these notes
# stay out of them.
class Finding(_Out):
    """One problem found in the diff, anchored to lines of the diff listing."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_all_required)

    file: str = Field(
        description='The path exactly as in a "###" heading of the diff; only files whose '
        "hunks are shown."
    )
    start_line: int = Field(
        description="First line of the range, from the listing: added and context lines by "
        "their new number (side RIGHT), removed lines by their old number (side LEFT)."
    )
    end_line: int = Field(
        description="Last line (start_line for one line), in the same hunk; >= start_line."
    )
    side: Side = Field(description="RIGHT for added or context lines, LEFT for removed lines.")
    severity: Severity = Field(
        description="critical: exploitable hole, data loss, crash on the main path; high: "
        "wrong behaviour users will hit; medium: a real defect in a less common path; low: "
        "minor defect; info: worth knowing, no defect."
    )
    category: str = Field(description="One word or two: bug, correctness, performance, ...")
    # Lenient when parsing (a missing CWE means none), required in the schema sent to the
    # providers (strict structured output wants every property listed).
    cwe: str | None = Field(
        default=None,
        description='The closest CWE id ("CWE-79") when the finding is a security weakness, '
        "else null.",
    )
    title: str = Field(description="Under 80 characters.")
    explanation: str = Field(description="What goes wrong, when, and why, briefly.")
    suggestion: str | None = Field(
        description="The full replacement code for lines start_line..end_line on side RIGHT, "
        "without line numbers or +/- marks; null when a code change is not obvious or side "
        "is LEFT."
    )


class FindingsOutput(_Out):  # the review's, the security scan's and custom findings jobs'
    """A summary of the change and the problems found in its diff."""

    summary: str = Field(description="Two to five sentences, as the task says.")
    findings: list[Finding] = Field(
        description=f"At most {MAX_FINDINGS}, most important first. An empty list is a valid "
        "answer when nothing is worth reporting."
    )


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


def _untitled(node: Any, *, root: bool = False) -> Any:
    """``node`` without the titles pydantic derives from names (the root keeps its own)."""
    if isinstance(node, list):
        return [_untitled(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" and not root and isinstance(value, str):
            continue
        if key in ("properties", "$defs") and isinstance(value, dict):
            out[key] = {name: _untitled(sub) for name, sub in value.items()}
        else:
            out[key] = _untitled(value)
    return out


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema, as sent to the provider.

    Pydantic titles every property and definition after its name ("Start Line" for
    ``start_line``); they tell the model nothing the name does not, and every job pays for
    them in its prompt, so only the root keeps its title.
    """
    schema: dict[str, Any] = _untitled(model.model_json_schema(), root=True)
    return schema
