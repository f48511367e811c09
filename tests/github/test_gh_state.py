"""The sticky comment's hidden state, the marker lookup, and the diff hunk map."""

from __future__ import annotations

import base64
import json
import zlib
from decimal import Decimal

import pytest
from conftest import DIFF

from pr_router.github.hunks import parse_diff_map
from pr_router.github.models import Comment
from pr_router.github.state import (
    MAX_FINGERPRINTS,
    SUMMARY_MARKER,
    State,
    decode_state,
    encode_state,
    find_summary,
    remember_fingerprints,
    scrub_markers,
)

STATE = State(
    pending=(
        {
            "version": 1,
            "provider": "anthropic",
            "batch_id": "msgbatch_01",
            "submitted_at": "2026-01-05T12:00:00+00:00",
            "items": [
                {
                    "custom_id": "pr2-describe",
                    "job": "describe",
                    "job_class": "auxiliary",
                    "tier": "efficient",
                    "model": "claude-haiku-4-5",
                    "mode": "batch",
                    "effort": "low",
                    "max_output_tokens": 2000,
                    "attempt": 1,
                },
                {
                    "custom_id": "pr2-changelog",
                    "job": "changelog",
                    "job_class": "auxiliary",
                    "tier": "efficient",
                    "model": "claude-haiku-4-5",
                    "mode": "batch",
                    "effort": "low",
                    "max_output_tokens": 800,
                    "attempt": 1,
                },
            ],
        },
    ),
    last_reviewed_sha="ec26c3e57ca3a959ca5aad62de7213c562f8c821",
    cost_usd=Decimal("0.0605"),
    runs=3,
    fingerprints=("0123456789abcdef",),
)


def test_round_trip_keeps_every_field() -> None:
    block = encode_state(STATE)
    assert block.startswith("<!-- pr-router:state ")
    assert block.endswith(" -->")
    assert "--" not in block[len("<!-- ") : -len(" -->")]  # cannot end the comment early
    decoded = decode_state(f"{SUMMARY_MARKER}\nvisible text\n\n{block}")
    assert decoded == STATE
    assert decoded is not None
    assert decoded.cost_usd == Decimal("0.0605")
    assert [i["custom_id"] for i in decoded.pending[0]["items"]] == [
        "pr2-describe",
        "pr2-changelog",
    ]


def test_cost_is_stored_as_a_decimal_string() -> None:
    raw = encode_state(STATE).split()[2]
    data = json.loads(zlib.decompress(base64.b64decode(raw)))
    assert data["cost_usd"] == "0.0605"
    assert data["version"] == 1


def test_plain_json_block_is_read() -> None:
    body = '<!-- pr-router:state {"version":1,"runs":2,"cost_usd":"1.5"} -->'
    assert decode_state(body) == State(runs=2, cost_usd=Decimal("1.5"))


@pytest.mark.parametrize(
    "body",
    [
        "",
        "no state here",
        "<!-- pr-router:state !!!notbase64 -->",
        "<!-- pr-router:state " + base64.b64encode(b"[1,2]").decode() + " -->",
        "<!-- pr-router:state " + base64.b64encode(b"{not json").decode() + " -->",
        '<!-- pr-router:state {"version":2,"runs":1} -->',
        '<!-- pr-router:state {"version":1,"runs":"many"} -->',
        '<!-- pr-router:state {"version":1,"cost_usd":"lots"} -->',
        '<!-- pr-router:state {"version":1,"pending":["not an object"]} -->',
        "<!-- pr-router:state " + base64.b64encode(zlib.compress(b"{" * 10)).decode() + " -->",
        "<!-- pr-router:state "
        + base64.b64encode(zlib.compress(b" " * 3_000_000)).decode()
        + " -->",
        "<!-- pr-router:state " + "W" * 100_001 + " -->",
    ],
)
def test_malformed_state_is_none(body: str) -> None:
    assert decode_state(body) is None


def test_scrub_defuses_forged_markers() -> None:
    forged = f"hi {SUMMARY_MARKER} <!--pr-router:state e30= --> <!-- PR-ROUTER:finding abc -->"
    clean = scrub_markers(forged)
    assert "<!--" not in clean
    assert decode_state(clean) is None


def _comment(cid: int, author: str | None, body: str) -> Comment:
    return Comment(id=cid, author=author, body=body)


def test_find_summary_ignores_forged_markers_by_other_users() -> None:
    comments = [
        _comment(1, "mallory", f"{SUMMARY_MARKER}\n{encode_state(State(runs=99))}"),
        _comment(2, "pr-router-bot", "an unrelated comment of ours"),
        _comment(3, None, SUMMARY_MARKER),  # deleted account
        _comment(4, "PR-Router-Bot", f"  {SUMMARY_MARKER}\nours"),
        _comment(5, "pr-router-bot", f"{SUMMARY_MARKER}\na duplicate from a race"),
    ]
    found = find_summary(comments, "pr-router-bot")
    assert found is not None
    assert found.id == 4
    assert find_summary(comments[:3], "pr-router-bot") is None


def test_remember_fingerprints_dedups_and_caps() -> None:
    state = remember_fingerprints(State(fingerprints=("a", "b")), ["b", "c"])
    assert state.fingerprints == ("a", "b", "c")
    many = remember_fingerprints(State(), [f"{i:016x}" for i in range(MAX_FINGERPRINTS + 10)])
    assert len(many.fingerprints) == MAX_FINGERPRINTS
    assert many.fingerprints[-1] == f"{MAX_FINGERPRINTS + 9:016x}"


def test_hunk_map_sides_and_ranges() -> None:
    diff_map = parse_diff_map(DIFF)
    assert set(diff_map.files) == {"src/app.py", "old.txt", "docs/new.md"}
    assert diff_map.check("src/app.py", 2) is None  # added line
    assert diff_map.check("src/app.py", 1) is None  # context line
    assert diff_map.check("src/app.py", 22, "LEFT") is None  # removed "y = 2"
    assert diff_map.check("src/app.py", 10) == "Line could not be resolved"
    assert diff_map.check("old.txt", 1, "LEFT") is None
    assert diff_map.check("old.txt", 1, "RIGHT") == "Line could not be resolved"
    assert diff_map.check("nope.py", 1) == "Path could not be resolved"
    assert diff_map.check("src/app.py", 5, start_line=2) is None
    assert diff_map.check("src/app.py", 22, start_line=2) is not None  # two hunks
    assert diff_map.check("src/app.py", 2, start_line=2) is not None


def test_hunk_map_counts_lines_not_prefixes() -> None:
    diff = b"\n".join(
        [
            b"diff --git a/x b/x",
            b"--- a/x",
            b"+++ b/x",
            b"@@ -1,2 +1,2 @@",
            b"--- a removed line that looks like a header",
            b"+++ an added line that looks like a header",
            b" ctx",
            b"\\ No newline at end of file",
            b"",
        ]
    )
    diff_map = parse_diff_map(diff)
    assert list(diff_map.files) == ["x"]
    assert diff_map.files["x"][0].left == frozenset({1, 2})
    assert diff_map.files["x"][0].right == frozenset({1, 2})
