"""What ``pr-router demo`` shows: the PR conversation as Markdown and as one HTML page.

The HTML page is self-contained (inline CSS, no scripts, no external assets) and looks
like a GitHub pull-request conversation: the PR header and body, the review with each
inline comment under its diff hunk, and the sticky summary comment. Every piece of text,
model output included, goes through ``markdown_to_html``, which escapes it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import NamedTuple

from pr_router.render.markdown_html import markdown_to_html

__all__ = ["CheckBox", "ConversationComment", "conversation_html", "conversation_markdown"]

_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$")
BOT = "pr-router[bot]"


class ConversationComment(NamedTuple):
    """An inline review comment: where it sits, its text, and the diff hunk it is under."""

    path: str
    line: int
    side: str  # "RIGHT" (new code) or "LEFT" (removed code)
    body: str
    diff_hunk: str


class CheckBox(NamedTuple):
    """A check run as the PR's checks box lists it."""

    name: str
    conclusion: str  # success | failure | neutral
    title: str
    annotations: int = 0


_CHECK_ICON = {"success": ("✓", "ok"), "failure": ("✗", "fail"), "neutral": ("◯", "neutral")}
_CHECK_WORD = {"failure": "Failing", "neutral": "Neutral", "success": "Successful"}


def _checks_headline(checks: Sequence[CheckBox]) -> str:
    counts = {c: sum(1 for x in checks if x.conclusion == c) for c in _CHECK_WORD}
    head = "Some checks were not successful" if counts["failure"] else "All checks have passed"
    parts = [f"{n} {_CHECK_WORD[c].lower()}" for c, n in counts.items() if n]
    return f"{head}: {', '.join(parts)} checks"


def _checks_markdown(checks: Sequence[CheckBox]) -> list[str]:
    if not checks:
        return []
    rows = [f"- {_CHECK_ICON.get(c.conclusion, ('•', ''))[0]} **{c.name}** — {c.title}"
            for c in checks]  # fmt: skip
    return ["---", "## Checks", f"**{_checks_headline(checks)}**", "\n".join(rows)]


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in ``text``."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _where(c: ConversationComment) -> str:
    side = " (removed code)" if c.side.upper() == "LEFT" else ""
    return f"`{c.path}` line {c.line}{side}"


def conversation_markdown(
    pr_title: str,
    pr_body: str,
    review_body: str,
    inline_comments: Sequence[tuple[str, int, str, str, str]],
    summary_comment_body: str,
    *,
    pr_number: int = 1,
    checks: Sequence[CheckBox] = (),
    later_comments: Sequence[tuple[str, str]] = (),
) -> str:
    """The conversation as one Markdown document (PR, review with inline comments, summary,
    later comments as ``(author, body)``, checks)."""
    parts = [f"# {' '.join(pr_title.split())} (#{pr_number})", pr_body.strip() or "*No body.*"]
    parts += ["---", f"## Review by {BOT}", review_body.strip() or "*No review body.*"]
    for raw in inline_comments:
        c = ConversationComment(*raw)
        fence = _fence(c.diff_hunk)
        parts += [f"### {_where(c)}", f"{fence}diff\n{c.diff_hunk.rstrip()}\n{fence}", c.body]
    parts += ["---", f"## Summary comment by {BOT}", summary_comment_body.strip()]
    for who, body in later_comments:
        parts += ["---", f"## Comment by {who}", body.strip() or "*Empty comment.*"]
    parts += _checks_markdown(checks)
    return "\n\n".join(parts) + "\n"


def _diff_rows(hunk: str, line: int, side: str) -> str:
    """Table rows of a diff hunk: old and new line numbers, +/- colouring, target marked."""
    old = new = 0
    rows: list[str] = []
    for raw in hunk.splitlines():
        if m := _HUNK_HEADER.match(raw):
            old, new = int(m.group(1)), int(m.group(2))
            rows.append(f'<tr class="hunk"><td colspan="3">{html.escape(raw)}</td></tr>')
            continue
        marked = bool(raw) and raw[0] in "+- \\"
        sign, text = (raw[0], raw[1:]) if marked else (" ", raw)
        left = str(old) if old and sign in " -" else ""
        right = str(new) if new and sign in " +" else ""
        target = (side.upper() == "LEFT" and left == str(line)) or (
            side.upper() != "LEFT" and right == str(line)
        )
        cls = {"+": "add", "-": "del", "\\": "meta"}.get(sign, "ctx") + (
            " target" if target else ""
        )
        rows.append(
            f'<tr class="{cls}"><td class="num">{left}</td><td class="num">{right}</td>'
            f'<td class="code"><span class="sign">{html.escape(sign)}</span>'
            f"{html.escape(text)}</td></tr>"
        )
        old += sign in " -"
        new += sign in " +"
    return "".join(rows)


def _avatar(name: str) -> str:
    letter = html.escape((name.strip() or "?")[0].upper())
    return f'<div class="avatar" aria-hidden="true">{letter}</div>'


def _comment_box(author: str, action: str, body_md: str, extra: str = "") -> str:
    return (
        f'<div class="item">{_avatar(author)}<div class="box">'
        f'<div class="box-head"><strong>{html.escape(author)}</strong> {html.escape(action)}'
        f'</div><div class="markdown-body">{markdown_to_html(body_md)}</div>{extra}</div></div>'
    )


def _inline_box(c: ConversationComment) -> str:
    return (
        f'<div class="inline"><div class="file">{html.escape(c.path)}</div>'
        f'<table class="diff">{_diff_rows(c.diff_hunk, c.line, c.side)}</table>'
        f'<div class="thread"><div class="box-head"><strong>{BOT}</strong> on line '
        f"{int(c.line)}{' (removed code)' if c.side.upper() == 'LEFT' else ''}</div>"
        f'<div class="markdown-body">{markdown_to_html(c.body)}</div></div></div>'
    )


def _checks_box(checks: Sequence[CheckBox]) -> str:
    """The merge box's check list, as GitHub shows it under the conversation."""
    if not checks:
        return ""
    rows = []
    for c in checks:
        icon, cls = _CHECK_ICON.get(c.conclusion, ("•", "neutral"))
        notes = f" · {c.annotations} annotations" if c.annotations else ""
        rows.append(
            f'<li><span class="ci {cls}" aria-label="{html.escape(c.conclusion)}">{icon}</span>'
            f"<strong>{html.escape(c.name)}</strong> <span>— {html.escape(c.title)}{notes}</span>"
            f'<span class="req">Required</span></li>'
        )
    failing = any(c.conclusion == "failure" for c in checks)
    state = "fail" if failing else "ok"
    foot = (
        "Merging is blocked: a required check is failing"
        if failing
        else "This branch has no conflicts and its required checks passed"
    )
    return (
        f'<section class="checks {state}"><div class="checks-head">'
        f"<strong>{html.escape(_checks_headline(checks))}</strong></div>"
        f'<ul>{"".join(rows)}</ul><div class="checks-foot">{foot}</div></section>'
    )


def conversation_html(
    pr_title: str,
    pr_body: str,
    review_body: str,
    inline_comments: Sequence[tuple[str, int, str, str, str]],
    summary_comment_body: str,
    *,
    pr_number: int = 1,
    author: str = "octocat",
    checks: Sequence[CheckBox] = (),
    later_comments: Sequence[tuple[str, str]] = (),
) -> str:
    """A self-contained HTML page that looks like the PR's GitHub conversation; later comments
    (``(author, body)``, e.g. commands and their replies) follow the summary."""
    title = html.escape(" ".join(pr_title.split()))
    inline = "".join(_inline_box(ConversationComment(*c)) for c in inline_comments)
    timeline = [
        _comment_box(author, "opened this pull request", pr_body or "*No description.*"),
        _comment_box(BOT, "reviewed", review_body or "*No review body.*", inline),
        _comment_box(BOT, "commented (updated in place on every run)", summary_comment_body),
        *(_comment_box(who, "commented", body) for who, body in later_comments),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>{title} · #{int(pr_number)} · pr-router demo</title><style>{_CSS}</style>"
        '</head><body><main class="page"><header class="pr-header">'
        f'<h1>{title} <span class="number">#{int(pr_number)}</span></h1>'
        f'<p><span class="state">Open</span> <strong>{html.escape(author)}</strong> wants to '
        "merge into <code>main</code> · rendered offline by <code>pr-router demo</code></p>"
        f'</header><div class="timeline">{"".join(timeline)}</div>{_checks_box(checks)}'
        "</main></body></html>\n"
    )


_CSS = """
:root{--fg:#1f2328;--muted:#59636e;--border:#d1d9e0;--bg:#f6f8fa;--accent:#0969da;
--add:#dafbe1;--addnum:#ccffd8;--del:#ffebe9;--delnum:#ffd7d5;--hunk:#ddf4ff}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);background:#fff;font:14px/1.5 -apple-system,BlinkMacSystemFont,
"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif}
.page{max-width:980px;margin:0 auto;padding:24px 16px}
.pr-header{border-bottom:1px solid var(--border);margin-bottom:16px;padding-bottom:8px}
.pr-header h1{font-size:26px;font-weight:400;margin:0 0 8px}
.pr-header .number{color:var(--muted);font-weight:300}
.pr-header p{color:var(--muted);margin:0}
.state{display:inline-block;background:#1f883d;color:#fff;border-radius:2em;padding:2px 12px;
font-weight:500;margin-right:6px}
.timeline{border-left:2px solid var(--border);margin-left:20px;padding-left:0}
.item{display:flex;gap:12px;margin:0 0 16px -20px}
.avatar{flex:0 0 40px;height:40px;border-radius:50%;background:#8250df;color:#fff;display:flex;
align-items:center;justify-content:center;font-weight:600}
.box{flex:1;min-width:0;border:1px solid var(--border);border-radius:6px;background:#fff}
.box-head{background:var(--bg);border-bottom:1px solid var(--border);padding:8px 16px;
color:var(--muted);border-radius:6px 6px 0 0}
.box-head strong{color:var(--fg)}
.markdown-body{padding:12px 16px;overflow-wrap:anywhere}
.markdown-body table{border-collapse:collapse;margin:8px 0;display:block;overflow:auto}
.markdown-body th,.markdown-body td{border:1px solid var(--border);padding:4px 10px}
.markdown-body tr:nth-child(2n){background:var(--bg)}
.markdown-body code{background:rgba(129,139,152,.12);border-radius:4px;padding:.1em .3em;
font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.markdown-body pre{background:var(--bg);border-radius:6px;padding:12px;overflow:auto}
.markdown-body pre code{background:none;padding:0}
.markdown-body blockquote{margin:0;padding:0 1em;color:var(--muted);
border-left:.25em solid var(--border)}
.markdown-body details{margin:8px 0}
.markdown-body summary{cursor:pointer;font-weight:600}
.markdown-body a{color:var(--accent)}
.inline{margin:12px 16px;border:1px solid var(--border);border-radius:6px;overflow:hidden}
.file{background:var(--bg);padding:6px 12px;font:12px ui-monospace,Menlo,Consolas,monospace;
border-bottom:1px solid var(--border)}
.diff{border-collapse:collapse;width:100%;font:12px/20px ui-monospace,Menlo,Consolas,monospace}
.diff td{padding:0 8px;white-space:pre-wrap;vertical-align:top}
.diff .num{width:1%;min-width:40px;text-align:right;color:var(--muted);user-select:none}
.diff .sign{display:inline-block;width:1.2em;user-select:none}
.diff .add .code{background:var(--add)}.diff .add .num{background:var(--addnum)}
.diff .del .code{background:var(--del)}.diff .del .num{background:var(--delnum)}
.diff .hunk td{background:var(--hunk);color:var(--muted)}
.diff .meta td{color:var(--muted)}
.diff .target td{box-shadow:inset 0 -1px #d4a72c,inset 0 1px #d4a72c}
.thread{border-top:1px solid var(--border)}
.chart{margin:8px 0}.chart figcaption{font-weight:600;margin-bottom:4px}
.bar{display:flex;align-items:center;gap:8px;margin:2px 0}
.bar .label{flex:0 0 140px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bar .track{flex:1;background:var(--bg);height:12px;border-radius:6px;overflow:hidden}
.bar .fill{display:block;height:100%;background:var(--accent)}
.bar .value{flex:0 0 130px;color:var(--muted);font-size:12px}
.checks{border:1px solid var(--border);border-radius:6px;margin:16px 0 0 22px}
.checks.fail{border-left:4px solid #cf222e}.checks.ok{border-left:4px solid #1f883d}
.checks-head{padding:12px 16px;border-bottom:1px solid var(--border)}
.checks ul{list-style:none;margin:0;padding:0}
.checks li{display:flex;gap:8px;align-items:baseline;padding:8px 16px;
border-bottom:1px solid var(--border)}
.checks li span{color:var(--muted)}
.checks .ci{font-weight:700;width:1.2em}.ci.ok{color:#1f883d}.ci.fail{color:#cf222e}
.checks .req{margin-left:auto;border:1px solid var(--border);border-radius:2em;padding:0 8px;
font-size:12px}
.checks-foot{padding:12px 16px;background:var(--bg);border-radius:0 0 6px 6px}
"""
