"""Pydantic validation errors rewritten as policy problems a user can act on.

Each error becomes one ``Problem`` at the line and column where the offending key or value
is written, with a message that says what was expected and what was found, in the words of
the policy file (``class``, not ``job_class``), and a suggestion for near-miss names.
"""

from __future__ import annotations

import difflib
import re
import types
from decimal import Decimal
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from pr_router.policy._yaml import Document, FieldPath, Problem
from pr_router.policy.models import JobName, Policy

__all__ = ["allowed_keys", "close_match", "format_path", "problems_from", "show"]

_JOB_NAME_PATTERN = get_args(JobName)[1].metadata[0].pattern
_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "decimal_type": "a number",
    "decimal_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
}
_BOUNDS = {
    "greater_than_equal": ("ge", ">="),
    "greater_than": ("gt", ">"),
    "less_than_equal": ("le", "<="),
    "less_than": ("lt", "<"),
}


def format_path(path: FieldPath) -> str:
    """``jobs.review.tier``, ``rules[0].if.paths_any[1]``, ``prices['gpt-6.1-sol']``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z0-9_-]+", part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


def close_match(word: str, choices: list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or nothing."""
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {found[0]!r}?)" if found else ""


def show(value: object) -> str:
    """A found value as the message shows it: short, and in YAML's words."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, Decimal | float | int):
        return str(value)
    return type(value).__name__  # pragma: no cover - YAML yields only the types above


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            tp = next(a for a in get_args(tp) if a is not type(None))
        else:
            return tp


def allowed_keys(path: FieldPath) -> list[str] | None:
    """The keys the model at ``path`` accepts (aliases as written in YAML), if it is a model."""
    tp: Any = Policy
    for part in path:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            by_key = {(f.alias or n): f for n, f in tp.model_fields.items()}
            if not isinstance(part, str) or part not in by_key:
                return None
            tp = by_key[part].annotation
        elif get_origin(tp) in (dict, list):
            tp = get_args(tp)[-1]
        else:
            return None
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or n for n, f in tp.model_fields.items()]
    return None


def _choices(ctx: dict[str, Any]) -> list[str]:
    return re.findall(r"'([^']*)'", str(ctx.get("expected", "")))


def _literal(error: ErrorDetails, ctx: dict[str, Any]) -> tuple[str, str | None]:
    """``expected one of 'a', 'b', got 'c'``, with the closest choice as the hint."""
    choices, found = _choices(ctx), error["input"]
    if not choices:  # a non-string Literal, such as `version: 1`
        return f"expected {ctx.get('expected')}, got {show(found)}", None
    expected = ", ".join(repr(c) for c in choices)
    one_of = "one of " if len(choices) > 1 else ""
    close = difflib.get_close_matches(found, choices, n=1) if isinstance(found, str) else []
    hint = f"did you mean {close[0]!r}?" if close else None
    return f"expected {one_of}{expected}, got {show(found)}", hint


def _message(error: ErrorDetails) -> tuple[str, str | None]:
    """Message and hint for one error (keys are handled by ``_key_problem``)."""
    kind, ctx, found = error["type"], dict(error.get("ctx") or {}), error["input"]
    if kind == "missing":
        return "required key is missing", None
    if kind == "literal_error":
        return _literal(error, ctx)
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {show(found)}", None
    if kind == "finite_number":
        return f"expected a finite number, got {show(found)}", None
    if kind in _BOUNDS:
        key, sign = _BOUNDS[kind]
        return f"must be {sign} {ctx[key]}, got {show(found)}", None
    if kind == "string_too_short":
        return f"must be at least {ctx['min_length']} character(s) long", None
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters long", None
    if kind == "decimal_max_places":
        return f"at most {ctx['decimal_places']} decimal places, got {show(found)}", None
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == _JOB_NAME_PATTERN:
        message = f"invalid job name {show(found)}"
        return message, "job names are lowercase letters, digits and '-', up to 40 characters"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])), None
    msg = error["msg"]
    return msg[:1].lower() + msg[1:], None


def _key_problem(error: ErrorDetails, doc: Document) -> Problem | None:
    """Unknown keys (extra fields, or dict keys outside a Literal) with a suggestion."""
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        path, key = loc, str(loc[-1])
        choices = allowed_keys(loc[:-1]) or []
    elif loc and loc[-1] == "[key]" and error["type"] == "literal_error":
        path, key = loc[:-1], str(error["input"])
        choices = _choices(dict(error.get("ctx") or {}))
    else:
        return None
    line, column = doc.key_at(path)
    hint = f"valid keys here: {', '.join(choices)}" if choices else None
    return Problem(f"unknown key {key!r}{close_match(key, choices)}", line, column, path, hint)


def _incomplete_job(job: str, missing: str, loc: FieldPath, doc: Document) -> Problem:
    """A custom job without its required keys; most often a misspelt built-in job."""
    from pr_router.policy.catalog import BUILTIN_JOBS

    path = (*loc, job)
    line, column = doc.key_at(path)
    builtin = close_match(job, list(BUILTIN_JOBS))
    hint = "custom jobs set class, tier, output and prompt (see policies/strict.yml)"
    if builtin:
        hint = f"built-in jobs are: {', '.join(BUILTIN_JOBS)}; any other name is a custom job"
    return Problem(f"custom job {job!r} needs: {missing}{builtin}", line, column, path, hint)


def _problem(error: ErrorDetails, doc: Document) -> Problem:
    keyed = _key_problem(error, doc)
    if keyed is not None:
        return keyed
    loc: FieldPath = tuple(p for p in error["loc"] if p != "[key]")
    ctx = dict(error.get("ctx") or {})
    if error["type"] == "custom_job_incomplete":
        return _incomplete_job(str(ctx["job"]), str(ctx["missing"]), loc, doc)
    message, hint = _message(error)
    on_key = error["loc"][-1:] == ("[key]",) or error["type"] == "missing"
    line, column = doc.key_at(loc) if on_key else doc.value_at(loc)
    return Problem(message, line, column, loc, hint)


def problems_from(exc: ValidationError, doc: Document) -> list[Problem]:
    """One problem per validation error, skipping errors inside an entry whose key is wrong."""
    errors = exc.errors()
    bad_keys = [tuple(e["loc"][:-1]) for e in errors if e["loc"][-1:] == ("[key]",)]
    kept = [
        e
        for e in errors
        if e["loc"][-1:] == ("[key]",) or not any(tuple(e["loc"][: len(k)]) == k for k in bad_keys)
    ]
    return [_problem(e, doc) for e in kept]
