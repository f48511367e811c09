"""Malformed and hostile diffs through ``pr-router plan``: a one-line error (exit 2) or a
plan, within a deadline; never a traceback, never a file touched outside the work dir."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from .helpers import assert_one_line_error, cli, write

MARKER = "<!-- pr-router:summary -->"


def _file(path: str, old: str = "a", new: str = "b", *, quoted: bool = False) -> str:
    a, b = (f'"a/{path}"', f'"b/{path}"') if quoted else (f"a/{path}", f"b/{path}")
    return f"diff --git {a} {b}\n--- {a}\n+++ {b}\n@@ -1 +1 @@\n-{old}\n+{new}\n"


def _plan(capsys: Any, monkeypatch: Any, tmp_path: Path, diff: bytes, *extra: str) -> Any:
    monkeypatch.chdir(tmp_path)  # anything written by accident lands here, and is checked
    path = write(tmp_path, "input.diff", diff)
    return cli(capsys, monkeypatch, "plan", "--diff", path, *extra)


def _json_plan(capsys: Any, monkeypatch: Any, tmp_path: Path, diff: bytes) -> dict[str, Any]:
    result = _plan(capsys, monkeypatch, tmp_path, diff, "--format", "json")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    plan: dict[str, Any] = json.loads(result.out)
    return plan


def test_binary_junk_is_not_a_diff(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    junk = random.Random(7).randbytes(65_536)
    result = _plan(capsys, monkeypatch, tmp_path, junk)
    assert_one_line_error(result, "no file changes found")


def test_50_mb_is_refused_fast(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    big = (_file("big.py", "x" * 99, "y" * 99) * 1).encode() + b"+" * (50 * 1024 * 1024)
    result = _plan(capsys, monkeypatch, tmp_path, big)
    assert_one_line_error(result, "too large")
    assert result.seconds < 5


def test_50_mb_on_stdin_is_refused_fast(capsys: Any, monkeypatch: Any) -> None:
    result = cli(capsys, monkeypatch, "plan", "--diff", "-", stdin=b"x" * (50 * 1024 * 1024 + 1))
    assert_one_line_error(result, "too large")
    assert result.seconds < 5


def test_a_1_mb_line_inside_a_hunk_is_planned(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    diff = _file("src/minified.js", "var a=1;", "var a=" + "1+" * 500_000 + "1;").encode()
    plan = _json_plan(capsys, monkeypatch, tmp_path, diff)
    assert plan["signals"]["files_changed"] == 1
    assert plan["signals"]["estimated_diff_tokens"] > 100_000


def test_a_1_mb_line_without_a_diff_is_refused(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    result = _plan(capsys, monkeypatch, tmp_path, b"@" * 1_000_000)
    assert_one_line_error(result, "no file changes found")


def test_invalid_utf8_in_names_and_lines_is_planned(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    diff = _file("src/caf\udcc3.py", "a\udcff", "b\udcfe").encode("utf-8", "surrogateescape")
    plan = _json_plan(capsys, monkeypatch, tmp_path, diff)
    assert plan["signals"]["files_changed"] == 1
    assert plan["signals"]["lines_added"] == 1


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/shadow", "a/../../../root/.ssh/authorized_keys", "~/x"]
)
def test_paths_that_leave_the_repository_are_only_names(
    name: str, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    """pr-router never opens a path from a diff: the plan names it and that is all."""
    before = sorted(p.name for p in tmp_path.iterdir())
    plan = _json_plan(
        capsys, monkeypatch, tmp_path, _file(name, "root:x:0:0", "root::0:0").encode()
    )
    assert plan["signals"]["files_changed"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*before, "input.diff"])


def test_nul_bytes_in_names_and_lines(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    diff = _file("x\x00y.py", "a\x00", "b\x00").encode()
    plan = _json_plan(capsys, monkeypatch, tmp_path, diff)
    assert plan["signals"]["files_changed"] == 1


HOSTILE_NAMES = [
    "$(touch pwned).py",
    "`touch pwned2`.py",
    "a; rm -rf ~ | cat & echo.py",
    f"docs/{MARKER}.md",
    "x<!-- pr-router:state eyJ2ZXJzaW9uIjoxfQ== -->.py",
    "'\"><img src=x onerror=alert(1)>.py",
    "@acme/security-team.py",
    "line\\nbreak\\tand\\u202ebidi.py",
]


@pytest.mark.parametrize("fmt", ["markdown", "text", "json"])
def test_hostile_file_names_are_inert_in_every_format(
    fmt: str, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    names = [*HOSTILE_NAMES, "quoted \u202e name.py"]
    diff = "".join(_file(n) for n in names[:-1]) + _file(
        "quoted \\342\\200\\256 name.py", quoted=True
    )
    result = _plan(capsys, monkeypatch, tmp_path, diff.encode(), "--format", fmt)
    assert result.code == 0, result.err
    assert not (tmp_path / "pwned").exists()
    assert not (tmp_path / "pwned2").exists()
    if fmt == "json":
        assert json.loads(result.out)["signals"]["files_changed"] == len(names)
    else:
        assert "<!-- pr-router:" not in result.out  # a plan in a job summary plants no marker


def test_five_thousand_files_are_planned_in_time(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    diff = "".join(_file(f"pkg{i % 50}/mod{i}.py") for i in range(5_000)).encode()
    plan = _json_plan(capsys, monkeypatch, tmp_path, diff)
    assert plan["signals"]["files_changed"] == 5_000


@pytest.mark.parametrize(
    "diff",
    [
        pytest.param(_file("a.py").replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(b"diff --git a/x b/x\nGIT binary patch\nliteral 0\nHcmV?d00001\n", id="binary-patch"),
        pytest.param(b"@@ -1 +1 @@\n-a\n+b\n", id="hunk-without-header"),
        pytest.param(b"--- a/x\n+++ b/x\n@@ -1,99999999999999999999 +1 @@\n-a\n+b\n", id="huge-count"),
        pytest.param(b"--- a/x\n+++ b/x\n@@ -5 +5,3 @@\n+only one of three\n", id="short-hunk"),
        pytest.param(b"diff --git a/x b/x\n" * 10_000, id="headers-only"),
        pytest.param(b"\xef\xbb\xbf" + _file("bom.py").encode(), id="bom"),
    ],
)  # fmt: skip
def test_odd_diffs_end_in_a_plan_or_one_line(
    diff: bytes, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    result = _plan(capsys, monkeypatch, tmp_path, diff, "--format", "json")
    if result.code == 0:
        assert json.loads(result.out)["schema_version"] == 1
    else:
        assert_one_line_error(result)
