"""Rebuild benchmarks/lifetime_corpus/ from local git copies of public repositories.

    python scripts/build_lifetime_corpus.py --repo pytest-dev/pytest=PATH/TO/pytest.git ...
        [--per-repo 30] [--scan 600] [--out benchmarks/lifetime_corpus]

Each ``--repo`` names a repository that merges pull requests with merge commits (the PR's
own commits are kept) and a local clone of it (bare is fine; it is only read: replayed
commits are written to a scratch object directory). For each first-parent merge commit
"Merge pull request #N from ..." the PR's commits are the second-parent side not reachable
from the first parent, in topological order; each commit is taken as one push (an upper
bound: authors often push several commits at once). At every push:

- the base is ``merge-base(commit, first parent of the merge)``: the mainline commit the PR
  stands on at that push (after a merge of the base branch into the PR, the merged commit),
  which is the merge base GitHub's three-dot PR diff uses;
- the diff is ``git diff base commit``: the PR diff GitHub shows at that push.

A PR is **rebased** when its first commit was authored before the mainline commit it stands
on was committed. Its pushes before the rebase are gone from git; they are rebuilt by
replaying each commit onto the mainline commit that was the tip when the first commit was
authored (``git merge-tree --write-tree``, cherry-pick semantics; PRs whose replay conflicts
are left out). Those replayed pushes carry ``synthetic: true`` and a made-up head sha; the
last push is the real head on its real base: the force-push after the rebase.

A PR **merges the base in** when one of its commits is a merge whose other parent is on
the mainline. PRs with a push diff over ``--max-diff`` bytes, more than ``--max-pushes``
commits, or from bots are skipped. Output: one ``<owner>__<name>.jsonl.xz`` per repository
(one JSON object per PR), ``MANIFEST.tsv`` and ``README.md`` (sources and licences).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import lzma
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LICENCES = {
    "pytest-dev/pytest": "MIT",
    "pypa/pip": "MIT",
    "scrapy/scrapy": "BSD-3-Clause",
    "pallets/click": "BSD-3-Clause",
    "pallets/flask": "BSD-3-Clause",
}
BOTS = ("dependabot", "pre-commit-ci", "renovate", "github-actions", "pyup-bot", "patchback")


@dataclass
class Repo:
    """A local git directory and a scratch object store for replayed commits."""

    name: str
    git_dir: Path
    scratch: Path

    def git(self, *args: str, check: bool = True, write: bool = False) -> str:
        """Run git on the copy; ``write`` sends new objects to the scratch store."""
        env = dict(os.environ, GIT_DIR=str(self.git_dir))
        if write:
            env["GIT_OBJECT_DIRECTORY"] = str(self.scratch)
            env["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = str(self.git_dir / "objects")
        done = subprocess.run(["git", *args], env=env, capture_output=True, check=False,
                              timeout=120)  # fmt: skip
        if check and done.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace')}")
        return done.stdout.decode("utf-8", "replace")


@dataclass
class Push:
    """One push of a PR: its head, the base the PR diff is taken from, and that diff."""

    head: str
    base: str
    message: str
    time: str
    diff: str
    synthetic: bool = False
    merges_base: bool = False

    def to_json(self) -> dict[str, Any]:
        """The corpus record of this push."""
        return {"head": self.head, "base": self.base, "message": self.message, "time": self.time,
                "synthetic": self.synthetic, "merges_base": self.merges_base, "diff": self.diff}  # fmt: skip


@dataclass
class History:
    """One merged PR and its pushes."""

    repo: str
    number: int
    title: str
    merge: str
    pushes: list[Push] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)


def _merges(repo: Repo, scan: int) -> list[tuple[str, str, int, str]]:
    """(merge, first parent, PR number, title) of the newest ``scan`` PR merge commits."""
    out = repo.git("log", "--first-parent", "--merges", f"-n{scan}", "--format=%H%x00%P%x00%B%x01")
    found = []
    for entry in out.split("\x01"):
        parts = entry.strip("\n").split("\x00")
        if len(parts) != 3 or not parts[2].startswith("Merge pull request #"):
            continue
        parents = parts[1].split()
        head = parts[2].split("\n", 1)
        number = int(head[0].split("#", 1)[1].split()[0])
        source = head[0].rsplit(" from ", 1)[-1]
        if len(parents) != 2 or any(b in source.lower() for b in BOTS):
            continue
        rest = head[1].splitlines() if len(head) > 1 else []
        title = next((line.strip() for line in rest if line.strip()), "")
        found.append((parts[0], parents[0], number, title or head[0]))
    return found


def _commit(repo: Repo, sha: str) -> tuple[list[str], int, int, str, str]:
    """Parents, author time, commit time, ISO commit date and subject of ``sha``."""
    out = repo.git("show", "-s", "--format=%P%x00%at%x00%ct%x00%cI%x00%s", sha)
    parents, at, ct, iso, subject = out.rstrip("\n").split("\x00", 4)
    return parents.split(), int(at), int(ct), iso, subject


def _is_ancestor(repo: Repo, a: str, b: str) -> bool:
    env = dict(os.environ, GIT_DIR=str(repo.git_dir))
    done = subprocess.run(["git", "merge-base", "--is-ancestor", a, b], env=env,
                          capture_output=True, check=False, timeout=60)  # fmt: skip
    return done.returncode == 0


def _diff(repo: Repo, base: str, head: str) -> str:
    return repo.git("diff", "--no-color", "--no-ext-diff", "--no-renames", base, head)


def _tip_at(repo: Repo, mainline: str, when: int) -> str | None:
    """The first-parent mainline commit that was the tip at unix time ``when``."""
    out = repo.git("log", "--first-parent", "-n1", f"--before={when}", "--format=%H", mainline)
    return out.strip() or None


def _replayed(repo: Repo, old_base: str, new_base: str, head: str) -> str | None:
    """The tree of ``head``'s changes since ``old_base`` applied on ``new_base`` (or None).

    The patch is applied to an index holding ``new_base`` (``git apply --cached --3way``),
    like a cherry-pick; a conflict gives None.
    """
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, GIT_DIR=str(repo.git_dir), GIT_INDEX_FILE=f"{tmp}/index",
                   GIT_OBJECT_DIRECTORY=str(repo.scratch),
                   GIT_ALTERNATE_OBJECT_DIRECTORIES=str(repo.git_dir / "objects"))  # fmt: skip
        patch = subprocess.run(["git", "diff", "--binary", "--no-renames", old_base, head],
                               env=env, capture_output=True, check=True, timeout=120).stdout  # fmt: skip
        steps = [(["git", "read-tree", new_base], b""), (["git", "apply", "--cached", "--3way"], patch),
                 (["git", "write-tree"], b"")]  # fmt: skip
        out = b""
        for args, stdin in steps:
            done = subprocess.run(args, env=env, input=stdin, capture_output=True, check=False,
                                  timeout=120)  # fmt: skip
            if done.returncode != 0:
                return None
            out = done.stdout
        return out.decode().strip() or None


def _pushes(repo: Repo, first_parent: str, commits: list[str]) -> list[Push] | None:
    pushes = []
    for sha in commits:
        parents, _, _, iso, subject = _commit(repo, sha)
        base = repo.git("merge-base", sha, first_parent).strip()
        merges = len(parents) > 1 and any(_is_ancestor(repo, p, first_parent) and p not in commits
                                          for p in parents[1:])  # fmt: skip
        pushes.append(Push(sha, base, subject, iso, _diff(repo, base, sha), merges_base=merges))
    return pushes


def _rebased_history(repo: Repo, first_parent: str, pushes: list[Push]) -> list[Push] | None:
    """The pushes before a rebase, replayed onto the tip of the time, then the real head."""
    _, authored, _, _, _ = _commit(repo, pushes[0].head)
    old_tip = _tip_at(repo, first_parent, authored)
    base = pushes[0].base
    if old_tip is None or old_tip == base or any(p.merges_base for p in pushes):
        return None
    replayed = []
    for p in pushes:
        tree = _replayed(repo, base, old_tip, p.head)
        if tree is None:
            return None
        diff = repo.git("diff-tree", "-p", "--no-color", "--no-renames", old_tip, tree, write=True)
        head = hashlib.sha1(f"replay {p.head} onto {old_tip}".encode()).hexdigest()
        replayed.append(Push(head, old_tip, p.message, p.time, diff, synthetic=True))
    last = pushes[-1]
    return [*replayed, Push(last.head, last.base, last.message, last.time, last.diff)]


def history(repo: Repo, merge: str, first_parent: str, number: int, title: str, *,
            limits: argparse.Namespace) -> History | None:  # fmt: skip
    """The PR merged by ``merge`` with its pushes, or None when it does not qualify."""
    head = repo.git("rev-parse", f"{merge}^2").strip()
    commits = repo.git("rev-list", "--reverse", "--topo-order", head, f"^{first_parent}").split()
    if not 2 <= len(commits) <= limits.max_pushes:
        return None
    pushes = _pushes(repo, first_parent, commits)
    if not pushes or not pushes[-1].diff.strip():
        return None
    h = History(repo.name, number, title, merge, pushes)
    if any(p.merges_base for p in pushes):
        h.kinds.append("base-merge")
    _, authored, _, _, _ = _commit(repo, commits[0])
    _, _, base_committed, _, _ = _commit(repo, pushes[0].base)
    if authored < base_committed:
        replay = _rebased_history(repo, first_parent, pushes)
        if replay is None:
            return None
        h.pushes, h.kinds = replay, [*h.kinds, "rebased"]
    if any(len(p.diff.encode()) > limits.max_diff for p in h.pushes):
        return None
    return h


def build(repo: Repo, limits: argparse.Namespace) -> list[History]:
    """Up to ``per_repo`` histories: every rebased or base-merging one found, then the rest."""
    special: list[History] = []
    plain: list[History] = []
    for merge, first_parent, number, title in _merges(repo, limits.scan):
        h = history(repo, merge, first_parent, number, title, limits=limits)
        if h is None:
            continue
        (special if h.kinds else plain).append(h)
        if (
            len(special) >= limits.per_repo // 3
            and len(special) + len(plain) >= limits.per_repo * 2
        ):
            break
    chosen = special[: limits.per_repo // 3]
    chosen += plain[: limits.per_repo - len(chosen)]
    return sorted(chosen, key=lambda h: h.number)


def _write(out: Path, repo: str, histories: Sequence[History]) -> list[dict[str, str]]:
    rows = []
    name = repo.replace("/", "__") + ".jsonl.xz"
    lines = []
    for h in histories:
        record = {"repo": h.repo, "number": h.number, "title": h.title, "merge": h.merge,
                  "kinds": h.kinds, "license": LICENCES.get(repo, "see repository"),
                  "pushes": [p.to_json() for p in h.pushes]}  # fmt: skip
        lines.append(json.dumps(record, sort_keys=True))
        rows.append({"file": name, "repo": h.repo, "number": str(h.number), "merge": h.merge,
                     "pushes": str(len(h.pushes)), "kinds": ",".join(h.kinds) or "plain",
                     "heads": " ".join(p.head[:12] for p in h.pushes),
                     "license": LICENCES.get(repo, "see repository"), "title": h.title})  # fmt: skip
    (out / name).write_bytes(lzma.compress(("\n".join(lines) + "\n").encode(), preset=9))
    return rows


def _readme(rows: Sequence[dict[str, str]]) -> str:
    """Where the corpus comes from, under which licences, and how it was cut."""
    repos = sorted({r["repo"] for r in rows})
    lines = [
        "# Lifetime corpus: real multi-push pull requests",
        "",
        "Merged pull requests of public repositories that merge PRs with merge commits, one",
        "JSON object per PR in `<owner>__<name>.jsonl.xz`: repository, PR number, title, merge",
        "commit, and per push the head sha, the base it stands on, the commit subject, the",
        "commit date and the PR diff at that push. `MANIFEST.tsv` lists every PR.",
        "",
        "Rebuilt by `scripts/build_lifetime_corpus.py` (its docstring states the method: each",
        "commit of a PR is one push, an upper bound on the pushes the author made; rebased PRs",
        "get their pre-rebase pushes replayed onto the tip of the time, marked `synthetic`).",
        "",
        "| repository | licence | PRs | pushes | merge the base in | rebased |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for repo in repos:
        mine = [r for r in rows if r["repo"] == repo]
        pushes = sum(int(r["pushes"]) for r in mine)
        merged = sum("base-merge" in r["kinds"] for r in mine)
        rebased = sum("rebased" in r["kinds"] for r in mine)
        lines.append(f"| [{repo}](https://github.com/{repo}) | {mine[0]['license']} | "
                     f"{len(mine)} | {pushes} | {merged} | {rebased} |")  # fmt: skip
    lines += ["", "The diffs are excerpts of those projects' history, kept here as test data under",
              "their licences (copyright their authors); see each repository's LICENSE file.", ""]  # fmt: skip
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Build the corpus from the repositories given."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repo", action="append", required=True, metavar="OWNER/NAME=GITDIR")
    parser.add_argument("--per-repo", type=int, default=30)
    parser.add_argument("--scan", type=int, default=600, help="newest PR merges looked at")
    parser.add_argument("--max-pushes", type=int, default=10)
    parser.add_argument("--max-diff", type=int, default=40_000, help="bytes per push diff")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "lifetime_corpus")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        for spec in args.repo:
            name, _, path = spec.partition("=")
            store = Path(scratch) / name.replace("/", "__")
            store.mkdir()
            histories = build(Repo(name, Path(path), store), args)
            rows += _write(args.out, name, histories)
            kinds = [k for h in histories for k in h.kinds]
            print(f"{name}: {len(histories)} PRs, {sum(len(h.pushes) for h in histories)} pushes,"
                  f" {kinds.count('rebased')} rebased, {kinds.count('base-merge')} merge the base",
                  file=sys.stderr)  # fmt: skip
    (args.out / "README.md").write_text(_readme(rows), encoding="utf-8")
    with (args.out / "MANIFEST.tsv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
