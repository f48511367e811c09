"""The sticky state as shared state: rebase onto what is on the PR, one comment per PR."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pr_router.execute import PendingBatch
from pr_router.github.models import Comment, InlineComment, ReviewComment, ReviewPosted
from pr_router.github.publish import compose_summary
from pr_router.github.state import State, decode_state
from pr_router.pipeline.sticky import batch_key, rebase, write_state

ME = "pr-router[bot]"


def test_rebase_drops_only_the_batches_this_writer_took_over() -> None:
    mine = PendingBatch("anthropic", "b1", datetime(2027, 1, 1, tzinfo=UTC), ())
    on_pr = State(pending=(mine.to_json(), {"provider": "openai", "batch_id": "b2"}, {}), runs=4)

    rebased = rebase(on_pr, {batch_key(mine), "None:None"})

    assert rebased.pending == ({"provider": "openai", "batch_id": "b2"},)
    assert rebased.runs == 4
    assert batch_key(mine) == batch_key(mine.to_json()) == "anthropic:b1"


class _PR:
    """A PR's conversation; ``interleave`` runs once, just before our first create lands."""

    def __init__(self, interleave: Any = None) -> None:
        self.comments: dict[int, Comment] = {}
        self.next_id = 100
        self.interleave = interleave
        self.deleted: list[int] = []

    def list_issue_comments(self, number: int) -> list[Comment]:
        return list(self.comments.values())

    def create_issue_comment(self, number: int, body: str) -> Comment:
        if self.interleave is not None:
            hook, self.interleave = self.interleave, None
            hook(self)
        self.next_id += 1
        self.comments[self.next_id] = Comment(id=self.next_id, author=ME, body=body)
        return self.comments[self.next_id]

    def edit_issue_comment(self, comment_id: int, body: str) -> Comment:
        self.comments[comment_id] = Comment(id=comment_id, author=ME, body=body)
        return self.comments[comment_id]

    def delete_issue_comment(self, comment_id: int) -> None:
        self.deleted.append(comment_id)
        del self.comments[comment_id]

    def list_review_comments(self, number: int) -> list[ReviewComment]:
        return []

    def create_review(self, number: int, commit_sha: str, body: str,
                      comments: Sequence[InlineComment] = (), event: str = "COMMENT") -> ReviewPosted:  # fmt: skip
        raise AssertionError("not used")


class _Services:
    def __init__(self, pr: _PR) -> None:
        self.publisher = pr
        self.own_login = ME


def _add_one_run(state: State) -> tuple[str, State, int]:
    new = State(runs=state.runs + 1, pending=(*state.pending, {"batch_id": f"b{state.runs}"}))
    return f"{new.runs} run(s)", new, new.runs


def test_write_state_merges_into_what_is_on_the_pr() -> None:
    pr = _PR()
    services: Any = _Services(pr)

    first, runs = write_state(services, 1, _add_one_run)
    again, runs_again = write_state(services, 1, _add_one_run)

    assert first == again
    assert (runs, runs_again) == (1, 2)
    assert decode_state(pr.comments[first].body) == State(
        runs=2, pending=({"batch_id": "b0"}, {"batch_id": "b1"})
    )


def test_two_summaries_created_at_once_become_the_older_one() -> None:
    def other_run_creates_first(pr: _PR) -> None:
        pr.next_id += 1
        text, _ = compose_summary("other", State(runs=1, pending=({"batch_id": "other"},)))
        pr.comments[pr.next_id] = Comment(id=pr.next_id, author=ME, body=text)

    pr = _PR(interleave=other_run_creates_first)
    services: Any = _Services(pr)

    kept, runs = write_state(services, 1, _add_one_run)

    assert list(pr.comments) == [kept] == [101]
    assert pr.deleted == [102]
    assert runs == 2
    state = decode_state(pr.comments[kept].body)
    assert state is not None
    assert state.pending == ({"batch_id": "other"}, {"batch_id": "b1"})
