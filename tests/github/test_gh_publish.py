"""Publishing through the real client against the emulator: sticky summary, dedup, 422, 403."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import Emulated

from pr_router.errors import GitHubError
from pr_router.github.publish import (
    COMMENT_LIMIT,
    InlineComment,
    compose_summary,
    finding_marker,
    fingerprint,
    post_review,
    split_body,
    upsert_summary,
)
from pr_router.github.state import SUMMARY_MARKER, State, decode_state, encode_state

ME = "pr-router-bot"


def _pr(env: Emulated) -> tuple[int, str]:
    pull = next(iter(env.state.pulls.values()))
    return pull.number, pull.head_sha


def _finding(line: int, text: str, *, path: str = "src/app.py", **kw: object) -> InlineComment:
    return InlineComment(
        path=path, line=line, body=text, fingerprint=fingerprint("review", path, text), **kw
    )  # type: ignore[arg-type]


FINDINGS = [
    _finding(2, "subprocess is imported but never used"),
    _finding(22, "eval(input()) runs arbitrary code"),
    _finding(5, "range comment", start_line=2, start_side="RIGHT"),
    _finding(1, "file removed without a migration note", path="old.txt", side="LEFT"),
]


def test_sticky_summary_is_created_once_then_edited(emulated: Emulated) -> None:
    number, _ = _pr(emulated)
    first = upsert_summary(emulated.client, number, "Cost: $0.03", State(runs=1), ME)
    second = upsert_summary(
        emulated.client, number, "Cost: $0.05", State(runs=2, cost_usd=Decimal("0.08")), ME
    )
    same = upsert_summary(
        emulated.client, number, "Cost: $0.05", State(runs=2, cost_usd=Decimal("0.08")), ME
    )
    assert (first.action, second.action, same.action) == ("created", "updated", "unchanged")
    assert first.comment_id == second.comment_id == same.comment_id
    assert len(emulated.state.calls_to("issues/create-comment")) == 1
    assert len(emulated.state.calls_to("issues/update-comment")) == 1
    body = emulated.state.comments[first.comment_id].body
    assert body.startswith(SUMMARY_MARKER)
    assert "Cost: $0.05" in body
    assert decode_state(body) == State(runs=2, cost_usd=Decimal("0.08"))


def test_forged_summary_by_another_user_is_ignored(emulated: Emulated) -> None:
    number, _ = _pr(emulated)
    forged = emulated.state.add_comment(
        number, "mallory", f"{SUMMARY_MARKER}\n{encode_state(State(runs=42))}"
    )
    result = upsert_summary(emulated.client, number, "ours", State(runs=1), ME)
    assert result.action == "created"
    assert result.comment_id != forged.id
    assert decode_state(emulated.state.comments[forged.id].body) == State(runs=42)  # untouched
    assert emulated.state.calls_to("issues/update-comment") == []


def test_forged_markers_in_the_visible_body_are_defused(emulated: Emulated) -> None:
    number, _ = _pr(emulated)
    model_output = f"summary {encode_state(State(runs=999))} {SUMMARY_MARKER}"
    result = upsert_summary(emulated.client, number, model_output, State(runs=1), ME)
    body = emulated.state.comments[result.comment_id].body
    assert decode_state(body) == State(runs=1)
    assert body.count(SUMMARY_MARKER) == 1


def test_summary_is_trimmed_in_the_middle_at_the_limit() -> None:
    visible = "HEAD\n" + "x" * (COMMENT_LIMIT * 2) + "\nTAIL"
    text, trimmed = compose_summary(visible, State(runs=1))
    assert trimmed
    assert len(text) <= COMMENT_LIMIT
    assert text.startswith(SUMMARY_MARKER + "\nHEAD")
    assert "TAIL" in text
    assert "characters trimmed" in text
    assert decode_state(text) == State(runs=1)
    room = COMMENT_LIMIT - len(SUMMARY_MARKER) - len(encode_state(State())) - 10
    exact, trimmed_exact = compose_summary("y" * room, State())
    assert not trimmed_exact
    assert len(exact) <= COMMENT_LIMIT


def test_findings_are_posted_once(emulated: Emulated) -> None:
    number, head = _pr(emulated)
    first = post_review(
        emulated.client, number, head, FINDINGS, "Review by pr-router", own_login=ME
    )
    assert len(first.review_ids) == 1
    assert set(first.posted) == {f.fingerprint for f in FINDINGS}
    assert set(first.comment_ids) == set(first.posted)
    comments = list(emulated.state.review_comments.values())
    assert len(comments) == 4
    for c in comments:
        assert c.body.endswith(
            finding_marker(next(f.fingerprint for f in FINDINGS if f.body in c.body))
        )
    ranged = next(c for c in comments if c.start_line is not None)
    assert (ranged.start_line, ranged.line, ranged.start_side) == (2, 5, "RIGHT")
    sent = emulated.state.calls_to("pulls/create-review")[0].body
    assert sent["event"] == "COMMENT"
    assert sent["commit_id"] == head
    assert all("position" not in c for c in sent["comments"])

    again = post_review(emulated.client, number, head, FINDINGS, "", own_login=ME)
    assert again.review_ids == ()
    assert set(again.duplicates) == set(first.posted)
    assert len(emulated.state.calls_to("pulls/create-review")) == 1
    assert len(emulated.state.review_comments) == 4


def test_findings_by_someone_else_do_not_count_as_posted(emulated: Emulated) -> None:
    number, head = _pr(emulated)
    post_review(emulated.client, number, head, FINDINGS[:1], "", own_login=ME)
    result = post_review(emulated.client, number, head, FINDINGS[:1], "", own_login="another-bot")
    assert result.posted == (FINDINGS[0].fingerprint,)


def test_known_fingerprints_from_state_are_skipped(emulated: Emulated) -> None:
    number, head = _pr(emulated)
    known = {FINDINGS[0].fingerprint}
    result = post_review(
        emulated.client, number, head, FINDINGS[:2], "", own_login=ME, known_fingerprints=known
    )
    assert result.posted == (FINDINGS[1].fingerprint,)
    assert result.duplicates == (FINDINGS[0].fingerprint,)


def test_422_moves_every_finding_into_the_body(emulated: Emulated) -> None:
    number, head = _pr(emulated)
    outside = _finding(300, "a line far outside every hunk")
    findings = [*FINDINGS, outside]
    result = post_review(emulated.client, number, head, findings, "Review", own_login=ME)
    assert result.note is not None
    assert "422" in result.note
    assert set(result.moved_to_body) == {f.fingerprint for f in findings}
    assert result.posted == ()
    assert len(result.review_ids) == 1
    review = emulated.state.reviews[result.review_ids[0]]
    for f in findings:
        assert f.body in review.body
        assert finding_marker(f.fingerprint) in review.body
    assert emulated.state.review_comments == {}
    calls = emulated.state.calls_to("pulls/create-review")
    assert [c.status for c in calls] == [422, 200]


def test_anchorable_precheck_keeps_good_comments_inline(emulated: Emulated) -> None:
    number, head = _pr(emulated)
    pull = emulated.state.pulls[number]
    outside = _finding(300, "outside")

    def anchorable(f: InlineComment) -> bool:
        return pull.diff_map.check(f.path, f.line, f.side, f.start_line, f.start_side) is None

    result = post_review(
        emulated.client,
        number,
        head,
        [FINDINGS[0], outside],
        "",
        own_login=ME,
        anchorable=anchorable,
    )
    assert result.posted == (FINDINGS[0].fingerprint,)
    assert result.moved_to_body == (outside.fingerprint,)
    assert "outside" in emulated.state.reviews[result.review_ids[0]].body


def test_refused_review_falls_back_to_a_comment(emulated: Emulated) -> None:
    number, head = _pr(emulated)
    emulated.state.fail("pulls/create-review", "unprocessable", times=2)
    result = post_review(emulated.client, number, head, FINDINGS[:1], "", own_login=ME)
    assert result.issue_comment_id is not None
    assert FINDINGS[0].body in emulated.state.comments[result.issue_comment_id].body


def test_403_names_the_permission(emulated: Emulated) -> None:
    number, head = _pr(emulated)
    emulated.state.fail("pulls/create-review", "forbidden")
    with pytest.raises(GitHubError) as info:
        post_review(emulated.client, number, head, FINDINGS[:1], "", own_login=ME)
    assert info.value.status == 403
    assert info.value.permission == "pull-requests: write"
    assert "pull-requests: write" in str(info.value)


def test_long_review_body_is_split_into_continuations(emulated: Emulated) -> None:
    number, head = _pr(emulated)
    body = "\n".join(f"line {i} " + "z" * 100 for i in range(1500))
    result = post_review(emulated.client, number, head, FINDINGS[:1], body, own_login=ME)
    assert len(result.review_ids) == 3
    bodies = [emulated.state.reviews[i].body for i in result.review_ids]
    assert all(len(b) <= COMMENT_LIMIT for b in bodies)
    assert "part 1 of 3" in bodies[0]
    assert "line 1499" in bodies[-1]


def test_split_body() -> None:
    assert split_body("") == [""]
    assert split_body("a\nb\nc", 4) == ["a\nb\n", "c"]
    assert split_body("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    parts = split_body("x\n" * 1000, 101)
    assert all(len(p) <= 101 for p in parts)
    assert "".join(parts) == "x\n" * 1000


def test_fingerprint_ignores_whitespace_and_case() -> None:
    assert fingerprint("Review", "a.py", "Eval  is\nbad") == fingerprint(
        "review", "a.py", "eval is bad"
    )
    assert fingerprint("review", "a.py", "x") != fingerprint("review", "b.py", "x")
    assert len(fingerprint("x")) == 16
