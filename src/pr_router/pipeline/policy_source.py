"""Read the policy from the PR's base branch through the API (a PR cannot reroute itself)."""

from __future__ import annotations

from pr_router.github.client import GitHubClient
from pr_router.policy.loader import (
    BUNDLED_DEFAULT,
    LoadedPolicy,
    load_policy,
    parse_policy,
    price_table,
)

__all__ = ["LoadedPolicy", "policy_from_base"]


def policy_from_base(github: GitHubClient, path: str, base_sha: str | None) -> LoadedPolicy:
    """The policy file at the base commit, or the bundled default when the repo has none."""
    raw = github.file_at(path, base_sha) if base_sha else None
    if raw is None:
        return load_policy(None)
    source = f"{path}@{base_sha[:7]}" if base_sha else path
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        from pr_router.errors import PolicyError

        raise PolicyError("the policy file is not UTF-8", file=source) from None
    policy = parse_policy(text, source=source)
    return LoadedPolicy(policy=policy, source=source, prices=price_table(policy.prices))


assert BUNDLED_DEFAULT  # re-exported name kept for callers that print it
