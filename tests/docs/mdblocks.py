"""Read the parts of a Markdown page that the docs tests check.

Three things are pulled out of a page: fenced code blocks (with the ``doc-test`` marker of
the HTML comment just above them, if any), links and images, and inline code spans. Code
never counts as a link, and links never count as code.

Markers, written on the line right above a fence (they do not render on GitHub):

    <!-- doc-test: output -->        a ``console`` block: every ``$ `` line is run and
                                     the lines under it are its exact output
                                     (stdout and stderr together); a line ``...`` stands
                                     for any number of lines
    <!-- doc-test: output exit=2 --> the same, and the block's last command exits 2
    <!-- doc-test: run -->           a ``sh`` block: every line is run and must exit 0
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Block",
    "Command",
    "Link",
    "Page",
    "cli_invocations",
    "commands_of",
    "lines_match",
    "slugs",
]

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_MARKER = re.compile(r"^<!--\s*doc-test:\s*(?P<kind>output|run)(?P<opts>[^>]*?)\s*-->\s*$")
_LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_SPAN = re.compile(r"(?<!`)(?P<ticks>`+)(?P<code>.+?)(?<!`)(?P=ticks)(?!`)")
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
_OPERATORS = {"|", "||", "&", "&&", ";", ">", ">>", "<", "(", ")", "2>&1", ">&"}


@dataclass(frozen=True)
class Block:
    """A fenced code block: its info string, body lines and the line its body starts on."""

    lang: str
    lines: tuple[str, ...]
    start: int  # 1-based line number of the first body line
    end: int  # 1-based line number of the closing fence
    marker: str | None = None  # "output" or "run"
    exit_code: int = 0


@dataclass(frozen=True)
class Link:
    """A link or image target and the line it is on."""

    target: str
    line: int


@dataclass(frozen=True)
class Command:
    """One ``$ `` command of an output block and the output lines written under it."""

    text: str
    expected: tuple[str, ...]


@dataclass
class Page:
    """A Markdown file split into code blocks, links, inline code and prose lines."""

    path: Path
    text: str
    blocks: list[Block] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    spans: list[tuple[str, int]] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> Page:
        """Parse ``path``."""
        page = cls(path, path.read_text(encoding="utf-8"))
        page._parse()
        return page

    def _parse(self) -> None:
        lines = self.text.split("\n")
        i = 0
        while i < len(lines):
            m = _FENCE.match(lines[i])
            if m is None:
                self._prose(lines[i], i + 1)
                i += 1
                continue
            fence = m.group("fence")
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(fence):
                j += 1
            marker, exit_code = _marker_above(lines, i)
            info = m.group("info").strip().split()
            lang = info[0] if info else ""
            self.blocks.append(
                Block(lang, tuple(lines[i + 1 : j]), i + 2, j + 1, marker, exit_code)
            )
            i = j + 1

    def _prose(self, line: str, number: int) -> None:
        heading = _HEADING.match(line)
        if heading is not None:
            self.headings.append(heading.group("title"))
        code_free = line
        for span in _SPAN.finditer(line):
            self.spans.append((span.group("code").strip(), number))
            code_free = code_free.replace(span.group(0), " ")
        self.links += [Link(m.group("target"), number) for m in _LINK.finditer(code_free)]


def _marker_above(lines: list[str], fence_index: int) -> tuple[str | None, int]:
    if fence_index == 0:
        return None, 0
    m = _MARKER.match(lines[fence_index - 1].strip())
    if m is None:
        return None, 0
    opts = dict(o.split("=", 1) for o in m.group("opts").split() if "=" in o)
    return m.group("kind"), int(opts.get("exit", "0"))


def commands_of(block: Block) -> list[Command]:
    """The ``$ `` commands of a console block with the output lines under each."""
    commands: list[Command] = []
    text: str | None = None
    expected: list[str] = []
    for line in block.lines:
        if line.startswith("$ "):
            if text is not None:
                commands.append(Command(text, tuple(expected)))
            text, expected = line[2:], []
        elif text is not None:
            expected.append(line)
    if text is not None:
        commands.append(Command(text, tuple(expected)))
    return commands


def lines_match(expected: tuple[str, ...], actual: tuple[str, ...]) -> bool:
    """Whether ``actual`` is ``expected``, where an ``...`` line matches any lines."""
    exp = [e.rstrip() for e in expected]
    act = [a.rstrip() for a in actual]
    while exp and not exp[-1]:
        exp.pop()
    while act and not act[-1]:
        act.pop()
    # Classic wildcard matching, one line per symbol: reach[j] = act[:j] matches so far.
    reach = [True] + [False] * len(act)
    for e in exp:
        if e == "...":
            seen = False
            for j in range(len(act) + 1):
                seen = seen or reach[j]
                reach[j] = seen
        else:
            reach = [False] + [reach[j] and act[j] == e for j in range(len(act))]
    return reach[-1]


def _join_continuations(lines: list[str]) -> list[str]:
    out: list[str] = []
    carry = ""
    for line in lines:
        if line.rstrip().endswith("\\"):
            carry += line.rstrip()[:-1] + " "
        else:
            out.append(carry + line)
            carry = ""
    if carry:
        out.append(carry)
    return out


_PLACEHOLDER = re.compile(r"^[A-Z][A-Z0-9_]*(?:/[A-Z][A-Z0-9_]*)?(?:\.\.\.)?$")


def cli_invocations(text: str) -> list[list[str]]:
    """Every ``pr-router ...`` call in a shell line, as argv after ``pr-router``.

    Placeholders (``FILE``, ``N``, ``OWNER/NAME``, ``LEDGER...``) and shell variables become
    ``1``, which every option of the CLI accepts as a value.
    """
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        tokens = list(lexer)
    except ValueError:
        return []
    calls: list[list[str]] = []
    for i, token in enumerate(tokens):
        if token != "pr-router" and not token.endswith("/pr-router"):
            continue
        argv: list[str] = []
        for arg in tokens[i + 1 :]:
            if arg in _OPERATORS or set(arg) <= set("|&;<>()"):
                break
            argv.append("1" if _PLACEHOLDER.match(arg) or arg.startswith("$") else arg)
        calls.append(argv)
    return calls


def shell_lines(block: Block) -> list[str]:
    """The lines of a block that a shell would run (console prompts, scripts, YAML ``run:``)."""
    if block.lang == "console":
        return _join_continuations([ln[2:] for ln in block.lines if ln.startswith("$ ")])
    if block.lang in ("sh", "bash", "shell"):
        return _join_continuations([ln for ln in block.lines if not ln.lstrip().startswith("#")])
    if block.lang in ("yaml", "yml"):
        return _yaml_run_lines(block.lines)
    return []


def _yaml_run_lines(lines: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    indent: int | None = None
    for line in lines:
        stripped = line.lstrip()
        depth = len(line) - len(stripped)
        if indent is not None and stripped and depth > indent:
            out.append(stripped)
            continue
        indent = None
        m = re.match(r"^(?:- )?run:\s*(?P<rest>.*)$", stripped)
        if m is None:
            continue
        rest = m.group("rest")
        if rest in ("|", ">", "|-", ">-"):
            indent = depth
        elif rest:
            out.append(rest)
    return _join_continuations(out)


def slugs(headings: list[str]) -> set[str]:
    """GitHub's anchors for a page's headings (duplicates get ``-1``, ``-2``...)."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    for title in headings:
        text = re.sub(r"`|\*\*|__|\[([^\]]*)\]\([^)]*\)", r"\1", title).strip().lower()
        slug = "".join(
            c for c in text if c in " -_" or unicodedata.category(c)[0] in ("L", "N")
        ).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out
