"""Ledgers from a repository's workflow-run artifacts, downloaded and read in memory.

Artifacts whose name starts with ``pr-router-ledger`` are listed through PyGithub (newest
first, so the listing stops at the first one older than the period), each zip is fetched
through the API's redirect to the storage host (the token is never sent there), and every
``*.jsonl`` member is parsed. Nothing touches the disk.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from github.MainClass import Github

from pr_router.errors import GitHubError, UsageError
from pr_router.github.transport import (
    DEFAULT_API_URL,
    Operation,
    RawSession,
    RetrySettings,
    build_github,
    translating,
)
from pr_router.ledger import Entry
from pr_router.report._period import utc
from pr_router.report._sources import parse_ledger_text

__all__ = ["LEDGER_ARTIFACT_PREFIX", "ArtifactLedgers", "LedgerArtifact"]

LEDGER_ARTIFACT_PREFIX = "pr-router-ledger"
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024  # a ledger is small; refuse anything that inflates past this


@dataclass(frozen=True, slots=True)
class LedgerArtifact:
    """One ledger artifact: its id, name, creation time and download URL."""

    id: int
    name: str
    created_at: datetime
    download_url: str


class ArtifactLedgers:
    """Reads ledger records from one repository's artifacts."""

    def __init__(self, gh: Github, raw: RawSession, repo: str) -> None:
        self._gh = gh
        self._raw = raw
        self.repo = repo

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], repo: str, *, retry: RetrySettings | None = None
    ) -> ArtifactLedgers:
        """A reader with ``GITHUB_TOKEN`` (needs ``actions: read``) and ``GITHUB_API_URL``."""
        token = environ.get("GITHUB_TOKEN", "")
        if not token:
            raise GitHubError(
                "no GitHub token to read the ledger artifacts",
                hint="set GITHUB_TOKEN (the workflow needs `permissions: actions: read`)",
            )
        if repo.count("/") != 1 or not all(repo.split("/")):
            raise UsageError(f"--repo {repo!r} is not owner/name")
        url = (environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
        settings = retry or RetrySettings()
        return cls(build_github(token, url, settings), RawSession(token, url, settings), repo)

    def close(self) -> None:
        """Release connections."""
        self._gh.close()
        self._raw.close()

    def _op(self, doing: str, resource: str) -> AbstractContextManager[None]:
        return translating(Operation(doing, "actions: read", resource), self._raw.base_url)

    def artifacts(self, since: datetime | None) -> Iterator[LedgerArtifact]:
        """Unexpired ledger artifacts created at or after ``since``, newest first."""
        with self._op("list the workflow artifacts", f"repository {self.repo}"):
            # build_github makes a lazy instance: no GET /repos request first
            for a in self._gh.get_repo(self.repo).get_artifacts():
                created = utc(a.created_at)
                if since is not None and created < since:
                    return  # listed newest first: the rest is older still
                if a.name.startswith(LEDGER_ARTIFACT_PREFIX) and not a.expired:
                    yield LedgerArtifact(a.id, a.name, created, a.archive_download_url)

    def download(self, artifact: LedgerArtifact) -> list[Entry]:
        """The records of every ``*.jsonl`` file in one artifact's zip."""
        with self._op(f"download artifact {artifact.name}", f"artifact {artifact.id}"):
            data = self._raw.get(artifact.download_url, accept="application/vnd.github+json")
        return read_zip(data.content, f"artifact {artifact.name} ({artifact.id})")

    def records(self, since: datetime | None) -> list[Entry]:
        """Every record of every ledger artifact since ``since``."""
        out: list[Entry] = []
        for artifact in self.artifacts(since):
            out.extend(self.download(artifact))
        return out


def read_zip(content: bytes, origin: str) -> list[Entry]:
    """Ledger records of the ``*.jsonl`` members of a zip held in memory."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise GitHubError(f"{origin}: the download is not a zip archive") from None
    with archive:
        members = [m for m in archive.infolist() if m.filename.endswith(".jsonl")]
        if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
            raise GitHubError(f"{origin}: ledgers inflate past {MAX_UNZIPPED_BYTES:,} bytes")
        records: list[Entry] = []
        for m in members:
            text = archive.read(m).decode("utf-8")
            records.extend(parse_ledger_text(text, f"{origin}/{m.filename}"))
    return records
