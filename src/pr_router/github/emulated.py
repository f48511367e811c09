"""The in-memory GitHub the emulator serves: one repository, its PRs, comments, runs, faults.

Seed it in a test or the demo (``GitHubState.seed_pull(...)`` from an event payload and a
diff), hand it to ``pr_router.emulator.github.GitHubEmulator``, then read back what the
client did from ``comments``, ``reviews``, ``review_comments`` and ``calls``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pr_router.github.event import pr_context_from_pull
from pr_router.github.hunks import DiffMap, parse_diff_map

__all__ = [
    "FAULT_KINDS",
    "REVIEW_EVENTS",
    "Call",
    "EmuCheckRun",
    "EmuComment",
    "EmuJob",
    "EmuPull",
    "EmuReview",
    "EmuReviewComment",
    "EmuRun",
    "Fault",
    "FaultKind",
    "GitHubState",
]

REVIEW_EVENTS = ("COMMENT", "APPROVE", "REQUEST_CHANGES")
FaultKind = Literal[
    "forbidden", "not_found", "unprocessable", "secondary_rate_limit", "server_error"
]
FAULT_KINDS: tuple[FaultKind, ...] = (
    "forbidden",
    "not_found",
    "unprocessable",
    "secondary_rate_limit",
    "server_error",
)


@dataclass(slots=True)
class EmuPull:
    """A pull request and its diff."""

    repo: str
    number: int
    title: str
    body: str | None
    author: str
    head_sha: str
    base_sha: str
    head_ref: str = "feature"
    base_ref: str = "main"
    head_repo: str | None = ""  # "" = same as ``repo``; another name = fork; None = fork deleted
    labels: tuple[str, ...] = ()
    draft: bool = False
    state: str = "open"
    diff: bytes = b""
    commits: list[tuple[str, str]] = field(default_factory=list)  # (sha, message)
    _map: DiffMap | None = None

    @property
    def head_full_name(self) -> str | None:
        """The head repository's full name (None when the fork was deleted)."""
        return self.repo if self.head_repo == "" else self.head_repo

    @property
    def diff_map(self) -> DiffMap:
        """Commentable lines of the diff (parsed once)."""
        if self._map is None:
            self._map = parse_diff_map(self.diff)
        return self._map

    def review_problem(self, data: Any) -> str | None:
        """GitHub's reason to refuse this create-review request body, or None."""
        if not isinstance(data, dict):
            return "Invalid request."
        if data.get("event") not in (None, *REVIEW_EVENTS):
            return f"Invalid event {data.get('event')!r}"
        if data.get("commit_id") not in (None, self.head_sha, *(sha for sha, _ in self.commits)):
            return "commit_id is not part of the pull request"
        if len(data.get("body") or "") > 65536:
            return "body is too long (maximum is 65536 characters)"
        for item in data.get("comments") or []:
            if (
                not isinstance(item, dict)
                or not isinstance(item.get("body"), str)
                or "path" not in item
            ):
                return "Invalid request: each comment needs path and body"
            if "line" not in item:
                return "Invalid request: position is not emulated; send line and side"
            side = item.get("side") or "RIGHT"
            problem = self.diff_map.check(
                item["path"], item["line"], side, item.get("start_line"), item.get("start_side")
            )
            if problem is not None:
                return problem
        return None


@dataclass(slots=True)
class EmuComment:
    """An issue comment."""

    id: int
    number: int
    author: str
    body: str
    updated: int = 0  # a sequence number of the last write (the repository listing's order)


@dataclass(slots=True)
class EmuReview:
    """A submitted review."""

    id: int
    number: int
    author: str
    body: str
    state: str
    commit_id: str


@dataclass(slots=True)
class EmuReviewComment:
    """An inline review comment."""

    id: int
    review_id: int | None
    number: int
    author: str
    body: str
    path: str
    line: int
    side: str
    commit_id: str
    start_line: int | None = None
    start_side: str | None = None
    diff_hunk: str = ""
    in_reply_to_id: int | None = None  # the thread's first comment, for a reply


@dataclass(slots=True)
class EmuJob:
    """A job of a workflow run, with its steps and log."""

    id: int
    name: str
    conclusion: str | None
    steps: list[tuple[str, str | None]] = field(default_factory=list)  # (name, conclusion)
    log: str = ""


@dataclass(slots=True)
class EmuRun:
    """A workflow run."""

    id: int
    name: str
    head_sha: str
    head_branch: str
    status: str = "completed"
    conclusion: str | None = "failure"
    pr_numbers: tuple[int, ...] = ()
    jobs: list[EmuJob] = field(default_factory=list)


@dataclass(slots=True)
class EmuCheckRun:
    """A check run on a commit; annotations accumulate over updates, as on GitHub."""

    id: int
    name: str
    head_sha: str
    status: str = "queued"
    conclusion: str | None = None
    title: str | None = None
    summary: str | None = None
    text: str | None = None
    annotations: list[dict[str, Any]] = field(default_factory=list)
    external_id: str | None = None
    details_url: str | None = None
    requests: int = 1  # how many create/update requests built it


@dataclass(slots=True)
class Fault:
    """Answer the next ``times`` requests for ``operation`` (an operationId) with an error."""

    operation: str
    kind: FaultKind
    times: int = 1
    retry_after: int = 0  # seconds, for secondary_rate_limit


@dataclass(frozen=True, slots=True)
class Call:
    """One request the emulator answered: operationId, method, path, query, JSON body."""

    operation: str
    method: str
    path: str
    query: Mapping[str, list[str]]
    body: Any
    status: int


@dataclass
class GitHubState:
    """Everything the GitHub emulator knows; tests seed it and inspect it."""

    repo: str = "octo/repo"
    viewer: str = "pr-router-bot"  # the login behind the token
    viewer_is_app: bool = False  # Actions/App tokens get 403 on GET /user
    token: str | None = None  # when set, requests must carry exactly this token
    read_only: bool = False  # a fork PR's workflow token: every write is refused (403)
    default_branch: str = "main"
    pulls: dict[int, EmuPull] = field(default_factory=dict)
    files: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (ref, path) -> content
    refs: dict[str, str] = field(default_factory=dict)  # branch name <-> sha aliases
    compares: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (base, head) -> diff
    # head sha -> the PR diff at that head (merge base to head): what ``compare/BASE...HEAD``
    # answers for any base on the PR's base branch, as GitHub's three-dot compare does
    head_diffs: dict[str, bytes] = field(default_factory=dict)
    comments: dict[int, EmuComment] = field(default_factory=dict)
    reviews: dict[int, EmuReview] = field(default_factory=dict)
    review_comments: dict[int, EmuReviewComment] = field(default_factory=dict)
    reactions: dict[tuple[str, int], list[tuple[int, str, str]]] = field(default_factory=dict)
    runs: dict[int, EmuRun] = field(default_factory=dict)
    # login -> role name (admin, maintain, write, triage, read); anyone else reads, as on a
    # public repository, and the repository's owner is admin
    roles: dict[str, str] = field(default_factory=dict)
    check_runs: dict[int, EmuCheckRun] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1001))

    def next_id(self) -> int:
        """A fresh id, unique across every kind of object."""
        return next(self._ids)

    # seeding -------------------------------------------------------------------------------

    def seed_pull(
        self,
        payload: Mapping[str, Any],
        diff: bytes,
        *,
        commits: list[tuple[str, str]] | None = None,
    ) -> EmuPull:
        """Add the PR described by a webhook payload (its ``pull_request``), with its diff."""
        pull = payload.get("pull_request", payload)
        ctx = pr_context_from_pull(pull)
        head_repo = (pull.get("head") or {}).get("repo")
        self.repo = ctx.repo or self.repo
        repository = payload.get("repository")
        if isinstance(repository, Mapping) and isinstance(repository.get("default_branch"), str):
            self.default_branch = repository["default_branch"]
        return self.add_pull(
            EmuPull(
                repo=self.repo,
                number=ctx.number or 1,
                title=ctx.title,
                body=pull.get("body"),
                author=ctx.author or "octocat",
                head_sha=ctx.head_sha or "",
                base_sha=ctx.base_sha or "",
                head_ref=ctx.head_ref or "feature",
                base_ref=ctx.base_ref or "main",
                head_repo=head_repo.get("full_name") if isinstance(head_repo, Mapping) else None,
                labels=ctx.labels,
                draft=ctx.draft,
                state=str(pull.get("state") or "open"),
                diff=diff,
                commits=commits or [(ctx.head_sha or "", ctx.title)],
            )
        )

    def add_pull(self, pull: EmuPull) -> EmuPull:
        """Add a PR; its branch names become aliases of its shas for file lookups."""
        self.pulls[pull.number] = pull
        if pull.head_sha:
            self.head_diffs.setdefault(pull.head_sha, pull.diff)
        self.refs.setdefault(pull.base_ref, pull.base_sha)
        self.refs.setdefault(pull.head_ref, pull.head_sha)
        return pull

    def push(self, number: int, head_sha: str, diff: bytes, message: str, *,
             base_sha: str | None = None, forced: bool = False) -> EmuPull:  # fmt: skip
        """A push to the PR's branch: the head moves to ``head_sha`` whose PR diff is ``diff``.

        ``base_sha`` moves the base branch tip too; ``forced`` (a force-push) replaces the
        PR's commits and forgets the old heads, as GitHub does once they are unreachable.
        """
        pull = self.pulls[number]
        if forced:
            for sha, _ in pull.commits:
                self.head_diffs.pop(sha, None)
            pull.commits = []
        pull.head_sha, pull.diff, pull._map = head_sha, diff, None
        pull.commits.append((head_sha, message))
        self.head_diffs[head_sha] = diff
        self.refs[pull.head_ref] = head_sha
        if base_sha is not None:
            pull.base_sha = base_sha
            self.refs[pull.base_ref] = base_sha
        return pull

    def compare_diff(self, base: str, head: str) -> bytes | None:
        """``compare/BASE...HEAD`` as a diff: seeded pairs first, then the PR diff at a head
        the PR had when ``base`` is on a PR's base branch (None: GitHub would answer 404)."""
        if (base, head) in self.compares:
            return self.compares[(base, head)]
        bases = {p.base_sha for p in self.pulls.values()} | {
            p.base_ref for p in self.pulls.values()
        }
        return self.head_diffs.get(head) if base in bases else None

    def add_file(self, path: str, content: bytes, ref: str | None = None) -> None:
        """Make ``path`` readable at ``ref`` (default branch when None)."""
        self.files[(ref or self.default_branch, path)] = content

    def file(self, path: str, ref: str | None) -> bytes | None:
        """The content of ``path`` at ``ref`` (a branch or a sha), if seeded."""
        ref = ref or self.default_branch
        aliases = {ref, self.refs.get(ref, ref)} | {k for k, v in self.refs.items() if v == ref}
        return next((self.files[(r, path)] for r in aliases if (r, path) in self.files), None)

    def add_comment(self, number: int, author: str, body: str) -> EmuComment:
        """Add an issue comment by anyone (e.g. a forged marker by another user)."""
        cid = self.next_id()
        comment = EmuComment(cid, number, author, body, updated=cid)
        self.comments[comment.id] = comment
        return comment

    def role(self, login: str) -> str:
        """The repository role of ``login``, as the collaborator-permission endpoint reports it."""
        if login in self.roles:
            return self.roles[login]
        return "admin" if login == self.repo.partition("/")[0] else "read"

    def add_run(self, run: EmuRun) -> EmuRun:
        """Add a workflow run with its jobs."""
        self.runs[run.id] = run
        return run

    def add_reaction(
        self, kind: Literal["issue", "review"], comment_id: int, content: str, user: str
    ) -> None:
        """Add a reaction (``+1``, ``-1``, ...) to an issue or review comment."""
        self.reactions.setdefault((kind, comment_id), []).append((self.next_id(), content, user))

    def fail(
        self, operation: str, kind: FaultKind, *, times: int = 1, retry_after: int = 0
    ) -> None:
        """Make the next ``times`` calls of ``operation`` (operationId) fail with ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(FAULT_KINDS)}")
        self.faults.append(Fault(operation, kind, times, retry_after))

    def take_fault(self, operation: str) -> Fault | None:
        """The pending fault for ``operation``, counting one use of it."""
        for fault in self.faults:
            if fault.operation == operation and fault.times > 0:
                fault.times -= 1
                return fault
        return None

    def known_commit(self, sha: str) -> bool:
        """Whether ``sha`` is a commit of some PR (check runs need an existing commit)."""
        return any(
            sha in (p.head_sha, p.base_sha, *(c for c, _ in p.commits)) for p in self.pulls.values()
        )

    def checks_on(self, sha: str, name: str | None = None) -> list[EmuCheckRun]:
        """Check runs on a commit (optionally by name), oldest first."""
        return [
            c
            for c in self.check_runs.values()
            if c.head_sha == sha and (name is None or c.name == name)
        ]

    def calls_to(self, operation: str) -> list[Call]:
        """The recorded calls of one operation."""
        return [c for c in self.calls if c.operation == operation]
