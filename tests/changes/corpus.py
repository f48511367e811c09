"""Shared paths and helpers for the diff-layer tests."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

LOCAL = Path(__file__).resolve().parents[1] / "fixtures" / "diffs"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "diffs"


@dataclass(frozen=True)
class ManifestRow:
    """One row of a MANIFEST.tsv: a real diff and its numstat counts."""

    path: Path
    files: int
    added: int
    removed: int
    kinds: str
    subject: str


def manifest(folder: Path) -> list[ManifestRow]:
    """The rows of ``folder/MANIFEST.tsv`` (empty if the folder is missing)."""
    index = folder / "MANIFEST.tsv"
    if not index.exists():
        return []
    with index.open(encoding="utf-8", newline="") as handle:
        return [
            ManifestRow(
                path=folder / row["file"],
                files=int(row["files_changed"]),
                added=int(row["lines_added"]),
                removed=int(row["lines_removed"]),
                kinds=row["kinds"],
                subject=row["subject"],
            )
            for row in csv.DictReader(handle, delimiter="\t")
        ]


LOCAL_REAL = manifest(LOCAL / "real")
SHARED_REAL = manifest(SHARED / "real")


def shared(relative: str) -> Path:
    """A file of the shared corpus; skips the test when the corpus is absent."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip("shared fixtures not present")
    return path


def local(relative: str) -> bytes:
    """The bytes of a fixture copied into tests/fixtures/diffs."""
    return (LOCAL / relative).read_bytes()
