"""GitHub Actions workflow commands: annotations, masks, step outputs and the job summary.

Workflow commands are lines on stdout such as ``::warning file=a.py,line=3::text``. The
message escapes ``%``, ``\\r`` and ``\\n``; property values also escape ``:`` and ``,``,
so no text can end a command early or start a second one. Step outputs go to the file in
``GITHUB_OUTPUT`` as ``name<<DELIMITER`` blocks with a random delimiter that cannot occur
in the value.
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal, TextIO, TypedDict, Unpack

__all__ = [
    "AnnotationHandler",
    "Where",
    "add_mask",
    "annotation",
    "append_step_summary",
    "error",
    "escape_data",
    "escape_property",
    "notice",
    "output_block",
    "warning",
    "write_outputs",
]

Level = Literal["error", "warning", "notice"]

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Our keyword -> the workflow command's property name, in GitHub's documented order.
_PROPERTIES = {
    "title": "title",
    "file": "file",
    "line": "line",
    "end_line": "endLine",
    "col": "col",
    "end_column": "endColumn",
}


class Where(TypedDict, total=False):
    """Where an annotation points, and its title (all optional)."""

    title: str
    file: str
    line: int
    end_line: int
    col: int
    end_column: int


def escape_data(value: str) -> str:
    """Escape a command's message: ``%``, carriage returns and newlines."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a property value: as a message, plus ``:`` and ``,``."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(level: Level, message: str, **where: Unpack[Where]) -> str:
    """One ``::error|warning|notice props::message`` line (without the newline)."""
    props = ",".join(
        f"{name}={escape_property(str(where[key]))}"  # type: ignore[literal-required]
        for key, name in _PROPERTIES.items()
        if where.get(key) is not None
    )
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def error(message: str, **where: Unpack[Where]) -> str:
    """An ``::error::`` annotation line."""
    return annotation("error", message, **where)


def warning(message: str, **where: Unpack[Where]) -> str:
    """A ``::warning::`` annotation line."""
    return annotation("warning", message, **where)


def notice(message: str, **where: Unpack[Where]) -> str:
    """A ``::notice::`` annotation line."""
    return annotation("notice", message, **where)


def add_mask(value: str) -> str:
    """The ``::add-mask::`` line that hides ``value`` in the rest of the log."""
    return f"::add-mask::{escape_data(value)}"


class AnnotationHandler(logging.Handler):
    """Turns WARNING and ERROR log records into annotations on ``stream`` (stdout)."""

    def __init__(self, stream: TextIO | None = None, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self._stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record as one annotation line."""
        try:
            level: Level = "error" if record.levelno >= logging.ERROR else "warning"
            if record.levelno < logging.WARNING:
                level = "notice"
            line = annotation(level, self.format(record), title=f"pr-router: {record.name}")
            stream = self._stream or sys.stdout
            stream.write(line + "\n")
            stream.flush()
        except Exception:  # a log handler must never raise
            self.handleError(record)


def _delimiter() -> str:
    return f"ghadelimiter_{secrets.token_hex(16)}"


def output_block(name: str, value: str, delimiter: Callable[[], str] = _delimiter) -> str:
    """One ``GITHUB_OUTPUT`` entry: ``name<<D``, the value, ``D``; D never occurs in it."""
    if not _NAME_RE.match(name):
        raise ValueError(f"invalid output name {name!r}")
    for _ in range(10):
        marker = delimiter()
        if marker and marker not in value and "\n" not in marker:
            return f"{name}<<{marker}\n{value}\n{marker}\n"
    raise ValueError("could not find a delimiter that does not occur in the value")


def write_outputs(path: Path, outputs: Mapping[str, str]) -> None:
    """Append step outputs to the ``GITHUB_OUTPUT`` file."""
    text = "".join(output_block(name, value) for name, value in outputs.items())
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)


def append_step_summary(path: Path, markdown: str) -> None:
    """Append Markdown to the ``GITHUB_STEP_SUMMARY`` file."""
    with path.open("a", encoding="utf-8") as fh:
        fh.write(markdown if markdown.endswith("\n") else markdown + "\n")
