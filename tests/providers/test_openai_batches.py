"""OpenAI Files + Batches on /v1/responses through the real SDK against the emulator."""

from __future__ import annotations

import contextlib
import json

from pr_router.emulator import FakeClock, Rule
from pr_router.tokens import TokenUsage

from .factories import ANSWER, emulator, openai, request

MODEL = "gpt-6-luna"


def test_lifecycle_maps_every_terminal_item_state(stack: contextlib.ExitStack) -> None:
    clock = FakeClock()
    emu = emulator(
        stack,
        Rule(custom_id="changelog", item="errored"),
        Rule(custom_id="docs", item="expired"),
        Rule(custom_id="failure", item="canceled"),
        Rule(output=ANSWER),
        clock=clock,
        batch_duration_s=120.0,
    )
    provider = openai(stack, emu)
    jobs = ("describe", "changelog", "docs", "failure")

    handle = provider.submit_batch([request(j, model=MODEL, effort=None) for j in jobs])

    upload = emu.requests.where("POST", "/v1/files")[0]
    assert b'name="purpose"\r\n\r\nbatch' in upload.body
    created = emu.requests.where("POST", "/v1/batches")[0].json
    assert created["endpoint"] == "/v1/responses"
    assert created["completion_window"] == "24h"
    assert provider.batch_state(handle) == "in_progress"
    clock.advance(120.0)
    assert provider.batch_state(handle) == "ended"

    results = {r.custom_id: r for r in provider.batch_results(handle)}

    assert [results[j].status for j in jobs] == ["succeeded", "errored", "expired", "canceled"]
    ok = results["describe"].response
    assert ok is not None
    assert ok.batch is True
    assert ok.data == ANSWER
    assert ok.request_id is not None
    assert ok.usage.output == 11
    assert results["changelog"].error == "HTTP 400: The request failed (emulated)."
    assert "batch_expired" in (results["docs"].error or "")
    assert "batch_cancelled" in (results["failure"].error or "")


def test_input_file_has_one_responses_line_per_request(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack)
    provider = openai(stack, emu)

    provider.submit_batch([request("describe", model=MODEL), request("docs", model=MODEL)])

    body = emu.requests.where("POST", "/v1/files")[0].body
    start = body.index(b"{")
    end = body.rindex(b"}") + 1
    lines = body[start:end].decode().split("\n")
    parsed = [json.loads(line) for line in lines]
    assert [p["custom_id"] for p in parsed] == ["describe", "docs"]
    assert {p["url"] for p in parsed} == {"/v1/responses"}
    assert {p["method"] for p in parsed} == {"POST"}
    assert parsed[0]["body"]["model"] == MODEL


def test_whole_batch_failed_reports_every_item_with_the_reason(
    stack: contextlib.ExitStack,
) -> None:
    clock = FakeClock()
    emu = emulator(stack, Rule(batch="failed"), clock=clock, batch_duration_s=10.0)
    provider = openai(stack, emu)
    handle = provider.submit_batch([request("describe", model=MODEL), request("docs", model=MODEL)])

    clock.advance(10.0)

    assert provider.batch_state(handle) == "failed"
    results = provider.batch_results(handle)
    assert [r.status for r in results] == ["errored", "errored"]
    assert all((r.error or "").startswith("batch failed: ") for r in results)
    assert all("failed validation" in (r.error or "") for r in results)


def test_whole_batch_expired_reports_every_item_expired(stack: contextlib.ExitStack) -> None:
    clock = FakeClock()
    emu = emulator(stack, Rule(batch="expired"), clock=clock)
    provider = openai(stack, emu)
    handle = provider.submit_batch([request("describe", model=MODEL), request("docs", model=MODEL)])

    clock.advance(24 * 3600.0)

    assert provider.batch_state(handle) == "ended"
    assert [r.status for r in provider.batch_results(handle)] == ["expired", "expired"]


def test_cancelled_batch_reports_every_item_canceled(stack: contextlib.ExitStack) -> None:
    clock = FakeClock()
    emu = emulator(stack, clock=clock, batch_duration_s=600.0)
    provider = openai(stack, emu)
    handle = provider.submit_batch([request("describe", model=MODEL), request("docs", model=MODEL)])
    clock.advance(5.0)

    provider.cancel_batch(handle)
    clock.advance(5.0)

    assert provider.batch_state(handle) == "ended"
    assert [r.status for r in provider.batch_results(handle)] == ["canceled", "canceled"]


def test_batch_usage_is_mapped_like_a_sync_call(stack: contextlib.ExitStack) -> None:
    clock = FakeClock()
    emu = emulator(stack, Rule(output=ANSWER), clock=clock, batch_duration_s=1.0)
    provider = openai(stack, emu)
    handle = provider.submit_batch([request("describe", model=MODEL, effort="low")])
    clock.advance(1.0)

    (result,) = provider.batch_results(handle)

    assert result.response is not None
    # 2,104 prompt tokens, 2,048 of them written to the cache (gpt-6 reports writes);
    # 11 visible output + int(11 * 0.25) = 2 reasoning at effort low.
    assert result.response.usage == TokenUsage(
        input=56, cache_write_5m=2048, output=13, reasoning=2
    )
