"""git_diff against a throw-away repository made in the test."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pr_router.changes import analyze, git_diff
from pr_router.changes.model import ChangeStatus
from pr_router.errors import DiffError

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed identity and config; return stdout."""
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
        capture_output=True,
        check=True,
        text=True,
        timeout=60,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repo with two commits: base, then head (a change, a rename, a new file)."""
    root = tmp_path_factory.mktemp("repo")
    _git(root, "init", "-q")
    _git(root, "config", "diff.noprefix", "true")  # must not leak into git_diff output
    (root / "app.py").write_text("def run():\n    return 1\n")
    (root / "old name.txt").write_text("".join(f"line {i}\n" for i in range(20)))
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "base")
    _git(root, "tag", "base")
    (root / "app.py").write_text("def run():\n    return 2\n")
    _git(root, "mv", "old name.txt", "new name.txt")
    (root / "tab\tname.md").write_text("hello\n")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "head")
    return root


def test_diff_between_revisions(repo: Path) -> None:
    data = git_diff(repo, "base", "HEAD")
    files = {f.path: f for f in analyze(data, source="git").files}
    assert files["app.py"].status is ChangeStatus.MODIFIED
    assert (files["app.py"].added, files["app.py"].removed) == (1, 1)
    renamed = files["new name.txt"]
    assert (renamed.status, renamed.old_path) == (ChangeStatus.RENAMED, "old name.txt")
    assert files["tab\tname.md"].status is ChangeStatus.ADDED


@pytest.mark.parametrize(
    ("base", "message"),
    [
        ("--output=/tmp/x", "base revision '--output=/tmp/x' starts with '-'"),
        ("main two", "base revision 'main two' contains whitespace or NUL"),
        ("main\x00", "base revision 'main\\x00' contains whitespace or NUL"),
        ("", "base revision is empty"),
    ],
)
def test_dangerous_revisions_are_refused(repo: Path, base: str, message: str) -> None:
    with pytest.raises(DiffError) as caught:
        git_diff(repo, base, "HEAD")
    assert str(caught.value) == message


def test_unknown_revision_names_gits_error(repo: Path) -> None:
    with pytest.raises(DiffError, match=r"^git diff nope HEAD in .* failed: fatal: .*nope"):
        git_diff(repo, "nope", "HEAD")


def test_missing_repository(tmp_path: Path) -> None:
    with pytest.raises(DiffError, match=r"failed: fatal: cannot change to"):
        git_diff(tmp_path / "absent", "a", "b")
