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


@functools.cache
def _openapi() -> dict[str, Any]:
    return json.loads((FIXTURES / "openai-openapi-subset.json").read_text(encoding="utf-8"))


@functools.cache
def _batch_lines() -> dict[str, Any]:
    return json.loads((FIXTURES / "batch-line-schemas.json").read_text(encoding="utf-8"))


def validate_openai(schema_name: str, instance: Any) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``instance`` is a valid ``schema_name``."""
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
