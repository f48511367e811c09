"""Anthropic Message Batches through the real SDK against the emulator."""

from __future__ import annotations

import contextlib

import pytest

from pr_router.emulator import FakeClock, Rule
from pr_router.errors import ProviderError
from pr_router.tokens import TokenUsage

from .factories import ANSWER, anthropic, emulator, request

MODEL = "claude-haiku-5-5"


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
    provider = anthropic(stack, emu)
    jobs = ("describe", "changelog", "docs", "failure")

    handle = provider.submit_batch([request(j, model=MODEL, effort=None) for j in jobs])

    assert handle.provider == "anthropic"
    assert handle.custom_ids == jobs
    assert handle.models == dict.fromkeys(jobs, MODEL)
    body = emu.requests.where("POST", "/v1/messages/batches")[0].json
    assert [r["custom_id"] for r in body["requests"]] == list(jobs)
    assert body["requests"][0]["params"]["model"] == MODEL
    assert provider.batch_state(handle) == "in_progress"
    clock.advance(120.0)
    assert provider.batch_state(handle) == "ended"

    results = {r.custom_id: r for r in provider.batch_results(handle)}

    assert [results[j].status for j in jobs] == ["succeeded", "errored", "expired", "canceled"]
    ok = results["describe"].response
    assert ok is not None
    assert ok.batch is True
    assert ok.data == ANSWER
    # schema "describe" 354 chars -> 89, system 7, context 2000, "Do the describe job." 5.
    assert ok.usage == TokenUsage(input=89 + 7 + 2000 + 5, output=11)
    assert results["changelog"].error is not None
    assert results["changelog"].response is None
    assert all(results[j].error for j in ("docs", "failure"))


def test_cancelled_batch_ends_with_every_item_canceled(stack: contextlib.ExitStack) -> None:
    clock = FakeClock()
    emu = emulator(stack, clock=clock, batch_duration_s=600.0)
    provider = anthropic(stack, emu)
    handle = provider.submit_batch([request("describe", model=MODEL), request("docs", model=MODEL)])

    provider.cancel_batch(handle)
    clock.advance(5.0)

    assert provider.batch_state(handle) == "ended"
    assert [r.status for r in provider.batch_results(handle)] == ["canceled", "canceled"]


def test_whole_batch_expired(stack: contextlib.ExitStack) -> None:
    clock = FakeClock()
    emu = emulator(stack, Rule(batch="expired"), clock=clock)
    provider = anthropic(stack, emu)
    handle = provider.submit_batch([request("describe", model=MODEL), request("docs", model=MODEL)])

    clock.advance(24 * 3600.0)

    assert provider.batch_state(handle) == "ended"
    results = provider.batch_results(handle)
    assert [r.status for r in results] == ["expired", "expired"]
    assert all(r.error for r in results)


def test_whole_batch_failed_reports_every_item_errored(stack: contextlib.ExitStack) -> None:
    clock = FakeClock()
    emu = emulator(stack, Rule(batch="failed"), clock=clock, batch_duration_s=1.0)
    provider = anthropic(stack, emu)
    handle = provider.submit_batch([request("describe", model=MODEL), request("docs", model=MODEL)])

    clock.advance(1.0)

    results = provider.batch_results(handle)
    assert [r.status for r in results] == ["errored", "errored"]
    assert all("api_error" in (r.error or "") for r in results)


def test_invalid_item_params_show_up_as_an_errored_result(stack: contextlib.ExitStack) -> None:
    clock = FakeClock()
    emu = emulator(stack, clock=clock, batch_duration_s=1.0)
    provider = anthropic(stack, emu)
    handle = provider.submit_batch(
        [request("describe", model=MODEL), request("docs", model=MODEL, max_output_tokens=0)]
    )
    clock.advance(1.0)

    results = provider.batch_results(handle)

    assert [r.status for r in results] == ["succeeded", "errored"]
    assert "invalid_request_error" in (results[1].error or "")


def test_results_before_the_end_are_a_provider_error(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack, batch_duration_s=600.0)
    provider = anthropic(stack, emu)
    handle = provider.submit_batch([request("describe", model=MODEL)])

    with pytest.raises(ProviderError):
        provider.batch_results(handle)


def test_duplicate_custom_ids_are_refused_before_sending(stack: contextlib.ExitStack) -> None:
    emu = emulator(stack)
    provider = anthropic(stack, emu)

    with pytest.raises(ValueError, match="unique"):
        provider.submit_batch([request("describe", model=MODEL)] * 2)
    assert len(emu.requests) == 0
