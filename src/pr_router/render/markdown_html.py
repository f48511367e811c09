"""A small Markdown-to-HTML renderer for the subset pr-router emits, safe for model text.

Supported: headings, paragraphs (single newlines are line breaks, as in GitHub comments),
fenced code, GFM tables, block quotes, flat lists, rules, ``<details>``/``<summary>``
lines, and inline code, bold, italics, strike-through, links and ``<sub>``/``<br>``.
Every other character is HTML-escaped (entities such as ``&lt;`` are kept as entities), so
no input can inject markup: ``<script>`` shows as text, ``javascript:`` links stay text.
HTML comments are dropped, as GitHub hides them. A mermaid ``pie`` becomes CSS bars.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

__all__ = ["escape_text", "inline_html", "markdown_to_html"]

_ENTITY_OR_AMP = re.compile(r"&(?!#\d{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CODE = re.compile(r"(`+)(.+?)\1")
# A code span stands in as \x01N\x01 while styles run, so ``**`x` y**`` still bolds; a link
# URL never holds one (it could otherwise carry ``<code>`` into the ``href``).
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s\x01]+)\)")
_CODE_SLOT = re.compile("\x01(\\d+)\x01")
_ALLOWED_TAGS = re.compile(r"&lt;(/?)(sub|sup)&gt;|&lt;br\s*/?&gt;")
_STYLES = (
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), "strong"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"), "em"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), "em"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), "del"),
)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)")
_DETAILS = re.compile(r"^\s*<details>\s*(?:<summary>(.*)</summary>)?\s*$", re.IGNORECASE)
_SUMMARY = re.compile(r"^\s*<summary>(.*)</summary>\s*$", re.IGNORECASE)
_END_DETAILS = re.compile(r"^\s*</details>\s*$", re.IGNORECASE)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_ITEM = re.compile(r"^\s*([-*+]|\d{1,9}[.)])\s+(.*)$")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_PIE_ROW = re.compile(r'^\s*"([^"]*)"\s*:\s*([0-9]+(?:\.[0-9]+)?)\s*$')


def escape_text(text: str) -> str:
    """HTML-escape text, keeping well-formed character entities as they are."""
    text = _ENTITY_OR_AMP.sub("&amp;", text)
    return text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _safe_url(url: str) -> bool:
    """Only web, mail and relative links; never ``javascript:``, ``data:`` and the like."""
    plain = html.unescape(url).strip()
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", plain)
    if scheme is None:
        return not any(ord(c) < 32 for c in plain)
    return scheme.group(1).lower() in ("http", "https", "mailto")


def _styles(escaped: str) -> str:
    for pattern, tag in _STYLES:
        escaped = pattern.sub(rf"<{tag}>\1</{tag}>", escaped)
    return escaped


def _link(m: re.Match[str]) -> str:
    label, url = m.group(1), m.group(2)
    if not _safe_url(url):
        return _styles(m.group(0))
    href = html.escape(html.unescape(url), quote=True)
    return f'<a href="{href}" rel="nofollow noopener">{_styles(label)}</a>'


def _styled(escaped: str) -> str:
    """Inline styles on escaped text; links are set aside first so no tag lands in a URL."""
    escaped = _ALLOWED_TAGS.sub(
        lambda m: f"<{m.group(1)}{m.group(2)}>" if m.group(2) else "<br>", escaped
    )
    links: list[str] = []

    def keep(m: re.Match[str]) -> str:
        links.append(_link(m))
        return f"\x00{len(links) - 1}\x00"

    escaped = _styles(_LINK.sub(keep, escaped))
    return re.sub("\x00(\\d+)\x00", lambda m: links[int(m.group(1))], escaped)


def inline_html(text: str) -> str:
    """One line (or paragraph) of inline Markdown as safe HTML."""
    text = _COMMENT.sub("", text).replace("\x00", "").replace("\x01", "")
    codes: list[str] = []

    def slot(m: re.Match[str]) -> str:
        codes.append(f"<code>{html.escape(m.group(2).strip())}</code>")
        return f"\x01{len(codes) - 1}\x01"

    styled = _styled(escape_text(_CODE.sub(slot, text)))
    return _CODE_SLOT.sub(lambda m: codes[int(m.group(1))], styled)


def _cells(line: str) -> list[str]:
    body = line.strip().removeprefix("|").removesuffix("|")
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def _aligns(rule: str) -> list[str]:
    out = []
    for cell in _cells(rule):
        left, right = cell.startswith(":"), cell.endswith(":")
        out.append("center" if left and right else "right" if right else "left")
    return out


def _table(lines: list[str]) -> str:
    aligns = _aligns(lines[1])

    def row(cells: list[str], tag: str) -> str:
        tds = []
        for i, cell in enumerate(cells):
            align = aligns[i] if i < len(aligns) else "left"
            tds.append(f'<{tag} style="text-align:{align}">{inline_html(cell)}</{tag}>')
        return "<tr>" + "".join(tds) + "</tr>"

    head = row(_cells(lines[0]), "th")
    body = "".join(row(_cells(line), "td") for line in lines[2:])
    return f"<table><thead>{head}</thead><tbody>{body}</tbody></table>"


def _pie(code: str) -> str | None:
    """A mermaid pie chart as horizontal CSS bars (no script needed), or None."""
    lines = code.strip().splitlines()
    if not lines or not lines[0].strip().startswith("pie"):
        return None
    title = lines[0].partition("title")[2].strip()
    rows = [(m.group(1), float(m.group(2))) for ln in lines[1:] if (m := _PIE_ROW.match(ln))]
    total = sum(v for _, v in rows)
    if not rows or total <= 0:
        return None
    bars = "".join(
        f'<div class="bar"><span class="label">{escape_text(label)}</span>'
        f'<span class="track"><span class="fill" style="width:{value / total * 100:.1f}%">'
        f'</span></span><span class="value">{value:g} ({value / total * 100:.0f}%)</span></div>'
        for label, value in rows
    )
    return f'<figure class="chart"><figcaption>{escape_text(title)}</figcaption>{bars}</figure>'


def _code_block(lines: list[str], lang: str) -> str:
    code = "\n".join(lines)
    if lang == "mermaid" and (chart := _pie(code)) is not None:
        return chart
    cls = f' class="language-{html.escape(lang)}"' if lang else ""
    return f"<pre><code{cls}>{html.escape(code)}</code></pre>"


def _list(items: list[str], ordered: bool) -> str:
    tag = "ol" if ordered else "ul"
    lis = "".join(
        f"<li>{'<br>'.join(inline_html(p) for p in item.split(chr(10)))}</li>" for item in items
    )
    return f"<{tag}>{lis}</{tag}>"


class _Parser:
    """Line-based block parser; ``depth`` keeps ``<details>`` balanced whatever the input."""

    def __init__(self, text: str) -> None:
        self.lines = _COMMENT.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
        self.i = 0
        self.depth = 0

    def take_while(self, pred: re.Pattern[str] | None, stop_blank: bool = True) -> list[str]:
        taken: list[str] = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if (stop_blank and not line.strip()) or (pred is not None and not pred.match(line)):
                break
            taken.append(line)
            self.i += 1
        return taken

    def blocks(self) -> Iterator[str]:
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if not line.strip():
                self.i += 1
                continue
            yield self.block(line)
        yield "</details>" * self.depth

    def block(self, line: str) -> str:
        nxt = self.lines[self.i + 1] if self.i + 1 < len(self.lines) else ""
        if m := _FENCE.match(line):
            return self.fence(m.group(1), m.group(2))
        if m := _HEADING.match(line):
            self.i += 1
            n = len(m.group(1))
            return f"<h{n}>{inline_html(m.group(2))}</h{n}>"
        if tag := self.details(line):
            self.i += 1
            return tag
        if line.lstrip().startswith("|") and _TABLE_RULE.match(nxt):
            return _table(self.take_while(re.compile(r"^\s*\|")))
        if line.lstrip().startswith(">"):
            quoted = self.take_while(re.compile(r"^\s*>"))
            inner = "\n".join(q.lstrip()[1:].removeprefix(" ") for q in quoted)
            return f"<blockquote>{markdown_to_html(inner)}</blockquote>"
        if _RULE.match(line):
            self.i += 1
            return "<hr>"
        if m := _ITEM.match(line):
            return self.list_block(ordered=m.group(1)[0].isdigit())
        return self.paragraph()

    def details(self, line: str) -> str | None:
        if m := _DETAILS.match(line):
            self.depth += 1
            summary = f"<summary>{inline_html(m.group(1))}</summary>" if m.group(1) else ""
            return "<details>" + summary
        if m := _SUMMARY.match(line):
            return f"<summary>{inline_html(m.group(1))}</summary>" if self.depth else None
        if _END_DETAILS.match(line) and self.depth:
            self.depth -= 1
            return "</details>"
        return None

    def fence(self, marker: str, lang: str) -> str:
        self.i += 1
        body: list[str] = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            self.i += 1
            if line.strip().startswith(marker) and not line.strip().strip(marker[0]):
                break
            body.append(line)
        return _code_block(body, lang.lower())

    def list_block(self, ordered: bool) -> str:
        items: list[str] = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            m = _ITEM.match(line)
            if m:
                items.append(m.group(2))
            elif line.strip() and line.startswith((" ", "\t")) and items:
                items[-1] += "\n" + line.strip()
            else:
                break
            self.i += 1
        return _list(items, ordered)

    def paragraph(self) -> str:
        lines = [self.lines[self.i]]
        self.i += 1
        while self.i < len(self.lines):
            line = self.lines[self.i]
            starts_block = _FENCE.match(line) or _HEADING.match(line) or _ITEM.match(line)
            if not line.strip() or starts_block or _DETAILS.match(line) or _END_DETAILS.match(line):
                break
            lines.append(line)
            self.i += 1
        return "<p>" + "<br>\n".join(inline_html(ln.strip()) for ln in lines) + "</p>"


def markdown_to_html(text: str) -> str:
    """Render the Markdown subset as an HTML fragment; all text is escaped."""
    return "\n".join(b for b in _Parser(text).blocks() if b)
