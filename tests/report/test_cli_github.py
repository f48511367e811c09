"""``pr-router report --repo``: ledgers from artifacts (PyGithub + responses), outcomes wired."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import responses

import pr_router.report
from pr_router.cli import main
from pr_router.context import PRContext
from pr_router.github.client import GitHubClient
from pr_router.tokens import TokenUsage

from .ledgers import record
from .small import SMALL
from .test_outcomes import BOT, FakeGitHub
from .test_sources import _api, _artifact, _zip


@responses.activate
def test_report_from_artifacts(monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_test")
    monkeypatch.delenv("GITHUB_API_URL", raising=False)
    created = datetime(2026, 11, 25, tzinfo=UTC)
    responses.get(_api("/repos/acme/widgets/actions/artifacts"),
                  json={"total_count": 1, "artifacts": [_artifact(9, "pr-router-ledger-9", created)]})  # fmt: skip
    responses.get(_api("/repos/acme/widgets/actions/artifacts/9/zip"), status=302,
                  headers={"Location": "https://storage.example.net/9.zip"})  # fmt: skip
    responses.get("https://storage.example.net/9.zip", body=_zip({"ledger.jsonl": SMALL}))
    argv = ["report", "--repo", "acme/widgets", "--since", "2026-11-01", "--until", "2026-11-30",
            "--format", "json"]  # fmt: skip
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["records"], doc["total_usd"]) == (8, "0.13525")


class FakeClient(FakeGitHub):
    """The fake outcome source, plus what the command asks of a ``GitHubClient``."""

    closed = False

    def pull(self, number: int) -> PRContext:
        return PRContext(number=number, head_sha="head1")

    def whoami(self) -> str:
        return BOT

    def close(self) -> None:
        FakeClient.closed = True


def test_outcomes_are_looked_up_for_undecided_records(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    at = datetime(2026, 11, 5, tzinfo=UTC)
    usage = TokenUsage(input=1000, output=100)
    records = [
        record("review", "frontier", pr=7, at=at, usage=usage, published=["review_comment:101"]),
        record("docs", "efficient", pr=7, at=at, usage=usage, published=["review_comment:103"]),
    ]
    fake = FakeClient()

    def from_env(cls: Any, environ: Any, **kw: Any) -> FakeClient:
        assert environ["GITHUB_REPOSITORY"] == "acme/widgets"
        return fake

    monkeypatch.setattr(GitHubClient, "from_env", classmethod(from_env))

    class NoArtifacts:
        def records(self, since: Any) -> list[Any]:
            return records

        def close(self) -> None:
            pass

    monkeypatch.setattr("pr_router.report.artifacts.ArtifactLedgers.from_env",
                        lambda env, repo: NoArtifacts())  # fmt: skip
    argv = ["report", "--repo", "acme/widgets", "--outcomes", "--since", "2026-11-01",
            "--until", "2026-11-30", "--format", "json"]  # fmt: skip
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    got = {(a["job"], a["accepted"], a["rejected"], a["unknown"]) for a in doc["acceptance"]}
    assert got == {("review", 1, 0, 0), ("docs", 1, 0, 0)}  # 👍 and a changed line
    assert FakeClient.closed


def test_public_api_is_sorted() -> None:
    names = pr_router.report.__all__
    assert list(names) == sorted(names, key=lambda n: (not n.isupper(), n))
    assert all(hasattr(pr_router.report, n) for n in names)
