"""Pack each job's PR context into its token budget, and say exactly what was left out.

Three context kinds, each shared byte for byte by the jobs that use it so that providers can
cache it as the prompt prefix:

- ``diff`` (review, security, custom ``findings`` jobs): PR metadata, the list of changed
  files, and the hunks of reviewable files with line numbers (new-file numbers; old-file
  numbers on removed lines). Lockfiles, generated, vendored, binary and asset files are
  listed by name only. Over budget, whole files are dropped, least relevant first (docs,
  then tests, then the largest ordinary code files, then CI, dependency, migration and
  config files, security-sensitive files last) and named in ``not_seen``: a review never
  looks complete when it is not. One packing serves the review and the security scan alike,
  so the scan reads the review's cached prefix even when files had to be left out.
- ``compact`` (describe, changelog, docs): file list with kinds and stats, commit messages,
  changed public signatures.
- ``log`` (failure-summary): built in ``failure_logs``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from pr_router.changes.model import ChangeSet, FileChange, FileKind, Hunk
from pr_router.context import PRContext
from pr_router.jobs.sanitize import fence, inline_code, sanitize_diff_text, sanitize_text
from pr_router.jobs.signatures import changed_signatures
from pr_router.tokens import estimate_tokens

__all__ = [
    "LISTED_ONLY_KINDS",
    "Omitted",
    "PackedContext",
    "metadata_block",
    "pack_compact",
    "pack_diff",
    "render_file",
]

ContextKind = Literal["diff", "compact", "log"]

# Files whose content no model reads: listed by name, never counted as "not seen".
LISTED_ONLY_KINDS = frozenset(
    {FileKind.LOCKFILE, FileKind.GENERATED, FileKind.VENDORED, FileKind.BINARY, FileKind.ASSET}
)
OVER_BUDGET = "over the context budget"
_BODY_CHARS = 6_000  # ~1,500 tokens of PR description is plenty for every job
_COMMIT_CHARS = 1_000
_MAX_COMMITS = 50
_MAX_COMPACT_FILES = 300
_LINE_FORMAT = (
    "Each diff line reads `<number> <mark> <code>`. Mark `+` is an added line and `-` a "
    "removed line, blank is context. Added and context lines carry their NEW-file line "
    "number (side RIGHT); removed lines carry their OLD-file line number (side LEFT)."
)


@dataclass(frozen=True, slots=True)
class Omitted:
    """A changed file whose content is not in the context, and why."""

    path: str
    reason: str  # "lockfile", "generated", "binary", "over the context budget", ...


@dataclass(frozen=True, slots=True)
class PackedContext:
    """A job's shared context: the text sent as ``shared_context`` and what it left out."""

    kind: ContextKind
    text: str
    shown: tuple[str, ...] = ()  # files whose hunks are in ``text``
    not_seen: tuple[str, ...] = ()  # reviewable files dropped to fit the budget
    listed_only: tuple[Omitted, ...] = ()  # files left out by kind or without content

    @property
    def tokens(self) -> int:
        """Estimated tokens of ``text``."""
        return estimate_tokens(self.text)

    @property
    def complete(self) -> bool:
        """True when every reviewable file is in the context."""
        return not self.not_seen


def _kind_label(f: FileChange) -> str:
    return f"{f.kind.value}, {f.status.value}, +{f.added} −{f.removed}"


def metadata_block(context: PRContext) -> str:
    """PR facts and the (untrusted, fenced) title and description."""
    facts: list[str] = []
    if context.repo:
        number = f" #{context.number}" if context.number is not None else ""
        facts.append(f"Repository: {inline_code(context.repo)}{number}")
    if context.author:
        facts.append(f"Author: {inline_code(context.author)}")
    if context.base_ref or context.head_ref:
        refs = f"{inline_code(context.head_ref or '?')} into {inline_code(context.base_ref or '?')}"
        facts.append(f"Branches: {refs}")
    if context.labels:
        facts.append("Labels: " + ", ".join(inline_code(label) for label in context.labels))
    body = sanitize_text(context.body).strip()
    if len(body) > _BODY_CHARS:
        body = body[:_BODY_CHARS] + "\n[description truncated]"
    parts = [
        "## Pull request",
        *facts,
        "",
        "Title:",
        fence(sanitize_text(context.title), "pr-title"),
    ]
    parts += ["", "Description:", fence(body, "pr-body") if body else "(no description)"]
    return "\n".join(parts)


def _listed_reason(f: FileChange) -> str | None:
    if f.kind in LISTED_ONLY_KINDS:
        return f.kind.value
    if f.binary:
        return "binary"
    if f.submodule:
        return "submodule pointer"
    if not f.hunks:
        return "no line changes" if not f.combined else "merge diff: counts only"
    return None


def _hunk_lines(hunk: Hunk, width: int) -> Iterable[str]:
    section = f" {sanitize_diff_text(hunk.section.strip())}" if hunk.section.strip() else ""
    yield (f"@@ -{hunk.old_start},{hunk.old_len} +{hunk.new_start},{hunk.new_len} @@{section}")
    for dl in hunk.lines:
        number = dl.old_no if dl.kind == "-" else dl.new_no
        yield f"{number or 0:>{width}} {dl.kind} {sanitize_diff_text(dl.text)}"


def render_file(f: FileChange) -> str:
    """One file's heading and fenced, line-numbered hunks."""
    width = len(str(max((max(h.new_end, h.old_end) for h in f.hunks), default=1)))
    heading = f"### {inline_code(f.path)} ({_kind_label(f)})"
    if f.old_path and f.old_path != f.path:
        heading += f", from {inline_code(f.old_path)}"
    body = "\n".join(line for h in f.hunks for line in _hunk_lines(h, width))
    return f"{heading}\n{fence(body, 'diff')}"


def _file_entry(f: FileChange, note: str | None) -> str:
    suffix = f" — not shown: {note}" if note else ""
    return f"- {inline_code(f.path)} ({_kind_label(f)}){suffix}"


def _sensitive_paths(changes: ChangeSet) -> frozenset[str]:
    return frozenset(h.path for h in changes.signals.sensitive_hits)


_SECURITY_KINDS = frozenset({FileKind.CI, FileKind.DEPENDENCY, FileKind.MIGRATION, FileKind.CONFIG})


def _drop_rank(f: FileChange, sensitive: frozenset[str]) -> tuple[int, int]:
    """Sort key: files that sort first are dropped first, the largest first within a rank.

    CI, dependency, migration and config files stay longer than ordinary code (they are
    where supply-chain and permission problems live, and they are small), and the files the
    security detector flagged stay longest: the one packing has to serve the security scan.
    """
    if f.path in sensitive:
        rank = 4
    elif f.kind is FileKind.DOCS:
        rank = 0
    elif f.kind is FileKind.TEST:
        rank = 1
    elif f.kind in _SECURITY_KINDS:
        rank = 3
    else:
        rank = 2
    return rank, -f.changed_lines


def _render_diff(
    changes: ChangeSet,
    context: PRContext,
    shown: list[FileChange],
    dropped: set[str],
    blocks: dict[str, str],
) -> str:
    listed = {f.path: _listed_reason(f) for f in changes.files}
    notes = dict.fromkeys(dropped, OVER_BUDGET) | {p: r for p, r in listed.items() if r}
    s = changes.signals
    parts = [
        "# Pull request under review",
        "",
        metadata_block(context),
        "",
        f"## Changed files ({len(changes.files)} files, +{s.lines_added} −{s.lines_removed})",
        *(_file_entry(f, notes.get(f.path)) for f in changes.files),
    ]
    if dropped:
        parts += [
            "",
            f"{len(dropped)} file(s) were left out to fit the context budget and are NOT part "
            "of this review: do not comment on them.",
        ]
    diff = "\n\n".join(blocks[f.path] for f in shown) or "(no reviewable hunks)"
    parts += ["", "## Diff", _LINE_FORMAT, "", diff]
    return "\n".join(parts) + "\n"


def pack_diff(changes: ChangeSet, context: PRContext, budget: int) -> PackedContext:
    """The review/security context within ``budget`` tokens; whole files dropped, named."""
    sensitive = _sensitive_paths(changes)
    reviewable = [f for f in changes.files if _listed_reason(f) is None]
    blocks = {f.path: render_file(f) for f in reviewable}
    drop_order = sorted(reviewable, key=lambda f: _drop_rank(f, sensitive))
    dropped: set[str] = set()
    text = _render_diff(changes, context, reviewable, dropped, blocks)
    # Estimate the drop count arithmetically, then confirm on the real text.
    excess = estimate_tokens(text) - budget
    for f in drop_order:
        if excess <= 0:
            break
        dropped.add(f.path)
        excess -= estimate_tokens(blocks[f.path]) - 10
    while True:
        shown = [f for f in reviewable if f.path not in dropped]
        text = _render_diff(changes, context, shown, dropped, blocks)
        left = [f for f in drop_order if f.path not in dropped]
        if estimate_tokens(text) <= budget or not left:
            break
        dropped.add(left[0].path)
    listed = tuple(Omitted(f.path, r) for f in changes.files if (r := _listed_reason(f)))
    return PackedContext(
        kind="diff",
        text=text,
        shown=tuple(f.path for f in shown),
        not_seen=tuple(f.path for f in changes.files if f.path in dropped),
        listed_only=listed,
    )


def _commits_block(messages: tuple[str, ...]) -> str:
    kept = [sanitize_text(m).strip()[:_COMMIT_CHARS] for m in messages[:_MAX_COMMITS]]
    more = len(messages) - len(kept)
    text = "\n\n".join(f"* {m}" for m in kept if m)
    if more > 0:
        text += f"\n\n[{more} more commit(s) not shown]"
    return fence(text, "commit-messages") if text else "(none)"


def _signatures_block(changes: ChangeSet) -> str:
    sigs = changed_signatures(changes.files)
    if not sigs:
        return "(none detected)"
    lines = [f"{s.path}:{s.line} {s.sign} {sanitize_diff_text(s.text.strip())}" for s in sigs]
    return fence("\n".join(lines), "signatures")


def _compact_text(changes: ChangeSet, context: PRContext, max_files: int) -> str:
    s = changes.signals
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(s.file_kinds.items()))
    files = [_file_entry(f, None) for f in changes.files[:max_files]]
    if len(changes.files) > max_files:
        files.append(f"- … and {len(changes.files) - max_files} more file(s)")
    parts = [
        "# Pull request (compact view: file list, commits, changed public signatures)",
        "",
        metadata_block(context),
        "",
        f"## Changed files ({len(changes.files)} files, +{s.lines_added} −{s.lines_removed}"
        + (f"; {kinds}" if kinds else "")
        + ")",
        *files,
        "",
        "## Commit messages",
        _commits_block(context.commit_messages),
        "",
        "## Changed public signatures (`path:line +|- definition`)",
        _signatures_block(changes),
    ]
    return "\n".join(parts) + "\n"


def pack_compact(changes: ChangeSet, context: PRContext, budget: int) -> PackedContext:
    """The compact view shared by describe, changelog and docs, shortened to fit ``budget``."""
    max_files = _MAX_COMPACT_FILES
    text = _compact_text(changes, context, max_files)
    while estimate_tokens(text) > budget and max_files > 10:
        max_files //= 2
        text = _compact_text(changes, context, max_files)
    listed = tuple(Omitted(f.path, r) for f in changes.files if (r := _listed_reason(f)))
    return PackedContext(kind="compact", text=text, listed_only=listed)
