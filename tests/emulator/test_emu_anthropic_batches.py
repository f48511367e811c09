"""Anthropic Message Batches through the real SDK: lifecycle, mixed results, cancel, expiry."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from typing import Any

import anthropic
import pytest

from pr_router.emulator import Emulator, Rule

from .conftest import MakeEmulator

MakeClient = Callable[..., anthropic.Anthropic]


def item(custom_id: str, text: str = "Describe this PR.", **params: Any) -> Any:
    params = {
        "model": "claude-haiku-4-5",
        "max_tokens": 200,
        "messages": [{"role": "user", "content": text}],
        **params,
    }
    return {"custom_id": custom_id, "params": params}


def test_lifecycle_with_mixed_results(
    make_emulator: MakeEmulator, make_anthropic: MakeClient
) -> None:
    emu = make_emulator(
        Rule(custom_id="bad", item="errored"),
        Rule(custom_id="late", item="expired"),
        Rule(custom_id="stop*", item="canceled"),
        Rule(custom_id="busy", fault="529"),
        Rule(job="changelog", output={"entry": "Fixed it."}),
        batch_duration_s=120,
    )
    client = make_anthropic(emu)
    schema = {
        "title": "changelog",
        "type": "object",
        "properties": {"entry": {"type": "string"}},
        "required": ["entry"],
    }
    requests = [
        item("ok", output_config={"format": {"type": "json_schema", "schema": schema}}),
        item("bad"),
        item("late"),
        item("stop-1"),
        item("busy"),
        item("invalid", messages=[]),
    ]
    batch = client.messages.batches.create(requests=requests)
    assert batch.processing_status == "in_progress"
    assert batch.request_counts.processing == 6
    assert batch.results_url is None
    assert batch.expires_at.timestamp() - batch.created_at.timestamp() == 24 * 3600

    emu.clock.advance(119)
    assert client.messages.batches.retrieve(batch.id).processing_status == "in_progress"
    emu.clock.advance(1)
    ended = client.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended"
    assert ended.ended_at is not None
    assert ended.ended_at.timestamp() - ended.created_at.timestamp() == 120
    counts = ended.request_counts
    assert (
        counts.processing,
        counts.succeeded,
        counts.errored,
        counts.canceled,
        counts.expired,
    ) == (0, 1, 3, 1, 1)
    assert ended.results_url == f"{emu.base_url}/v1/messages/batches/{batch.id}/results"

    results = {r.custom_id: r.result for r in client.messages.batches.results(batch.id)}
    ok = results["ok"]
    assert ok.type == "succeeded"
    assert ok.message.content[0].type == "text"
    assert ok.message.content[0].text == '{"entry": "Fixed it."}'
    assert ok.message.usage.service_tier == "batch"
    assert results["late"].type == "expired"
    assert results["stop-1"].type == "canceled"
    errors = {cid: r.error.error.type for cid, r in results.items() if r.type == "errored"}
    assert errors == {
        "bad": "invalid_request_error",
        "busy": "overloaded_error",
        "invalid": "invalid_request_error",
    }
    body = emu.requests.where("GET", f"/v1/messages/batches/{batch.id}/results")[0]
    assert body.headers["accept"] == "application/binary"


def test_results_are_jsonl_without_blank_lines(emu: Emulator, claude: anthropic.Anthropic) -> None:
    batch = claude.messages.batches.create(requests=[item("a"), item("b")])
    emu.clock.advance(60)
    raw = claude.with_raw_response.messages.batches.retrieve(batch.id)
    assert raw.headers["request-id"].startswith("req_")
    results_url = raw.parse().results_url
    assert results_url is not None
    request = urllib.request.Request(
        results_url, headers={"x-api-key": "k", "anthropic-version": "2023-06-01"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        text = response.read().decode()
    lines = text.split("\n")
    assert lines[-1] == ""
    assert all(lines[:-1])
    assert len(lines[:-1]) == 2


def test_results_before_the_end_are_refused(emu: Emulator, claude: anthropic.Anthropic) -> None:
    batch = claude.messages.batches.create(requests=[item("a")])
    with pytest.raises(anthropic.BadRequestError, match="not ended"):
        claude.get(f"/v1/messages/batches/{batch.id}/results", cast_to=object)


def test_list_pages_newest_first(emu: Emulator, claude: anthropic.Anthropic) -> None:
    ids = []
    for i in range(3):
        ids.append(claude.messages.batches.create(requests=[item(f"r{i}")]).id)
        emu.clock.advance(1)
    page = claude.messages.batches.list(limit=2)
    assert [b.id for b in page.data] == [ids[2], ids[1]]
    assert page.has_more is True
    assert [b.id for b in claude.messages.batches.list(limit=2)] == list(
        reversed(ids)
    )  # auto-paging


def test_cancel_then_delete(emu: Emulator, claude: anthropic.Anthropic) -> None:
    batch = claude.messages.batches.create(requests=[item("a"), item("b")])
    with pytest.raises(anthropic.BadRequestError, match="ended"):
        claude.messages.batches.delete(batch.id)
    emu.clock.advance(5)
    canceling = claude.messages.batches.cancel(batch.id)
    assert canceling.processing_status == "canceling"
    assert canceling.cancel_initiated_at is not None
    emu.clock.advance(1)
    ended = claude.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended"
    assert ended.request_counts.canceled == 2
    assert {r.result.type for r in claude.messages.batches.results(batch.id)} == {"canceled"}
    deleted = claude.messages.batches.delete(batch.id)
    assert deleted.type == "message_batch_deleted"
    with pytest.raises(anthropic.NotFoundError):
        claude.messages.batches.retrieve(batch.id)


def test_whole_batch_expires_after_24_hours(
    make_emulator: MakeEmulator, make_anthropic: MakeClient
) -> None:
    emu = make_emulator(Rule(batch="expired"))
    client = make_anthropic(emu)
    batch = client.messages.batches.create(requests=[item("a"), item("b")])
    emu.clock.advance(23 * 3600)
    assert client.messages.batches.retrieve(batch.id).processing_status == "in_progress"
    emu.clock.advance(3600)
    ended = client.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended"
    assert ended.request_counts.expired == 2


def test_create_validation(claude: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match="unique"):
        claude.messages.batches.create(requests=[item("same"), item("same")])
    with pytest.raises(anthropic.BadRequestError, match="custom_id"):
        claude.messages.batches.create(requests=[item("has space")])
    with pytest.raises(anthropic.BadRequestError, match="requests"):
        claude.messages.batches.create(requests=[])


def test_batch_items_share_the_prompt_cache(emu: Emulator, claude: anthropic.Anthropic) -> None:
    system = [{"type": "text", "text": "p" * 8000, "cache_control": {"type": "ephemeral"}}]
    requests = [
        item(f"job{i}", f"question {i}", system=system, model="claude-sonnet-4-6") for i in range(3)
    ]
    batch = claude.messages.batches.create(requests=requests)
    emu.clock.advance(60)
    usage = {
        r.custom_id: r.result.message.usage
        for r in claude.messages.batches.results(batch.id)
        if r.result.type == "succeeded"
    }
    assert usage["job0"].cache_creation_input_tokens == 2000
    assert usage["job1"].cache_read_input_tokens == 2000
    assert usage["job2"].cache_read_input_tokens == 2000
