"""Reading ledgers: periods, files and directories, deduplication, and workflow artifacts."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import responses

from pr_router.errors import GitHubError, UsageError
from pr_router.github.transport import FAST_RETRY
from pr_router.ledger import LedgerRecord, write_ledger
from pr_router.report import dedupe, in_period, parse_ledger_text, parse_period, read_ledgers
from pr_router.report.artifacts import ArtifactLedgers, read_zip

from .small import OCTOBER, SMALL

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
API = "https://api.github.com"
# PyGithub spells the default port out: https://api.github.com:443/...
_API_RE = r"https://api\.github\.com(:443)?"


def _api(path: str) -> re.Pattern[str]:
    return re.compile(_API_RE + re.escape(path) + r"(\?.*)?$")


@pytest.mark.parametrize(
    ("since", "until", "start", "end"),
    [
        ("30d", None, NOW - timedelta(days=30), NOW + timedelta(seconds=1)),
        ("2d", "12h", NOW - timedelta(days=2), NOW - timedelta(hours=12)),
        ("2w", None, NOW - timedelta(weeks=2), NOW + timedelta(seconds=1)),
        ("2026-11-01", "2026-11-30", datetime(2026, 11, 1, tzinfo=UTC),
         datetime(2026, 12, 1, tzinfo=UTC)),  # --until with a date includes that day
        ("2026-11-01T08:00:00Z", "2026-11-02T00:00:00+02:00",
         datetime(2026, 11, 1, 8, tzinfo=UTC), datetime(2026, 11, 1, 22, tzinfo=UTC)),
        (None, "2026-11-15", None, datetime(2026, 11, 16, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_parse_period(since: str | None, until: str | None, start: datetime | None,
                      end: datetime) -> None:  # fmt: skip
    period = parse_period(since, until, NOW)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("yesterday", None, "--since 'yesterday' is neither a duration nor a date"),
        ("2026-13-01", None, "--since '2026-13-01' is neither a duration nor a date"),
        ("1d", "2d", "empty period"),
    ],
)
def test_bad_period(since: str, until: str | None, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_period(since, until, NOW)


def test_period_bounds_are_half_open() -> None:
    period = parse_period("2026-11-01", "2026-11-30", NOW)
    assert datetime(2026, 11, 1, tzinfo=UTC) in period
    assert datetime(2026, 11, 30, 23, 59, tzinfo=UTC) in period
    assert datetime(2026, 12, 1, tzinfo=UTC) not in period
    assert datetime(2026, 11, 15) in period  # naive is UTC
    assert period.label() == "2026-11-01 – 2026-11-30"
    assert len(in_period([OCTOBER, *SMALL], period)) == len(SMALL)


def test_read_files_and_directories_recursively(tmp_path: Path) -> None:
    write_ledger(tmp_path / "a" / "one.jsonl", SMALL[:3])
    write_ledger(tmp_path / "a" / "b" / "two.jsonl", SMALL[3:])
    (tmp_path / "a" / "notes.txt").write_text("not a ledger")
    single = tmp_path / "october.ndjson"
    write_ledger(single, [OCTOBER])
    records = read_ledgers([tmp_path / "a", single])
    assert records == [*SMALL[3:], *SMALL[:3], OCTOBER]  # a/b/two.jsonl sorts first


def test_missing_path_and_bad_line(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such ledger file or directory"):
        read_ledgers([tmp_path / "nope.jsonl"])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(SMALL[0].model_dump_json() + "\n\n" + '{"job": "review"}\n')
    with pytest.raises(
        UsageError, match=r"bad\.jsonl:3: not a ledger record \(run_id: Field required"
    ):
        read_ledgers([bad])


def test_dedupe_keeps_the_copy_with_an_outcome() -> None:
    plain = SMALL[4]  # describe, no outcome
    judged = plain.model_copy(update={"outcome": "accepted"})
    assert dedupe([plain, *SMALL[:2], judged, SMALL[0]]) == [judged, SMALL[0], SMALL[1]]
    assert dedupe([judged, plain]) == [judged]


def _zip(files: dict[str, list[LedgerRecord]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, records in files.items():
            z.writestr(name, "".join(r.model_dump_json() + "\n" for r in records))
        z.writestr("README.txt", "ignored")
    return buf.getvalue()


def _artifact(n: int, name: str, created: datetime, expired: bool = False) -> dict[str, object]:
    url = f"{API}/repos/acme/widgets/actions/artifacts/{n}"
    return {
        "id": n, "node_id": f"A{n}", "name": name, "size_in_bytes": 100, "url": url,
        "archive_download_url": f"{url}/zip", "expired": expired,
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "updated_at": created.isoformat().replace("+00:00", "Z"),
        "expires_at": (created + timedelta(days=90)).isoformat().replace("+00:00", "Z"),
    }  # fmt: skip


@responses.activate
def test_artifacts_listed_filtered_and_read_in_memory() -> None:
    since = datetime(2026, 11, 1, tzinfo=UTC)
    listing = [
        _artifact(4, "pr-router-ledger-2", datetime(2026, 11, 21, tzinfo=UTC)),
        _artifact(3, "coverage", datetime(2026, 11, 20, tzinfo=UTC)),
        _artifact(2, "pr-router-ledger", datetime(2026, 11, 4, tzinfo=UTC), expired=True),
        _artifact(1, "pr-router-ledger", datetime(2026, 11, 3, tzinfo=UTC)),
        _artifact(0, "pr-router-ledger", datetime(2026, 10, 31, tzinfo=UTC)),  # too old
    ]
    responses.get(_api("/repos/acme/widgets/actions/artifacts"),
                  json={"total_count": len(listing), "artifacts": listing})  # fmt: skip
    for n, records in ((4, SMALL[3:]), (1, SMALL[:3])):
        storage = f"https://storage.example.net/artifacts/{n}.zip"
        responses.get(_api(f"/repos/acme/widgets/actions/artifacts/{n}/zip"), status=302,
                      headers={"Location": storage})  # fmt: skip
        responses.get(storage, body=_zip({f"ledger-{n}.jsonl": records}),
                      content_type="application/zip")  # fmt: skip
    env = {"GITHUB_TOKEN": "ghs_test", "GITHUB_API_URL": API}
    reader = ArtifactLedgers.from_env(env, "acme/widgets", retry=FAST_RETRY)
    names = [a.name for a in reader.artifacts(since)]
    assert names == ["pr-router-ledger-2", "pr-router-ledger"]
    records = reader.records(since)
    reader.close()
    assert sorted(records, key=lambda r: r.timestamp) == sorted(SMALL, key=lambda r: r.timestamp)
    for call in responses.calls:
        sent = call.request.headers.get("Authorization")
        if "storage.example.net" in call.request.url:
            assert sent is None  # the token never leaves the API host
        else:
            assert sent is not None


@responses.activate
def test_artifacts_forbidden_names_the_permission() -> None:
    responses.get(_api("/repos/acme/widgets/actions/artifacts"), status=403,
                  json={"message": "Resource not accessible by integration"})  # fmt: skip
    reader = ArtifactLedgers.from_env({"GITHUB_TOKEN": "t"}, "acme/widgets", retry=FAST_RETRY)
    with pytest.raises(GitHubError) as err:
        reader.records(None)
    assert err.value.permission == "actions: read"


def test_artifacts_need_a_token_and_a_repo() -> None:
    with pytest.raises(GitHubError, match="no GitHub token"):
        ArtifactLedgers.from_env({}, "acme/widgets")
    with pytest.raises(UsageError, match="not owner/name"):
        ArtifactLedgers.from_env({"GITHUB_TOKEN": "t"}, "widgets")


def test_read_zip_rejects_garbage() -> None:
    with pytest.raises(GitHubError, match="not a zip archive"):
        read_zip(b"not a zip", "artifact x")
    assert read_zip(_zip({"a.jsonl": SMALL[:1]}), "artifact x") == SMALL[:1]


def test_parse_ledger_text_skips_blank_lines() -> None:
    text = "\n".join(["", SMALL[0].model_dump_json(), "   ", json.dumps(
        json.loads(SMALL[1].model_dump_json()))])  # fmt: skip
    assert parse_ledger_text(text, "x") == SMALL[:2]
