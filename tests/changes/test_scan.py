"""The one-pass git diff reader gives what the unidiff path gives, on every diff we have.

``parse_diff`` reads plain git output with ``_scan`` and anything else with unidiff. Both
must agree exactly: the same files, hunks, lines, counts and flags, and so the same
analysis (flags, reasons, risk); where the reader is unsure it defers, and unidiff words
the error. Checked on the security corpus (``benchmarks/security_corpus``), the diffs in
``tests/fixtures/diffs``, the shared diff fixtures when present, and damaged copies of them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest

from pr_router.changes import _parse, analyze, parse_diff
from pr_router.changes._scan import scan_git
from pr_router.errors import DiffError

from .corpus import LOCAL, SHARED

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "benchmarks" / "security_corpus" / "diffs"


@cache
def _diffs() -> tuple[tuple[str, bytes], ...]:
    """Every diff file we have: (name, bytes)."""
    paths = sorted(CORPUS.glob("*.diff"))
    paths += sorted(p for p in LOCAL.rglob("*") if p.is_file() and p.suffix in (".diff", ".patch"))
    if SHARED.is_dir():
        paths += sorted(p for p in SHARED.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")
    return tuple((str(p.relative_to(p.parents[2])), p.read_bytes()) for p in paths)


@contextmanager
def _unidiff_only() -> Iterator[None]:
    """parse_diff with the one-pass reader switched off: every diff goes to unidiff."""
    saved = _parse.scan_git
    _parse.scan_git = lambda lines: None
    try:
        yield
    finally:
        _parse.scan_git = saved


def _outcome(call: Callable[[], object]) -> object:
    """The result of ``call``, or the DiffError it raises (message and hint)."""
    try:
        return call()
    except DiffError as exc:
        return ("DiffError", str(exc), exc.hint)


def _both(call: Callable[[], object]) -> tuple[object, object]:
    """``call`` with the one-pass reader, then through unidiff only."""
    fast = _outcome(call)
    with _unidiff_only():
        return fast, _outcome(call)


def _takes_fast_path(data: bytes) -> bool:
    text = data.decode("utf-8", "replace")
    return "\r" not in text and "diff --cc" not in text and scan_git(text.split("\n")) is not None


def test_the_reader_reads_most_real_diffs() -> None:
    """The corpus is git output: nearly every diff takes the one-pass path."""
    corpus = [data for name, data in _diffs() if name.startswith("security_corpus")]
    if not corpus:
        pytest.skip("benchmarks/security_corpus is absent")
    assert sum(map(_takes_fast_path, corpus)) >= 0.95 * len(corpus)


def test_analysis_is_the_same_on_every_diff() -> None:
    """analyze() through the reader equals analyze() through unidiff, diff by diff."""
    checked = 0
    for name, data in _diffs():
        fast, reference = _both(lambda data=data, name=name: analyze(data, source=name))
        assert fast == reference, name
        checked += 1
    assert checked >= 300


_TRICKY = (
    "\\ No newline at end of file", "\\ other", "", " ", "\t", "garbage", "-- ", "From abc",
    "--- a/x", "+++ b/x", "+++ /dev/null", "@@ -1 +1 @@", "@@ -0,0 +0,0 @@", "@@ -1,2 +1,2 @@ f",
    "@@@ -1 -1 +1 @@@", "new file mode 100644", "deleted file mode 100644", "old mode 100644",
    "new mode 100755", "index 123..456 100644", "rename from x", "similarity index 90%",
    "Binary files a/x and b/x differ", "Binary file x has changed", "GIT binary patch",
    "diff --git a/x b/x", "diff --git x", "diff --cc x", " ctx", "+add", "-rem",
)  # fmt: skip
_NUMBER = re.compile(r"\d+")


def _damage(data: bytes, rng: random.Random) -> bytes:
    """A copy of ``data`` with one to three lines deleted, doubled, inserted or renumbered."""
    lines = data.decode("utf-8", "replace").split("\n")
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(lines))
        starts = [i for i, line in enumerate(lines) if line.startswith(("diff --git", "@@"))]
        op = rng.randrange(6)
        if op == 0:
            del lines[at]
        elif op == 1:
            lines.insert(at, lines[at])
        elif op == 2:
            lines.insert(at, rng.choice(_TRICKY))
        elif op == 3:
            lines = lines[:at] or [""]
        elif starts and op == 4:  # around a file or hunk start: the reader's states change there
            lines.insert(rng.choice(starts) + rng.randint(0, 1), rng.choice(_TRICKY))
        elif starts:
            at = rng.choice(starts)
            lines[at] = _NUMBER.sub(lambda m: str(max(0, int(m.group()) + rng.randint(-1, 1))), lines[at])  # fmt: skip
        if not lines:
            lines = [""]
    return "\n".join(lines).encode()


def test_damaged_diffs_parse_or_fail_the_same_way() -> None:
    """On broken or unusual copies of real diffs the two paths still agree (errors included)."""
    datas = [data for _, data in _diffs()]
    rng = random.Random(14)
    failed = 0
    for _ in range(3000):
        damaged = _damage(rng.choice(datas), rng)
        fast, reference = _both(lambda damaged=damaged: parse_diff(damaged))
        assert fast == reference, damaged[:2000]
        failed += isinstance(reference, tuple) and reference[:1] == ("DiffError",)
    assert 300 < failed < 2900  # both the parsing and the error paths were exercised
