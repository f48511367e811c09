"""Who and what a run is about: the pull request and the event that started the run."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["PRContext"]


@dataclass(frozen=True, slots=True)
class PRContext:
    """Facts about the PR that routing and prompts need. Built from a webhook payload.

    ``title``, ``body`` and ``commit_messages`` are untrusted text: they are sanitised and
    fenced before they reach a prompt, and never reach a shell.
    """

    repo: str | None = None  # "owner/name"
    number: int | None = None
    title: str = ""
    body: str = ""
    author: str | None = None
    labels: tuple[str, ...] = ()
    draft: bool = False
    base_sha: str | None = None
    head_sha: str | None = None
    base_ref: str | None = None
    head_ref: str | None = None
    is_fork: bool = False
    event: str = "pull_request"  # GITHUB_EVENT_NAME
    action: str | None = None  # "opened", "synchronize", ...
    ci_failed: bool = False  # a workflow_run for the PR concluded with failure
    workflow_run_id: int | None = None
    commit_messages: tuple[str, ...] = field(default=())
    private: bool | None = None  # repository.private; None when the payload does not say
