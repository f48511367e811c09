"""Workflow commands: escaping, masks, the log handler, GITHUB_OUTPUT and the job summary."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pr_router.render.annotations import (
    AnnotationHandler,
    add_mask,
    append_step_summary,
    error,
    escape_data,
    escape_property,
    notice,
    output_block,
    warning,
    write_outputs,
)


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("50%", "50%25", "50%25"),
        ("a\nb", "a%0Ab", "a%0Ab"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("%0A", "%250A", "%250A"),  # an escape sequence in the input stays literal
        ("x::y", "x::y", "x%3A%3Ay"),
        ("a,b", "a,b", "a%2Cb"),
    ],
)
def test_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_annotation_lines() -> None:
    assert error("boom") == "::error::boom"
    assert warning("50% done\nnext", title="pr-router: a::b", file="src/x,y.py", line=3) == (
        "::warning title=pr-router%3A a%3A%3Ab,file=src/x%2Cy.py,line=3::50%25 done%0Anext"
    )
    assert notice("n", file="a.py", line=1, end_line=2, col=3, end_column=4) == (
        "::notice file=a.py,line=1,endLine=2,col=3,endColumn=4::n"
    )


def test_message_cannot_start_a_second_command() -> None:
    line = error("x\n::add-mask::oops\r\n::error::forged")
    assert "\n" not in line
    assert "\r" not in line
    assert line.startswith("::error::x%0A::add-mask::")


def test_add_mask() -> None:
    assert add_mask("sk-ant-123%x") == "::add-mask::sk-ant-123%25x"


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    log = logging.getLogger("pr_router.test_annotations")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    handler = AnnotationHandler(stream)
    log.addHandler(handler)
    yield log, stream
    log.removeHandler(handler)


def test_handler_turns_warnings_and_errors_into_annotations(
    logger: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = logger
    log.info("not an annotation")
    log.warning("rate limited, retrying in %ss", 3)
    log.error("review failed:\n529 overloaded")
    assert stream.getvalue().splitlines() == [
        "::warning title=pr-router%3A pr_router.test_annotations::rate limited, retrying in 3s",
        "::error title=pr-router%3A pr_router.test_annotations::review failed:%0A529 overloaded",
    ]


def _read_outputs(text: str) -> dict[str, str]:
    """Parse a GITHUB_OUTPUT file the way the runner does (name<<DELIM ... DELIM)."""
    out: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if not line:
            continue
        name, _, delim = line.partition("<<")
        value: list[str] = []
        for body in lines:
            if body == delim:
                break
            value.append(body)
        else:
            raise AssertionError(f"unterminated output {name}")
        out[name] = "\n".join(value)
    return out


def test_output_block_format() -> None:
    assert output_block("cost-usd", "0.071", lambda: "EOF_1") == "cost-usd<<EOF_1\n0.071\nEOF_1\n"


def test_output_delimiter_never_occurs_in_the_value() -> None:
    tries = iter(["TAKEN", "TAKEN", "FREE"])
    assert output_block("x", "a\nTAKEN\nb", lambda: next(tries)) == "x<<FREE\na\nTAKEN\nb\nFREE\n"
    with pytest.raises(ValueError, match="delimiter"):
        output_block("x", "TAKEN", lambda: "TAKEN")


def test_random_delimiters(tmp_path: Path) -> None:
    delims = {output_block("x", "v").split("\n")[0] for _ in range(20)}
    assert len(delims) == 20
    assert all(re.fullmatch(r"x<<ghadelimiter_[0-9a-f]{32}", d) for d in delims)


@pytest.mark.parametrize("name", ["", "a b", "a\nb", "x<<y", "1abc"])
def test_invalid_output_names(name: str) -> None:
    with pytest.raises(ValueError, match="invalid output name"):
        output_block(name, "v")


def test_write_outputs_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "output"
    path.write_text("earlier<<E\nkept\nE\n", encoding="utf-8")
    values = {"cost-usd": "0.071000", "pending-batches": "", "notes": "line 1\nline 2\n"}
    write_outputs(path, values)
    assert _read_outputs(path.read_text(encoding="utf-8")) == {"earlier": "kept", **values}


def test_append_step_summary(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    append_step_summary(path, "# one")
    append_step_summary(path, "two\n")
    assert path.read_text(encoding="utf-8") == "# one\ntwo\n"
