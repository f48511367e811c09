"""The schema-driven default output is always a valid instance."""

from __future__ import annotations

from typing import Any, Literal

import jsonschema
import pytest
from pydantic import BaseModel, Field

from pr_router.emulator.schema_fill import fill_schema


class Finding(BaseModel):
    path: str
    line: int = Field(ge=1)
    severity: Literal["low", "medium", "high"]
    note: str | None


class Review(BaseModel):
    summary: str = Field(min_length=40, max_length=60)
    findings: list[Finding] = Field(min_length=2)
    score: float = Field(gt=0, le=1)
    approve: bool
    tags: list[str] = []


SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
    {"type": "string", "enum": ["x", "y"]},
    {"const": 7},
    {"type": "integer", "minimum": 10, "maximum": 12},
    {"type": "integer", "exclusiveMinimum": 0, "multipleOf": 5},
    {"type": "number", "exclusiveMaximum": 0},
    {"type": ["string", "null"], "minLength": 3, "maxLength": 5},
    {"type": "array", "items": {"type": "boolean"}, "minItems": 3},
    {"type": "array", "items": {"type": "string"}, "maxItems": 0},
    {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}]},
    {"type": "string", "format": "date-time"},
    {
        "anyOf": [
            {"type": "null"},
            {"type": "object", "required": ["k"], "properties": {"k": {"type": "integer"}}},
        ]
    },
    {
        "allOf": [
            {"properties": {"a": {"type": "string"}}, "required": ["a"]},
            {"required": ["b"], "properties": {"b": {"type": "integer"}}},
        ]
    },
    {
        "type": "object",
        "minProperties": 2,
        "properties": {"a": {"type": "null"}, "b": {"type": "number"}},
    },
    {
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
                "required": ["kids"],
            }
        },
        "$ref": "#/$defs/Node",
    },
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=range(len(SCHEMAS)))
def test_generated_instance_is_valid(schema: dict[str, Any]) -> None:
    instance = fill_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(instance)


def test_pydantic_schema_round_trips() -> None:
    schema = Review.model_json_schema()
    value = fill_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(value)
    review = Review.model_validate(value)
    assert len(review.findings) == 2
    assert fill_schema(schema) == value  # deterministic
