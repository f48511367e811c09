"""Comment bodies built from parts: collapsible sections, safe inline text, fitting a limit.

A body is a list of ``Part``; ``fit`` joins them and, when the result is too long,
shortens the largest collapsible parts first, each with a visible note. Fixed parts (the
headline, the cost table) are cut only as a last resort, from the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

__all__ = ["Part", "code_span", "defuse", "details", "fit", "one_line"]

TRIM_NOTE = "\n\n*✂️ {n:,} characters trimmed to fit GitHub's comment limit.*"
MAX_TEXT = 500  # characters of one error, notice or budget line


def defuse(text: str) -> str:
    """Make sure nothing we emit can open an HTML comment (hidden text, forged markers)."""
    return text.replace("<!--", "&lt;!--")


def one_line(text: str, limit: int = MAX_TEXT) -> str:
    """Whitespace collapsed to single spaces, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def code_span(text: str) -> str:
    """An inline code span that survives backticks in the text."""
    text = one_line(text, 300)
    return f"`` {text} ``" if "`" in text else f"`{text}`"


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of a body; only ``trimmable`` ones may be shortened to fit the limit."""

    body: str
    head: str = ""
    tail: str = ""
    trimmable: bool = False

    @property
    def text(self) -> str:
        """The part as it appears in the body."""
        return self.head + self.body + self.tail


def details(summary_html: str, body: str, *, trimmable: bool = True) -> Part:
    """A collapsible ``<details>`` part; ``summary_html`` must already be escaped."""
    head = f"<details><summary>{summary_html}</summary>\n\n"
    # An unclosed fence in model output would swallow the rest of the comment.
    return Part(_close_fence(defuse(body.strip())), head, "\n\n</details>", trimmable)


def _close_fence(text: str) -> str:
    """Close a code fence left open by a cut, so it does not swallow what follows."""
    fences = sum(1 for line in text.splitlines() if line.lstrip().startswith("```"))
    return text + "\n```" if fences % 2 else text


def _shrink(part: Part, excess: int) -> Part:
    """The part with at least ``excess`` fewer characters, cut at a line end, with a note."""
    note_len = len(TRIM_NOTE.format(n=len(part.body))) + 4  # and the fence we may add
    keep = len(part.body) - excess - note_len
    cut = part.body.rfind("\n", 0, keep) if keep > 0 else -1
    kept = _close_fence(part.body[:cut]) if cut > 0 else ""
    note = TRIM_NOTE.format(n=len(part.body) - len(kept)).lstrip()
    return replace(part, body=f"{kept}\n\n{note}".lstrip(), trimmable=False)


def _join(parts: Iterable[Part]) -> str:
    return "\n\n".join(p.text for p in parts if p.text).rstrip() + "\n"


def fit(parts: list[Part], limit: int) -> str:
    """Join the parts, shortening the largest collapsible ones first until it fits."""
    text = _join(parts)
    order = sorted(
        (i for i, p in enumerate(parts) if p.trimmable), key=lambda i: -len(parts[i].body)
    )
    for i in order:
        excess = len(text) - limit
        if excess <= 0:
            break
        parts[i] = _shrink(parts[i], excess)
        text = _join(parts)
    if len(text) > limit:  # only fixed parts are left: cut the end, visibly
        note = TRIM_NOTE.format(n=len(text) - limit + 200).strip()
        head = text[: limit - len(note) - 10].rsplit("\n", 1)[0]
        text = _close_fence(head) + "\n\n" + note + "\n"
    return text
