"""``pr-router policy check`` and ``pr-router policy schema`` through the CLI entry point."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pr_router.cli import main
from pr_router.policy.schema import policy_json_schema

from .conftest import BASE, POLICIES

Write = Callable[..., Path]


def test_check_ok(capsys: pytest.CaptureFixture[str]) -> None:
    path = POLICIES / "strict.yml"
    assert main(["policy", "check", str(path)]) == 0
    out = capsys.readouterr()
    assert out.out == (
        f"{path}: ok (7 jobs, tiers: frontier=claude-opus-5-5, standard=claude-sonnet-5-5, "
        "efficient=claude-haiku-5-5)\n"
    )
    assert out.err == ""


def test_check_lists_every_error_one_per_line(
    write: Write, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write("version: 2\n" + BASE + "rulez: 1\ndrafts: maybe\n")
    assert main(["policy", "check", str(path)]) == 2
    out = capsys.readouterr()
    assert out.out.splitlines() == [
        f"{path}:1:10: version: expected 1, got 2",
        f"{path}:6:1: rulez: unknown key 'rulez' (did you mean 'rules'?) (hint: valid keys "
        "here: version, tiers, fallback, must_stay_frontier, jobs, builtin_rules, rules, "
        "ignore, drafts, budgets, batch, caching, gate, runner, prices, max_context_tokens, commands, complexity)",
        f"{path}:7:9: drafts: expected one of 'skip', 'run', got 'maybe'",
    ]
    assert "Traceback" not in out.out + out.err


def test_check_several_files_fails_if_any_fails(
    write: Write, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = POLICIES / "openai.yml"
    missing = tmp_path / "missing.yml"
    assert main(["policy", "check", str(good), str(missing), str(tmp_path)]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"{good}: ok (6 jobs, tiers: frontier=gpt-6.1-sol,")
    assert lines[1].startswith(f"{missing}: policy file not found (hint: ")
    assert (
        lines[2]
        == f"{tmp_path}: is a directory, not a policy file (hint: pass the YAML file itself)"
    )


def test_check_bad_yaml_has_no_traceback(write: Write, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(b"tiers: [\x00\n")
    assert main(["policy", "check", str(path)]) == 2
    out = capsys.readouterr()
    assert out.out == (
        f"{path}:1:9: invalid YAML: special characters are not allowed (character U+0000)\n"
    )
    assert "Traceback" not in out.err


def test_check_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["policy", "check"])
    assert raised.value.code == 2
    assert "FILE" in capsys.readouterr().err


def test_schema_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "schema"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == policy_json_schema()
    assert out == (POLICIES / "schema.json").read_text(encoding="utf-8")


def test_plain_policy_command_asks_for_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["policy"])
    assert raised.value.code == 2
    assert "SUBCOMMAND" in capsys.readouterr().err
