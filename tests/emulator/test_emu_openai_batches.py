"""OpenAI Files and Batches through the real SDK: lifecycles, output and error files."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import openai
import pytest

from pr_router.emulator import Emulator, Rule

from .conftest import MakeEmulator
from .emu_spec import validate_batch_line, validate_openai

MakeClient = Callable[..., openai.OpenAI]
CHAT = "/v1/chat/completions"


def line(
    custom_id: str, content: str = "Summarise the CI log.", url: str = CHAT, **extra: Any
) -> dict[str, Any]:
    if url == CHAT:
        body: dict[str, Any] = {
            "model": "gpt-5.4-mini",
            "messages": [{"role": "user", "content": content}],
        }
    else:
        body = {"model": "gpt-5.4-mini", "input": content}
    return {"custom_id": custom_id, "method": "POST", "url": url, "body": body, **extra}


def upload(client: openai.OpenAI, lines: list[dict[str, Any]], raw: bytes | None = None) -> str:
    content = raw if raw is not None else "".join(json.dumps(x) + "\n" for x in lines).encode()
    for x in lines:
        validate_batch_line("BatchRequestInput", x)
    return client.files.create(file=("batch.jsonl", content), purpose="batch").id


def read_jsonl(client: openai.OpenAI, file_id: str | None) -> dict[str, dict[str, Any]]:
    assert file_id is not None
    text = client.files.content(file_id).text
    assert text.endswith("\n")
    assert "" not in text.split("\n")[:-1]
    rows = [json.loads(x) for x in text.splitlines()]
    for row in rows:
        validate_batch_line("BatchRequestOutput", row)
    return {row["custom_id"]: row for row in rows}


def test_files_upload_retrieve_content_delete(gpt: openai.OpenAI, emu: Emulator) -> None:
    content = b'{"custom_id": "a"}\n'
    created = gpt.files.create(file=("in.jsonl", content, "application/jsonl"), purpose="batch")
    assert created.bytes == len(content)
    assert created.filename == "in.jsonl"
    assert created.purpose == "batch"
    assert created.status == "processed"
    assert created.expires_at == created.created_at + 30 * 24 * 3600
    validate_openai(
        "OpenAIFile", created.model_dump(mode="json", exclude_unset=True), nulls_as_absent=True
    )
    assert gpt.files.retrieve(created.id) == created
    assert gpt.files.content(created.id).content == content
    sent = emu.requests.where("GET", f"/v1/files/{created.id}/content")[0]
    assert sent.headers["accept"] == "application/binary"
    assert gpt.files.delete(created.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        gpt.files.retrieve(created.id)


def test_upload_validation(gpt: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError, match="purpose"):
        gpt.files.create(file=("in.jsonl", b"{}"), purpose="nonsense")  # type: ignore[arg-type]
    with pytest.raises(openai.BadRequestError, match=r"\.jsonl"):
        gpt.files.create(file=("in.txt", b"{}"), purpose="batch")


def test_full_lifecycle_with_output_and_error_files(
    make_emulator: MakeEmulator, make_openai: MakeClient
) -> None:
    emu = make_emulator(
        Rule(custom_id="bad", item="errored"),
        Rule(custom_id="limited", fault="429"),
        Rule(custom_id="late", item="expired"),
        batch_duration_s=600,
    )
    client = make_openai(emu)
    lines = [line("ok-1"), line("ok-2"), line("bad"), line("limited"), line("late")]
    lines.append({**line("broken"), "body": {"model": "gpt-5.4-mini", "messages": []}})
    batch = client.batches.create(
        input_file_id=upload(client, lines),
        endpoint=CHAT,
        completion_window="24h",
        metadata={"pr": "42"},
    )
    validate_openai(
        "Batch", batch.model_dump(mode="json", exclude_unset=True), nulls_as_absent=True
    )
    statuses = [batch.status]
    for step in (1, 300, 298.5, 0.5):
        emu.clock.advance(step)
        statuses.append(client.batches.retrieve(batch.id).status)
    assert statuses == ["validating", "in_progress", "in_progress", "finalizing", "completed"]
    done = client.batches.retrieve(batch.id)
    validate_openai("Batch", done.model_dump(mode="json", exclude_unset=True), nulls_as_absent=True)
    assert done.request_counts is not None
    assert (
        done.request_counts.total,
        done.request_counts.completed,
        done.request_counts.failed,
    ) == (6, 2, 4)
    assert done.created_at < done.in_progress_at < done.finalizing_at < done.completed_at  # type: ignore[operator]
    assert done.completed_at == done.created_at + 600
    assert done.metadata == {"pr": "42"}
    assert done.usage is not None
    assert done.usage.output_tokens == 2 * 9

    output = read_jsonl(client, done.output_file_id)
    assert set(output) == {"ok-1", "ok-2"}
    body = output["ok-1"]["response"]["body"]
    validate_openai("CreateChatCompletionResponse", body)
    assert output["ok-1"]["response"]["status_code"] == 200
    errors = read_jsonl(client, done.error_file_id)
    assert {cid: (e["response"] or {}).get("status_code") for cid, e in errors.items()} == {
        "bad": 400,
        "limited": 429,
        "late": None,
        "broken": 400,
    }
    assert errors["late"]["error"]["code"] == "batch_expired"
    validate_openai("ErrorResponse", errors["limited"]["response"]["body"])
    assert client.files.retrieve(done.output_file_id).purpose == "batch_output"  # type: ignore[arg-type]


def test_responses_batch(emu: Emulator, gpt: openai.OpenAI) -> None:
    lines = [line("r1", url="/v1/responses"), line("r2", url="/v1/responses")]
    batch = gpt.batches.create(
        input_file_id=upload(gpt, lines), endpoint="/v1/responses", completion_window="24h"
    )
    emu.clock.advance(60)
    done = gpt.batches.retrieve(batch.id)
    assert done.status == "completed"
    assert done.error_file_id is None
    for row in read_jsonl(gpt, done.output_file_id).values():
        validate_openai("Response", row["response"]["body"])


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ({**line("x"), "method": "GET"}, "invalid_method"),
        ({**line("x"), "url": "/v1/responses"}, "mismatched_endpoint"),
        ({"method": "POST", "url": CHAT, "body": {}}, "missing_required_parameter"),
        (line("ok-1"), "duplicate_custom_id"),
    ],
)
def test_invalid_input_fails_the_batch(
    emu: Emulator, gpt: openai.OpenAI, bad: dict[str, Any], code: str
) -> None:
    content = (json.dumps(line("ok-1")) + "\n" + json.dumps(bad) + "\n").encode()
    batch = gpt.batches.create(
        input_file_id=upload(gpt, [], raw=content), endpoint=CHAT, completion_window="24h"
    )
    assert batch.status == "validating"
    emu.clock.advance(1)
    failed = gpt.batches.retrieve(batch.id)
    assert failed.status == "failed"
    assert failed.failed_at is not None
    assert failed.errors is not None
    assert failed.errors.data is not None
    assert [(e.code, e.line) for e in failed.errors.data] == [(code, 2)]
    assert failed.output_file_id is None
    validate_openai(
        "Batch", failed.model_dump(mode="json", exclude_unset=True), nulls_as_absent=True
    )


def test_unparseable_line_fails_the_batch(emu: Emulator, gpt: openai.OpenAI) -> None:
    batch = gpt.batches.create(
        input_file_id=upload(gpt, [], raw=b"{not json\n"), endpoint=CHAT, completion_window="24h"
    )
    emu.clock.advance(10)
    failed = gpt.batches.retrieve(batch.id)
    assert failed.errors is not None
    assert failed.errors.data is not None
    assert failed.errors.data[0].code == "invalid_json_line"


def test_scenario_fails_a_batch(make_emulator: MakeEmulator, make_openai: MakeClient) -> None:
    emu = make_emulator(Rule(batch="failed", endpoint="/v1/batches"))
    client = make_openai(emu)
    batch = client.batches.create(
        input_file_id=upload(client, [line("a")]), endpoint=CHAT, completion_window="24h"
    )
    emu.clock.advance(60)
    assert client.batches.retrieve(batch.id).status == "failed"


def test_expired_batch(make_emulator: MakeEmulator, make_openai: MakeClient) -> None:
    emu = make_emulator(Rule(batch="expired"))
    client = make_openai(emu)
    batch = client.batches.create(
        input_file_id=upload(client, [line("a"), line("b")]), endpoint=CHAT, completion_window="24h"
    )
    emu.clock.advance(12 * 3600)
    assert client.batches.retrieve(batch.id).status == "in_progress"
    emu.clock.advance(12 * 3600)
    expired = client.batches.retrieve(batch.id)
    assert expired.status == "expired"
    assert expired.expired_at == expired.expires_at
    assert expired.output_file_id is None
    errors = read_jsonl(client, expired.error_file_id)
    assert {e["error"]["code"] for e in errors.values()} == {"batch_expired"}


def test_cancelled_batch(emu: Emulator, gpt: openai.OpenAI) -> None:
    batch = gpt.batches.create(
        input_file_id=upload(gpt, [line("a"), line("b")]), endpoint=CHAT, completion_window="24h"
    )
    emu.clock.advance(5)
    cancelling = gpt.batches.cancel(batch.id)
    assert cancelling.status == "cancelling"
    assert cancelling.cancelling_at == cancelling.created_at + 5
    emu.clock.advance(1)
    cancelled = gpt.batches.retrieve(batch.id)
    assert cancelled.status == "cancelled"
    assert cancelled.cancelled_at == cancelled.created_at + 6
    errors = read_jsonl(gpt, cancelled.error_file_id)
    assert {e["error"]["code"] for e in errors.values()} == {"batch_cancelled"}
    with pytest.raises(openai.ConflictError):
        gpt.batches.cancel(batch.id)


def test_create_validation_and_list(emu: Emulator, gpt: openai.OpenAI) -> None:
    file_id = upload(gpt, [line("a")])
    with pytest.raises(openai.BadRequestError, match="completion_window"):
        gpt.batches.create(input_file_id=file_id, endpoint=CHAT, completion_window="7d")  # type: ignore[arg-type]
    with pytest.raises(openai.NotFoundError):
        gpt.batches.create(input_file_id="file-missing", endpoint=CHAT, completion_window="24h")
    ids = []
    for _ in range(3):
        ids.append(
            gpt.batches.create(input_file_id=file_id, endpoint=CHAT, completion_window="24h").id
        )
        emu.clock.advance(1)
    page = gpt.batches.list(limit=2)
    assert [b.id for b in page.data] == [ids[2], ids[1]]
    assert page.has_more is True
    assert [b.id for b in gpt.batches.list(limit=2)] == list(reversed(ids))


def test_a_batch_of_more_than_50000_requests_fails(emu: Emulator, gpt: openai.OpenAI) -> None:
    one = json.dumps(line("x")).encode()
    content = b"\n".join(one.replace(b'"x"', f'"r{i}"'.encode()) for i in range(50_001))
    batch = gpt.batches.create(
        input_file_id=upload(gpt, [], raw=content), endpoint=CHAT, completion_window="24h"
    )
    emu.clock.advance(1)
    failed = gpt.batches.retrieve(batch.id)
    assert failed.status == "failed"
    assert failed.errors is not None
    assert failed.errors.data is not None
    assert [e.code for e in failed.errors.data] == ["too_many_requests"]
