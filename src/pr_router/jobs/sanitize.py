"""Hardening against prompt injection: untrusted text in, model text out.

Everything a PR author controls (title, body, commit messages, file names, diffs) and every
CI log is *data*. Before it reaches a prompt, hidden content is removed (HTML comments,
which a human never sees in the rendered PR body; zero-width and bidi control characters),
then the data is fenced with a fence longer than any backtick run inside it and labelled
``<untrusted-data source="...">``; the system prompt says fenced data is never an
instruction.

Diffs are the one exception to stripping: hiding a bidi override in code is itself an
attack ("Trojan Source"), so in diffs invisible characters are made *visible*
(``<U+202E>``) instead of removed, and HTML comments are kept (they are code, and a human
sees them in the diff view too).

Model output is untrusted as well. Before anything is posted: HTML comments are removed
(nothing can forge a ``<!-- pr-router:... -->`` marker), ``@`` mentions are put in code
spans (GitHub does not notify for them there), bot commands such as ``/approve`` or
``bors r+`` and bare review events (``APPROVE``) are defused, and lengths are capped.
The review event itself is never taken from model output: pr-router only posts COMMENT.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

__all__ = [
    "MAX_COMMENT_CHARS",
    "MAX_FINDING_CHARS",
    "cap_markdown",
    "fence",
    "inline_code",
    "sanitize_diff_text",
    "sanitize_output",
    "sanitize_output_code",
    "sanitize_text",
]

MAX_COMMENT_CHARS = 65_536  # GitHub's limit for one comment body
MAX_FINDING_CHARS = 8_000  # one inline comment: long enough, far from the limit

# Zero-width, joiners, bidi embeddings/overrides/isolates, BOM, soft hyphen, word joiner,
# invisible operators, the Mongolian vowel separator and the Unicode tag block.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\U000e0000-\U000e007f]"
)
# C0/C1 controls other than tab and newline (ANSI escapes start with one of these).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_DATA_TAG = re.compile(r"(</?)untrusted-data", re.IGNORECASE)
_BACKTICK_RUN = re.compile(r"`+")
_LABEL = re.compile(r"[^a-zA-Z0-9_.:/-]")


def _strip_hidden(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    return _CONTROL.sub("", text)


def sanitize_text(text: str) -> str:
    """PR title, body, commit message or log: hidden content removed, NFC-normalised."""
    text = _HTML_COMMENT.sub("", _strip_hidden(text))
    return unicodedata.normalize("NFC", text)


def _visible(match: re.Match[str]) -> str:
    return f"<U+{ord(match.group(0)):04X}>"


def sanitize_diff_text(text: str) -> str:
    """A diff line: invisible and control characters shown as ``<U+XXXX>``, nothing removed."""
    text = _INVISIBLE.sub(_visible, text)
    return re.sub("[\x00-\x08\x0a-\x1f\x7f-\x9f]", _visible, text)


def _defuse_tags(text: str) -> str:
    """Data cannot open or close our own data labels (U+2010 looks like a hyphen)."""
    return _DATA_TAG.sub(lambda m: m.group(1) + "untrusted\u2010data", text)


def fence(text: str, source: str, *, info: str = "") -> str:
    """Fence and label untrusted ``text``; the fence is longer than any backtick run inside."""
    longest = max((len(m) for m in _BACKTICK_RUN.findall(text)), default=0)
    ticks = "`" * max(3, longest + 1)
    body = _defuse_tags(text)
    if not body.endswith("\n"):
        body += "\n"
    label = _LABEL.sub("-", source)
    return f'<untrusted-data source="{label}">\n{ticks}{info}\n{body}{ticks}\n</untrusted-data>'


def inline_code(text: str) -> str:
    """A one-line code span around ``text`` (a path, a name) that nothing inside can break.

    File names are PR-controlled: ``<!--`` is broken here too, so a file called
    ``<!-- pr-router:state ... -->`` cannot plant a marker in a comment that quotes it.
    """
    flat = " ".join(_strip_hidden(text).split()).replace("<!--", "<!\u200b--")
    longest = max((len(m) for m in _BACKTICK_RUN.findall(flat)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


# --- model output -------------------------------------------------------------------------

_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MENTION = re.compile(r"(?<![\w/@.+-])@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9_.-]+)?")
# Bot commands that act on a line of their own (Prow, bors, Mergify-style slash commands).
_COMMAND_LINE = re.compile(
    r"^(\s*(?:[>*+-]\s+)?)(/[A-Za-z][\w-]*|bors\s+(?:r\+|merge|try)(?!\w))", re.M
)
_REVIEW_EVENT = re.compile(r"(?<![\w`])(APPROVED?|REQUEST_CHANGES|MERGE)(?![\w`])")
_MARKER_IN_CODE = re.compile(r"<!--")
# Where a new block may start: a blank line, or a line opening a list item, quote, heading or
# table row. Splitting too often only means defusing more.
_BLOCK_BREAK = re.compile(r"\n(?=[ \t]*(?:\n|$|[-*+>#|]|\d{1,9}[.)]))")


def _defuse_mention(m: re.Match[str]) -> str:
    """A mention in a code span; next to a stray backtick a span would not close, so a word
    joiner after the ``@`` (GitHub then sees no mention) does the job there."""
    text, at, end = m.string, m.start(), m.end()
    if text[at - 1 : at] == "`" or text[end : end + 1] == "`":
        return "@\u2060" + m.group(0)[1:]
    return f"`{m.group(0)}`"


def _defuse_prose(text: str) -> str:
    text = _HTML_COMMENT.sub("", text)
    text = text.replace("-->", "--\u200b>")  # a dangling closer of a comment opened elsewhere
    text = _MENTION.sub(_defuse_mention, text)
    text = _COMMAND_LINE.sub(lambda m: f"{m.group(1)}`{m.group(2)}`", text)
    return _REVIEW_EVENT.sub(lambda m: f"`{m.group(1)}`", text)


def _code_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each inline code span, as CommonMark reads them: a backtick run opens
    one that the next run of the same length closes; a run is never split. Spans stay inside
    one block (GitHub parses inlines per paragraph or list item), so a span cannot reach over
    a blank line to hide a mention GitHub renders as prose. One pass from the right finds
    each run's closer: never quadratic."""
    start = 0
    for brk in _BLOCK_BREAK.finditer(text):
        yield from ((start + a, start + b) for a, b in _spans_in(text[start : brk.start()]))
        start = brk.end()
    yield from ((start + a, start + b) for a, b in _spans_in(text[start:]))


def _spans_in(text: str) -> Iterator[tuple[int, int]]:
    runs = [(m.start(), m.end()) for m in _BACKTICK_RUN.finditer(text)]
    closer: list[int | None] = [None] * len(runs)
    seen: dict[int, int] = {}  # run length -> index of the nearest such run to the right
    for i in range(len(runs) - 1, -1, -1):
        length = runs[i][1] - runs[i][0]
        closer[i] = seen.get(length)
        seen[length] = i
    i = 0
    while i < len(runs):
        j = closer[i]
        if j is None:
            i += 1
            continue
        yield runs[i][0], runs[j][1]
        i = j + 1


def _defuse_inline(text: str) -> str:
    """Prose with inline code spans: spans keep their text, markers inside are broken."""
    out: list[str] = []
    last = 0
    for start, end in _code_spans(text):
        out.append(_defuse_prose(text[last:start]))
        out.append(sanitize_output_code(text[start:end]))
        last = end
    out.append(_defuse_prose(text[last:]))
    return "".join(out)


def sanitize_output_code(code: str) -> str:
    """Code from the model (a suggestion): kept as is except that no HTML comment can open.

    Mentions do not notify inside code, so they stay; ``<!--`` gets a zero-width space so no
    hidden marker can be forged even in a code block.
    """
    return _MARKER_IN_CODE.sub("<!\u200b--", _strip_hidden(code))


def sanitize_output(text: str) -> str:
    """Model-written Markdown made safe to post (see the module docstring)."""
    text = _strip_hidden(text)
    out: list[str] = []
    prose: list[str] = []
    fence_open: str | None = None
    for line in text.split("\n"):
        m = _FENCE_LINE.match(line)
        if fence_open is None and m:
            if prose:
                out.append(_defuse_inline("\n".join(prose)))
            prose, fence_open = [], m.group(1)
            out.append(sanitize_output_code(line))
        elif fence_open is not None:
            if m and m.group(1)[0] == fence_open[0] and len(m.group(1)) >= len(fence_open):
                fence_open = None
            out.append(sanitize_output_code(line))
        else:
            prose.append(line)
    if prose:
        out.append(_defuse_inline("\n".join(prose)))
    if fence_open is not None:
        out.append(fence_open)  # close a fence the model left open
    return "\n".join(out)


def cap_markdown(text: str, limit: int, *, note: str = "(truncated)") -> str:
    """``text`` cut to at most ``limit`` characters, closing a code fence left open."""
    if len(text) <= limit:
        return text
    tail = f"\n\n… {note}"
    cut = text[: max(0, limit - len(tail) - 8)]
    cut = cut[: cut.rfind("\n")] if "\n" in cut else cut
    open_fence: str | None = None
    for line in cut.split("\n"):
        m = _FENCE_LINE.match(line)
        if m and (open_fence is None or m.group(1).startswith(open_fence)):
            open_fence = None if open_fence is not None else m.group(1)
    if open_fence is not None:
        cut += "\n" + open_fence
    return cut + tail
