"""Usage and batch-line mapping, on tables of wire shapes (no network)."""

from __future__ import annotations

from typing import Any

import pytest

from pr_router.providers import _anthropic_wire as anthropic_wire
from pr_router.providers import _openai_wire as openai_wire
from pr_router.providers._common import complete_results, status_hint
from pr_router.providers.base import BatchHandle, BatchItemResult
from pr_router.tokens import TokenUsage


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        pytest.param(
            {"input_tokens": 12, "output_tokens": 30},
            TokenUsage(input=12, output=30),
            id="plain",
        ),
        pytest.param(
            {
                "input_tokens": 5,
                "cache_creation_input_tokens": 3000,
                "cache_read_input_tokens": 0,
                "cache_creation": {
                    "ephemeral_5m_input_tokens": 1000,
                    "ephemeral_1h_input_tokens": 2000,
                },
                "output_tokens": 40,
            },
            TokenUsage(input=5, cache_write_5m=1000, cache_write_1h=2000, output=40),
            id="writes split by ttl",
        ),
        pytest.param(
            {"input_tokens": 5, "cache_creation_input_tokens": 700, "output_tokens": 1},
            TokenUsage(input=5, cache_write_5m=700, output=1),
            id="no breakdown: all writes are 5m",
        ),
        pytest.param(
            {
                "input_tokens": 5,
                "cache_read_input_tokens": 2096,
                "cache_creation_input_tokens": None,
                "cache_creation": None,
                "output_tokens": 22,
                "output_tokens_details": {"thinking_tokens": 11},
            },
            TokenUsage(input=5, cache_read=2096, output=22, reasoning=11),
            id="read and thinking",
        ),
    ],
)
def test_anthropic_usage(usage: dict[str, Any], expected: TokenUsage) -> None:
    assert anthropic_wire.usage_of(usage) == expected


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        pytest.param(
            {
                "input_tokens": 2103,
                "output_tokens": 22,
                "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 2048},
                "output_tokens_details": {"reasoning_tokens": 11},
            },
            TokenUsage(input=55, cache_write_5m=2048, output=22, reasoning=11),
            id="write",
        ),
        pytest.param(
            {
                "input_tokens": 2104,
                "output_tokens": 22,
                "input_tokens_details": {"cached_tokens": 2048, "cache_write_tokens": 0},
                "output_tokens_details": {"reasoning_tokens": 0},
            },
            TokenUsage(input=56, cache_read=2048, output=22),
            id="read",
        ),
        pytest.param(
            {"input_tokens": 300, "output_tokens": 9},
            TokenUsage(input=300, output=9),
            id="no details",
        ),
    ],
)
def test_openai_usage(usage: dict[str, Any], expected: TokenUsage) -> None:
    assert openai_wire.usage_of(usage) == expected


def test_complete_results_reports_every_submitted_id_once_in_order() -> None:
    handle = BatchHandle("anthropic", "b1", ("a", "b", "c"))
    found = [
        BatchItemResult("c", "expired", error="expired"),
        BatchItemResult("zz", "errored", error="not ours"),
        BatchItemResult("a", "canceled", error="first"),
        BatchItemResult("a", "errored", error="second line for the same id"),
    ]

    results = complete_results(handle, found)

    assert [(r.custom_id, r.status, r.error) for r in results] == [
        ("a", "canceled", "first"),
        ("b", "errored", "missing from results"),
        ("c", "expired", "expired"),
    ]


@pytest.mark.parametrize(
    ("line", "status", "error"),
    [
        ({"custom_id": "x", "response": None,
          "error": {"code": "batch_expired", "message": "too late"}},
         "expired", "batch_expired: too late"),
        ({"custom_id": "x", "response": None,
          "error": {"code": "batch_cancelled", "message": "stopped"}},
         "canceled", "batch_cancelled: stopped"),
        ({"custom_id": "x", "response": {"status_code": 500, "request_id": "r",
          "body": {"error": {"message": "boom", "type": "server_error", "code": None}}}},
         "errored", "HTTP 500: boom"),
        ({"custom_id": "x", "response": {"status_code": 200, "request_id": "r", "body": {}}},
         "errored", "the response has no usage object"),
        ({"custom_id": "x"}, "errored", "result line without response or error"),
    ],
)  # fmt: skip
def test_openai_batch_lines(line: dict[str, Any], status: str, error: str) -> None:
    result = openai_wire.batch_line(line)

    assert (result.custom_id, result.status, result.error) == ("x", status, error)
    assert result.response is None


def test_openai_unreadable_lines_are_left_to_the_missing_check() -> None:
    assert openai_wire.parse_jsonl('\n{"custom_id": "x", "error": {"code": "e"}}\nnot json\n') == [
        BatchItemResult("x", "errored", error="e")
    ]


@pytest.mark.parametrize(
    ("line", "status", "error"),
    [
        ({"custom_id": "x", "result": {"type": "errored", "error": {"type": "error",
          "error": {"type": "invalid_request_error", "message": "bad max_tokens"}}}},
         "errored", "invalid_request_error: bad max_tokens"),
        ({"custom_id": "x", "result": {"type": "succeeded", "message": {"content": []}}},
         "errored", "malformed result: the message has no usage object"),
        ({"custom_id": "x", "result": {"type": "archived"}},
         "errored", "unknown result type 'archived'"),
    ],
)  # fmt: skip
def test_anthropic_batch_lines(line: dict[str, Any], status: str, error: str) -> None:
    result = anthropic_wire.batch_item(line)

    assert (result.status, result.error) == (status, error)


@pytest.mark.parametrize(
    ("provider", "variable"), [("anthropic", "ANTHROPIC_API_KEY"), ("openai", "OPENAI_API_KEY")]
)
def test_a_rejected_key_names_the_variable(provider: str, variable: str) -> None:
    assert status_hint(provider, 401) == f"check {variable} (the key was rejected)"
