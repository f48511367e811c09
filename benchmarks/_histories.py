"""Read the lifetime corpus (benchmarks/lifetime_corpus/): real PR histories, push by push.

Each PR is one JSON object in ``<owner>__<name>.jsonl.xz`` (see that folder's README and
scripts/build_lifetime_corpus.py): repository, number, title, and its pushes in order, each
with the head sha, the base it stands on, the commit subject and time, and the PR diff at
that push.
"""

from __future__ import annotations

import json
import lzma
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["CORPUS", "History", "Push", "find", "histories"]

CORPUS = Path(__file__).resolve().parent / "lifetime_corpus"


@dataclass(frozen=True, slots=True)
class Push:
    """One push: the new head, its base, and the whole PR diff at that head."""

    head: str
    base: str
    message: str
    time: datetime
    diff: bytes
    synthetic: bool = False  # replayed from before a rebase (see the corpus README)
    merges_base: bool = False  # the push merges the base branch into the PR


@dataclass(frozen=True, slots=True)
class History:
    """One merged PR and its pushes, oldest first."""

    repo: str
    number: int
    title: str
    kinds: tuple[str, ...]
    pushes: tuple[Push, ...]
    license: str = ""

    @property
    def name(self) -> str:
        """``owner/name#N``."""
        return f"{self.repo}#{self.number}"

    @property
    def size(self) -> int:
        """Bytes of all its push diffs (for ``--limit``: smallest histories first)."""
        return sum(len(p.diff) for p in self.pushes)


def _push(data: dict[str, object]) -> Push:
    return Push(str(data["head"]), str(data["base"]), str(data["message"]),
                datetime.fromisoformat(str(data["time"])), str(data["diff"]).encode(),
                bool(data.get("synthetic")), bool(data.get("merges_base")))  # fmt: skip


def histories(folder: Path = CORPUS) -> list[History]:
    """Every PR history of the corpus, by repository and number."""
    out = []
    for path in sorted(folder.glob("*.jsonl.xz")):
        for line in lzma.decompress(path.read_bytes()).decode("utf-8").splitlines():
            if not line.strip():
                continue
            data = json.loads(line)
            out.append(History(data["repo"], int(data["number"]), data["title"],
                               tuple(data.get("kinds", ())),
                               tuple(_push(p) for p in data["pushes"]), data.get("license", "")))  # fmt: skip
    return out


def find(repo: str, number: int, folder: Path = CORPUS) -> History:
    """One history by repository and PR number (``KeyError`` when absent)."""
    for h in histories(folder):
        if (h.repo, h.number) == (repo, number):
            return h
    raise KeyError(f"{repo}#{number} is not in {folder.name}")
