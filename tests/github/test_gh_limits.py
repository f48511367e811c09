"""GitHub's size limits on what pr-router writes, as the emulator enforces them."""

from __future__ import annotations

import pytest
from conftest import Emulated

from pr_router.errors import GitHubError
from pr_router.github.publish import COMMENT_LIMIT


def test_a_comment_body_over_65536_characters_is_refused(emulated: Emulated) -> None:
    n = next(iter(emulated.state.pulls))
    assert COMMENT_LIMIT == 65_536
    emulated.client.create_issue_comment(n, "x" * COMMENT_LIMIT)  # at the limit: accepted
    with pytest.raises(GitHubError) as info:
        emulated.client.create_issue_comment(n, "x" * (COMMENT_LIMIT + 1))
    assert info.value.status == 422
    assert "maximum is 65536 characters" in str(info.value)


def test_a_review_body_over_65536_characters_is_refused(emulated: Emulated) -> None:
    n = next(iter(emulated.state.pulls))
    head = emulated.state.pulls[n].head_sha
    with pytest.raises(GitHubError) as info:
        emulated.client.create_review(n, head, "x" * (COMMENT_LIMIT + 1))
    assert info.value.status == 422
    assert "maximum is 65536 characters" in str(info.value)
