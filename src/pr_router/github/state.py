"""The sticky summary comment's marker and its hidden, versioned state block.

The summary comment starts with ``<!-- pr-router:summary -->`` and ends with
``<!-- pr-router:state BASE64 -->``, where BASE64 is the standard-alphabet base64 of the
zlib-compressed state as compact JSON. Standard base64 has no ``-`` or ``>``, so the block can never end
the HTML comment early, whatever a model name or batch id contains. Plain JSON in the
block is read too (handy when editing a comment by hand).

State is only trusted from comments written by the token's own identity: anyone can paste
a marker into their own comment or the PR body.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import pydantic

from pr_router.github.models import Comment

__all__ = [
    "MAX_FINGERPRINTS",
    "MAX_HISTORY",
    "STATE_VERSION",
    "SUMMARY_MARKER",
    "State",
    "decode_state",
    "encode_state",
    "find_summary",
    "remember_fingerprints",
    "scrub_markers",
]

SUMMARY_MARKER = "<!-- pr-router:summary -->"
STATE_VERSION = 1
# Bounded so the state block always fits the comment limit next to a full summary.
MAX_FINGERPRINTS = 500
MAX_HISTORY = 50  # runs kept in the PR's lifetime table (the total keeps counting all)
_MAX_STATE_BYTES = 2_000_000

_STATE_RE = re.compile(r"<!-- pr-router:state (?P<data>[^\s>]+) -->")
_ANY_MARKER_RE = re.compile(r"<!--(\s*)(pr-router:)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class State:
    """What pr-router remembers about one PR between runs."""

    version: int = STATE_VERSION
    # Batches a later ``collect`` must finish, as ``pr_router.execute.PendingBatch.to_json()``
    # data: opaque here, so the state never loses what the executor needs.
    pending: tuple[dict[str, Any], ...] = ()
    last_reviewed_sha: str | None = None
    cost_usd: Decimal = Decimal("0")  # cumulative, all runs on this PR
    runs: int = 0
    # cumulative runner time of the PR's runs: billed minutes and what they cost
    runner_minutes: int = 0
    runner_usd: Decimal = Decimal("0")
    fingerprints: tuple[str, ...] = field(default=())  # findings already posted, oldest first
    last_run: dict[str, Any] | None = None  # snapshot of the last run's summary, to re-render it
    # job -> the PR's changed lines when the job last ran (push rule ``grown``)
    job_lines: dict[str, int] = field(default_factory=dict)
    # the PR's lifetime, run by run: {"head": sha, "what": what was looked at, "usd": token
    # cost, "runner_usd": runner cost when measured}
    history: tuple[dict[str, str], ...] = ()
    # The merge gate: the head it judged, each gating job's findings on it, and acceptances
    # (``pr_router.pipeline.gate_step`` reads and writes it; opaque here).
    gate: dict[str, Any] | None = None
    # Jobs a ``/pr-router skip`` took off this PR: job -> who skipped it.
    skipped: dict[str, str] = field(default_factory=dict)
    # The audit of commands given on this PR, oldest first (``pr_router.talk`` entries).
    commands: tuple[dict[str, Any], ...] = ()


_ADAPTER: pydantic.TypeAdapter[State] = pydantic.TypeAdapter(State)


def encode_state(state: State) -> str:
    """The hidden state block for a summary comment."""
    data: dict[str, Any] = _ADAPTER.dump_python(state, mode="json")
    raw = zlib.compress(json.dumps(data, separators=(",", ":"), sort_keys=True).encode(), 9)
    return f"<!-- pr-router:state {base64.b64encode(raw).decode('ascii')} -->"


def _parse_block(data: str) -> Any:
    if data.startswith("{"):
        return json.loads(data)
    raw = base64.b64decode(data, validate=True)
    # Bounded decompression: a hand-edited block must not expand without limit.
    inflater = zlib.decompressobj()
    text = inflater.decompress(raw, _MAX_STATE_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError("state block too large")
    return json.loads(text)


def decode_state(body: str) -> State | None:
    """The state in a comment body, or None when absent, malformed or from a newer version."""
    matches = list(_STATE_RE.finditer(body or ""))
    if not matches:
        return None
    try:
        # Ours is appended last; anything earlier would have been scrubbed.
        raw = _parse_block(matches[-1].group("data"))
        if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION:
            return None
        return _ADAPTER.validate_python(raw)
    except (ValueError, binascii.Error, zlib.error, pydantic.ValidationError, RecursionError):
        return None


def scrub_markers(text: str) -> str:
    """Defuse anything in untrusted text that looks like one of our hidden markers."""
    return _ANY_MARKER_RE.sub(r"&lt;!--\1\2", text)


def find_summary(comments: Sequence[Comment], own_login: str) -> Comment | None:
    """Our summary comment: the first one by ``own_login`` that starts with the marker."""
    own = own_login.casefold()
    for comment in sorted(comments, key=lambda c: c.id):
        if (comment.author or "").casefold() != own:
            continue
        if comment.body.lstrip().startswith(SUMMARY_MARKER):
            return comment
    return None


def remember_fingerprints(state: State, new: Iterable[str]) -> State:
    """The state with ``new`` fingerprints added (deduplicated, capped to the newest)."""
    merged = list(dict.fromkeys([*state.fingerprints, *new]))
    return replace(state, fingerprints=tuple(merged[-MAX_FINGERPRINTS:]))
