"""Malformed and hostile policies through the CLI: ``policy check`` lists each problem as
``file:line:col: ...`` and exits 2; ``plan --policy`` says the first one on one line and
exits 2. Never a traceback, never a hang (each call runs under a deadline)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .helpers import assert_one_line_error, cli, write

TIERS = (
    "version: 1\n"
    "tiers:\n"
    "  frontier: {provider: anthropic, model: claude-opus-5-5}\n"
    "  standard: {provider: anthropic, model: claude-sonnet-5-5}\n"
    "  efficient: {provider: anthropic, model: claude-haiku-5-5}\n"
)
DIFF = (
    b"diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n"
    b"@@ -1 +1 @@\n-print('a')\n+print('b')\n"
)


def _laughs(levels: int = 9) -> str:
    """The billion-laughs YAML bomb: each level refers ten times to the one before."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


# (id, policy text or bytes, what the first problem says)
BAD: list[tuple[str, str | bytes, str]] = [
    ("yaml-bomb", TIERS + _laughs(), "too many nodes"),
    ("bomb-inside-a-field", TIERS + "rules:\n  - " + _laughs().replace("\n", "\n    "), "nodes"),
    ("recursive-alias", TIERS + "rules: &r [*r]\n", "recursive alias"),
    ("nested-5k-flow", TIERS + "rules: " + "[" * 5_000 + "]" * 5_000 + "\n", "nested"),
    ("nested-500-block", TIERS + "jobs:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(500)), "nested"),
    ("100k-digit-number", TIERS + "budgets:\n  per_run_usd: " + "9" * 100_000 + "\n", "too long"),
    ("exponent-1e999999999", TIERS + "budgets:\n  per_run_usd: 1e999999999\n", "out of range"),
    ("negative-budget", TIERS + "budgets:\n  per_run_usd: -5\n", "per_run_usd"),
    ("nan-budget", TIERS + "budgets:\n  per_run_usd: .nan\n", "finite"),
    ("infinite-context", TIERS + "max_context_tokens: .inf\n", "finite"),
    ("4000-digit-int", TIERS + "max_context_tokens: " + "9" * 4000 + "\n", "too long"),
    ("unknown-model", TIERS.replace("claude-opus-5-5", "gpt-99-ultra"), "gpt-99-ultra"),
    ("unknown-provider", TIERS.replace("provider: anthropic, model: claude-opus-5-5", "provider: acme, model: x"), "provider"),
    ("wrong-types", "version: one\ntiers: [1, 2, 3]\n", "version"),
    ("tiers-a-string", "version: 1\ntiers: frontier\n", "tiers"),
    ("root-a-list", "- a\n- b\n", "expected a mapping"),
    ("root-a-scalar", "hello\n", "expected a mapping"),
    ("empty", "", "empty"),
    ("binary", bytes(range(256)), "UTF-8"),
    ("nul-byte", TIERS + "\x00\n", "YAML"),
    ("tab-indent", TIERS.replace("  ", "\t"), "tab"),
    ("python-object-tag", TIERS + "x: !!python/object/apply:os.system ['touch pwned']\n", "tag"),
    ("duplicate-keys", TIERS + TIERS, "duplicate key"),
    ("invalid-utf8", TIERS.encode() + b"x: \xff\xfe\n", "UTF-8"),
    ("version-2", TIERS.replace("version: 1", "version: 2"), "version"),
    ("1-mb-key", TIERS + "k" * 1_000_000 + ": 1\n", "YAML"),
    ("ignore-not-a-list", TIERS + "ignore: {a: 1}\n", "ignore"),
    ("bad-glob", TIERS + "ignore: ['[z-a]']\n", "ignore"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "says"), [pytest.param(t, s, id=i) for i, t, s in BAD])
def test_policy_check_lists_located_problems(
    text: str | bytes, says: str, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    path = write(tmp_path, "pr-router.yml", text)
    result = cli(capsys, monkeypatch, "policy", "check", path)
    assert "Traceback" not in result.out + result.err
    assert result.code == 2, result.out + result.err
    problems = result.out.strip().splitlines()
    assert problems, result.err
    assert all(p.startswith(f"{path}:") for p in problems), problems
    assert says in problems[0] or says in result.out, problems
    assert len(result.out) < 20_000  # problems are named, the hostile input is not echoed


@pytest.mark.parametrize(("text", "says"), [pytest.param(t, s, id=i) for i, t, s in BAD])
def test_plan_with_a_bad_policy_is_one_line(
    text: str | bytes, says: str, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    path = write(tmp_path, "pr-router.yml", text)
    diff = write(tmp_path, "x.diff", DIFF)
    result = cli(capsys, monkeypatch, "plan", "--diff", diff, "--policy", path)
    assert_one_line_error(result, path)
    assert not (tmp_path / "pwned").exists()


def test_a_2_mb_policy_of_comments_is_accepted(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    path = write(tmp_path, "pr-router.yml", TIERS + ("# " + "x" * 98 + "\n") * 20_000)
    result = cli(capsys, monkeypatch, "policy", "check", path)
    assert result.code == 0, result.out + result.err


@pytest.mark.parametrize("glob", ["*a*a*a*a*b", "*a*a*a*a*a*a*a*a*b", "**/*a*a*a*b/**", "*.min.*"])
def test_an_ignore_glob_against_a_long_hostile_file_name_finishes(
    glob: str, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    """A PR author picks the file names: a 4096-character name of ``a`` must not make a
    maintainer's multi-star glob backtrack for ever (pathspec matches with RE2)."""
    name = "a" * 4096
    diff = f"diff --git a/{name} b/{name}\n--- a/{name}\n+++ b/{name}\n@@ -1 +1 @@\n-x\n+y\n"
    policy = write(tmp_path, "pr-router.yml", TIERS + f"ignore: ['{glob}']\n")
    path = write(tmp_path, "x.diff", diff)
    result = cli(
        capsys, monkeypatch, "plan", "--diff", path, "--policy", policy, "--format", "json",
        deadline=10,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert json.loads(result.out)["signals"]["files_changed"] == 1
