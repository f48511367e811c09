"""Output schemas stay inside what strict structured-output modes accept."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from pr_router.jobs import (
    ChangelogOutput,
    CommentOutput,
    DescribeOutput,
    DocsOutput,
    FailureOutput,
    ReviewOutput,
    SecurityOutput,
)
from pr_router.jobs.outputs import FindingsOutput, strict_schema
from pr_router.jobs.prompts import review_instructions, security_instructions

MODELS = [
    ReviewOutput,
    SecurityOutput,
    DescribeOutput,
    ChangelogOutput,
    DocsOutput,
    FailureOutput,
    CommentOutput,
]
_UNSUPPORTED = {"minLength", "maxLength", "minimum", "maximum", "pattern", "default", "format"}


def _objects(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("type") == "object":
            found.append(node)
        for value in node.values():
            found += _objects(value)
    elif isinstance(node, list):
        for value in node:
            found += _objects(value)
    return found


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        keys = set(node)
        if "properties" in node:
            keys -= {"properties"}
            for prop in node["properties"].values():
                keys |= _keys(prop)
            return keys | {
                k for v in node.values() if v is not node["properties"] for k in _keys(v)
            }
        return keys | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_schema_is_strict_mode_compatible(model: type[BaseModel]) -> None:
    schema = strict_schema(model)
    objects = _objects(schema)
    assert objects
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert sorted(obj["required"]) == sorted(obj["properties"])
    assert not (_keys(schema) & _UNSUPPORTED)


def test_security_findings_carry_cwe() -> None:
    schema = strict_schema(SecurityOutput)
    finding = schema["$defs"]["Finding"]
    assert "cwe" in finding["required"]
    assert finding["properties"]["cwe"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert finding["properties"]["side"]["enum"] == ["RIGHT", "LEFT"]
    assert finding["properties"]["severity"]["enum"] == [
        "critical",
        "high",
        "medium",
        "low",
        "info",
    ]
    assert strict_schema(ReviewOutput) == strict_schema(SecurityOutput)  # one shared schema


def test_enums() -> None:
    cl = strict_schema(ChangelogOutput)["properties"]["section"]["enum"]
    assert cl == ["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"]
    docs = strict_schema(DocsOutput)["$defs"]["DocSuggestion"]["properties"]["kind"]["enum"]
    assert docs == ["docstring", "readme", "cli-help", "config-reference"]
    assert strict_schema(FailureOutput)["properties"]["confidence"]["enum"] == [
        "high",
        "medium",
        "low",
    ]


def test_the_findings_schema_states_the_field_rules_once_without_derived_titles() -> None:
    # The rules live in the schema, which providers cache with the prefix that stays the
    # same from push to push; each job's instructions, paid in full on every run, point there.
    schema = strict_schema(FindingsOutput)
    assert schema["title"] == "FindingsOutput"  # the root keeps its name
    text = json.dumps(schema)
    assert '"title": "Start Line"' not in text
    assert '"title": "Finding"' not in text
    finding = schema["$defs"]["Finding"]["properties"]
    assert "title" in finding  # a property named "title" is kept, only the keyword goes
    assert "side RIGHT" in finding["start_line"]["description"]
    assert "side LEFT" in finding["start_line"]["description"]
    assert "critical:" in finding["severity"]["description"]
    assert "At most 25" in schema["properties"]["findings"]["description"]
    for instructions in (review_instructions(), security_instructions([])):
        assert "as the output schema describes" in instructions
        assert "side RIGHT" not in instructions
    # Stripping titles changes nothing a parser accepts.
    assert FindingsOutput.model_validate({"summary": "s", "findings": []}).findings == []
