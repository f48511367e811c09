"""A small, deterministic generator of JSON instances that satisfy a JSON Schema.

It covers what structured-output schemas use: objects with required properties, ``$ref``
to ``$defs``/``definitions``, ``anyOf``/``oneOf``/``allOf``, enums and consts, arrays with
``minItems``, strings with length bounds and common formats, and bounded numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["fill_schema"]

_SHALLOW = 3  # below this depth, arrays get only their minItems (ends recursive schemas)
_MAX_DEPTH = 64
_FORMATS = {
    "date-time": "2027-01-15T08:00:00Z",
    "date": "2027-01-15",
    "time": "08:00:00Z",
    "email": "dev@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
}


def fill_schema(schema: Mapping[str, Any]) -> Any:
    """A valid instance of ``schema`` (the root may hold ``$defs``/``definitions``)."""
    return _Filler(schema).value(schema, "value", 0)


class _Filler:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        seen = 0
        while "$ref" in schema and seen < 32:
            ref = str(schema["$ref"])
            target: Any = self.root
            if ref not in {"#", "#/"}:
                for part in ref.removeprefix("#/").split("/"):
                    target = target[part.replace("~1", "/").replace("~0", "~")]
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **rest}
            seen += 1
        return schema

    def value(self, schema: Any, name: str, depth: int) -> Any:
        if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
            return None if depth > _MAX_DEPTH else name
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        if "allOf" in schema:
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                merged = _merge(merged, self.resolve(part))
            return self.value(merged, name, depth)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self.resolve(o) for o in schema[key]]
                chosen = next((o for o in options if o.get("type") != "null"), options[0])
                return self.value(chosen, name, depth)
        kind = _kind(schema)
        if kind == "object":
            return self.object(schema, depth)
        if kind == "array":
            return self.array(schema, name, depth)
        if kind == "string":
            return _string(schema, name)
        if kind in {"integer", "number"}:
            return _number(schema, integer=kind == "integer")
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return name

    def object(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        props: Mapping[str, Any] = schema.get("properties") or {}
        required = list(schema.get("required") or [])
        out: dict[str, Any] = {}
        for key in required:
            out[key] = self.value(props.get(key, {}), key, depth + 1)
        minimum = int(schema.get("minProperties", 0))
        for key in props:
            if len(out) >= minimum:
                break
            out.setdefault(key, self.value(props[key], key, depth + 1))
        return out

    def array(self, schema: Mapping[str, Any], name: str, depth: int) -> list[Any]:
        minimum = int(schema.get("minItems", 0))
        count = minimum if depth >= _SHALLOW else max(minimum, 1)
        if "maxItems" in schema:
            count = min(count, int(schema["maxItems"]))
        prefix = list(schema.get("prefixItems") or [])
        items = schema.get("items", {})
        out: list[Any] = []
        for i in range(max(count, len(prefix) if count else 0)):
            sub = prefix[i] if i < len(prefix) else items
            out.append(
                self.value(sub if isinstance(sub, Mapping) else {}, f"{name} {i + 1}", depth + 1)
            )
        if schema.get("uniqueItems") and all(isinstance(v, str) for v in out):
            out = [f"{v} {i + 1}" if out.count(v) > 1 else v for i, v in enumerate(out)]
        return out


def _kind(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), kind[0] if kind else None)
    if kind is None:
        if "properties" in schema or "required" in schema:
            return "object"
        if "items" in schema or "prefixItems" in schema:
            return "array"
    return kind if isinstance(kind, str) else None


def _merge(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        if key == "properties":
            out[key] = {**out.get(key, {}), **value}
        elif key == "required":
            out[key] = list(dict.fromkeys([*out.get(key, []), *value]))
        else:
            out.setdefault(key, value)
    return out


def _string(schema: Mapping[str, Any], name: str) -> str:
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS:
        return _FORMATS[fmt]
    text = f"{name.replace('_', ' ')} (emulated)"
    minimum = int(schema.get("minLength", 0))
    while len(text) < minimum:
        text += " lorem ipsum"
    if "maxLength" in schema:
        text = text[: int(schema["maxLength"])]
    return text[: max(minimum, len(text))]


def _number(schema: Mapping[str, Any], *, integer: bool) -> int | float:
    low = schema.get("minimum")
    high = schema.get("maximum")
    ex_low = schema.get("exclusiveMinimum")
    ex_high = schema.get("exclusiveMaximum")
    step = 1 if integer else 0.5
    if isinstance(ex_low, (int, float)) and not isinstance(ex_low, bool):
        low = ex_low + step if low is None else max(low, ex_low + step)
    if isinstance(ex_high, (int, float)) and not isinstance(ex_high, bool):
        high = ex_high - step if high is None else min(high, ex_high - step)
    value: float = 1
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    multiple = schema.get("multipleOf")
    if isinstance(multiple, (int, float)) and multiple > 0:
        value = math.ceil(value / multiple) * multiple
    return math.ceil(value) if integer else float(value)
