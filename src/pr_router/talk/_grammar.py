"""Commands in a PR comment: find the command lines and parse each one strictly.

A command is a line of its own that starts with the prefix (``/pr-router`` by default) and
a verb. Lines inside quotes (``> ...``), fenced code blocks (```` ``` ```` or ``~~~``),
indented code blocks (4 spaces or a tab) and HTML comments are never commands: they quote
someone, they do not ask. The grammar, one command per line::

    rerun [JOB]                 re-run one job, or every job that would run on this head
    escalate JOB [--tier TIER]  one tier up (or straight to TIER)
    effort JOB LEVEL            low | medium | high
    skip JOB                    do not run JOB on this PR
    plan                        reply with the plan and its estimate
    ask QUESTION                a question about this PR (or the finding, in its thread)
    accept [REASON]             accept a finding (in its thread)
    help                        the commands and who may give them

Parsing is pure: ``parse_comment`` takes the comment text and returns what it found, the
commands and the lines that looked like commands but were malformed (each with the reason
and the usage line to quote back). Nothing here decides whether the author may command.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "DEFAULT_PREFIX",
    "EFFORTS",
    "MAX_COMMANDS",
    "TIER_NAMES",
    "USAGE",
    "VERBS",
    "Command",
    "CommandError",
    "ParsedComment",
    "Verb",
    "accept_reason",
    "command_lines",
    "parse_comment",
]

DEFAULT_PREFIX = "/pr-router"
MAX_COMMANDS = 10  # per comment; more is an error for the whole comment
MAX_TEXT = 2000  # characters of an ask question or an accept reason

Verb = Literal["rerun", "escalate", "effort", "skip", "plan", "ask", "accept", "help"]
VERBS: tuple[Verb, ...] = ("rerun", "escalate", "effort", "skip", "plan", "ask", "accept", "help")
TIER_NAMES = ("efficient", "standard", "frontier")
EFFORTS = ("low", "medium", "high")

USAGE: dict[Verb, str] = {
    "rerun": "rerun [JOB]",
    "escalate": "escalate JOB [--tier efficient|standard|frontier]",
    "effort": "effort JOB low|medium|high",
    "skip": "skip JOB",
    "plan": "plan",
    "ask": "ask QUESTION",
    "accept": "accept [REASON]",
    "help": "help",
}

_JOB = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_QUOTE = re.compile(r"^ {0,3}>")
_INDENTED = re.compile(r"^(?: {4}|\t| {0,3}\t)")


@dataclass(frozen=True, slots=True)
class Command:
    """One well-formed command: the verb, its job and options, and where it was written."""

    verb: Verb
    line: int  # 1-based line of the comment
    job: str | None = None
    tier: str | None = None  # escalate --tier
    effort: str | None = None  # effort LEVEL
    text: str = ""  # ask QUESTION, accept REASON

    def describe(self, prefix: str = DEFAULT_PREFIX) -> str:
        """The command as a canonical line (``/pr-router escalate describe --tier frontier``)."""
        parts = [prefix, self.verb]
        if self.job is not None:
            parts.append(self.job)
        if self.tier is not None:
            parts += ["--tier", self.tier]
        if self.effort is not None:
            parts.append(self.effort)
        if self.text:
            parts.append(self.text)
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class CommandError:
    """A line that starts with the prefix but is not a valid command, and why."""

    line: int
    text: str  # the line as written (untrusted: render it with a safe code span)
    message: str  # what is wrong, one sentence
    usage: str = ""  # the usage line of the verb, or "" when the verb is unknown


@dataclass(frozen=True, slots=True)
class ParsedComment:
    """What a comment asks: its commands, and its malformed command lines."""

    commands: tuple[Command, ...] = ()
    errors: tuple[CommandError, ...] = ()

    @property
    def empty(self) -> bool:
        """True when the comment holds no command line at all (the usual case)."""
        return not self.commands and not self.errors


@dataclass
class _Scan:
    """Block state while walking the lines: open fence, open HTML comment."""

    fence: str = ""
    in_html_comment: bool = False
    found: list[tuple[int, str]] = field(default_factory=list)


def _html_comment(scan: _Scan, line: str) -> bool:
    """Track ``<!-- ... -->`` spans; True when the line is (partly) hidden in one."""
    if scan.in_html_comment:
        scan.in_html_comment = "-->" not in line
        return True
    opened = line.rfind("<!--")
    if opened >= 0 and line.find("-->", opened) < 0:
        scan.in_html_comment = True
        return line.lstrip().startswith("<!--")
    return line.lstrip().startswith("<!--")


def _fence(scan: _Scan, line: str) -> bool:
    """Track fenced code blocks (CommonMark: closed by the same character, at least as long)."""
    m = _FENCE.match(line)
    if scan.fence:
        closes = m is not None and m.group(1)[0] == scan.fence[0] and not m.group(2).strip()
        if closes and m is not None and len(m.group(1)) >= len(scan.fence):
            scan.fence = ""
        return True
    if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
        scan.fence = m.group(1)
        return True
    return False


def command_lines(body: str, prefix: str = DEFAULT_PREFIX) -> Iterator[tuple[int, str]]:
    """The (1-based line number, text) of each line that addresses pr-router as a command.

    A line counts when, outside quotes, code and HTML comments, it starts (after at most
    three spaces) with the prefix followed by a space or the end of the line.
    """
    scan = _Scan()
    for number, line in enumerate(body.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if _fence(scan, line) or _html_comment(scan, line):
            continue
        if _QUOTE.match(line) or _INDENTED.match(line):
            continue
        text = line.strip()
        if text == prefix or text.startswith(prefix + " ") or text.startswith(prefix + "\t"):
            yield number, text


def _suggest(word: str) -> str:
    close = difflib.get_close_matches(word.lower(), VERBS, n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def _job(word: str, known: Collection[str] | None) -> str | None:
    """Why ``word`` is not a job name, or None when it is one."""
    if not _JOB.match(word):
        return "a job name is lower case letters, digits and dashes"
    if known is not None and word not in known:
        close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`? " if close else ""
        return f"there is no job of that name; {hint}jobs: {', '.join(sorted(known))}"
    return None


def _parse_args(verb: Verb, args: list[str], rest: str, line: int,
                known: Collection[str] | None) -> Command | str:  # fmt: skip
    """The command for a verb and its arguments, or why they are wrong."""
    if verb in ("ask", "accept"):
        text = " ".join(rest.split())
        if verb == "ask" and not text:
            return "`ask` needs a question"
        if len(text) > MAX_TEXT:
            return f"the text is longer than {MAX_TEXT} characters"
        return Command(verb, line, text=text)
    if verb in ("plan", "help"):
        return Command(verb, line) if not args else f"`{verb}` takes no arguments"
    if verb == "rerun" and not args:
        return Command(verb, line)
    if not args:
        return f"`{verb}` needs a job name"
    problem = _job(args[0], known)
    if problem is not None:
        return problem
    job, extra = args[0], args[1:]
    if verb == "effort":
        if len(extra) != 1 or extra[0] not in EFFORTS:
            return f"`effort` needs one level: {', '.join(EFFORTS)}"
        return Command(verb, line, job=job, effort=extra[0])
    if verb == "escalate" and extra:
        if len(extra) != 2 or extra[0] != "--tier" or extra[1] not in TIER_NAMES:
            return f"`escalate` takes only `--tier` with one of: {', '.join(TIER_NAMES)}"
        return Command(verb, line, job=job, tier=extra[1])
    if extra:
        return f"`{verb}` takes one job name and nothing else"
    return Command(verb, line, job=job)


def _parse_line(number: int, text: str, prefix: str,
                known: Collection[str] | None) -> Command | CommandError:  # fmt: skip
    rest = text[len(prefix) :].strip()
    if not rest:
        return CommandError(number, text, "no command after the prefix")
    word, *tail = rest.split(None, 1)
    after = tail[0] if tail else ""
    if word not in VERBS:
        return CommandError(number, text, f"unknown command{_suggest(word)}")
    verb: Verb = word  # checked just above
    parsed = _parse_args(verb, after.split(), after, number, known)
    if isinstance(parsed, str):
        return CommandError(number, text, parsed, USAGE[verb])
    return parsed


def parse_comment(body: str, prefix: str = DEFAULT_PREFIX, *,
                  jobs: Collection[str] | None = None) -> ParsedComment:  # fmt: skip
    """Every command line of ``body``, parsed; ``jobs`` (when given) are the valid job names."""
    commands: list[Command] = []
    errors: list[CommandError] = []
    for number, text in command_lines(body, prefix):
        parsed = _parse_line(number, text, prefix, jobs)
        if isinstance(parsed, CommandError):
            errors.append(parsed)
        else:
            commands.append(parsed)
    if len(commands) > MAX_COMMANDS:
        error = CommandError(
            commands[MAX_COMMANDS].line,
            commands[MAX_COMMANDS].describe(prefix),
            f"more than {MAX_COMMANDS} commands in one comment; none were run",
        )
        return ParsedComment((), (*errors, error))
    return ParsedComment(tuple(commands), tuple(errors))


def accept_reason(body: str, prefix: str = DEFAULT_PREFIX) -> str | None:
    """The reason of a well-formed ``accept`` command in ``body`` ('' when none is given), or
    None when the comment accepts nothing (no accept line, or a malformed command in it)."""
    parsed = parse_comment(body, prefix)
    if parsed.errors:
        return None
    return next((c.text for c in parsed.commands if c.verb == "accept"), None)
