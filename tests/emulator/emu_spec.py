"""Validators for OpenAI wire shapes, from the committed OpenAPI subsets."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

FIXTURES = Path(__file__).parent.parent / "fixtures" / "providers"


def _nullable_to_31(node: Any) -> Any:
    """The 3.1 description still says ``nullable: true`` in places; JSON Schema ignores that
    keyword, so spell it as the 3.1 way (a ``null`` alternative) before validating."""
    if isinstance(node, list):
        return [_nullable_to_31(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable_to_31(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def _openapi() -> dict[str, Any]:
    text = (FIXTURES / "openai-openapi-subset.json").read_text(encoding="utf-8")
    return _nullable_to_31(json.loads(text))  # type: ignore[no-any-return]


@functools.cache
def _batch_lines() -> dict[str, Any]:
    return json.loads((FIXTURES / "batch-line-schemas.json").read_text(encoding="utf-8"))


def drop_nulls(node: Any) -> Any:
    """``node`` without null-valued keys.

    For Batch and OpenAIFile the description marks many fields optional but not nullable,
    while its own examples (and the API) send ``null`` for them: validate without those keys.
    """
    if isinstance(node, dict):
        return {k: drop_nulls(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [drop_nulls(v) for v in node]
    return node


def validate_openai(schema_name: str, instance: Any, *, nulls_as_absent: bool = False) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``instance`` is a valid ``schema_name``."""
    if nulls_as_absent:
        instance = drop_nulls(instance)
    root = _openapi()
    registry: Registry[Any] = Registry().with_resource(
        "urn:openai", Resource.from_contents(root, default_specification=DRAFT202012)
    )
    schema = {"$ref": f"urn:openai#/components/schemas/{schema_name}"}
    validator = jsonschema.Draft202012Validator(schema, registry=registry)
    validator.validate(instance)


def validate_batch_line(schema_name: str, instance: Any) -> None:
    """Validate a batch input/output line (OpenAPI 3.0 dialect)."""
    root = _batch_lines()
    schema = {**root["components"]["schemas"][schema_name], "components": root["components"]}
    OAS30Validator(schema).validate(instance)
