"""Rebuild the diffs of the security-detector corpus from local clones of its repositories.

python scripts/security_corpus.py --mirrors DIR          # write every diff in the manifest
python scripts/security_corpus.py --mirrors DIR --check  # exit 1 if a stored diff differs
python scripts/security_corpus.py --mirrors DIR --advisories ADV --new owner/name ...  # fix rows
python scripts/security_corpus.py --mirrors DIR --sample owner/name --seed 14  # ordinary rows

``DIR`` holds one bare or working clone per repository, named ``owner+name`` (for example
``DIR/pallets+werkzeug``, or ``DIR/pallets+werkzeug/repo``). Which commits belong to the
corpus, their advisory, class and split, is written in ``benchmarks/security_corpus/
MANIFEST.tsv`` (see its README); this script only turns each row into a diff file: the commit
against its first parent (a merge shows what it brought into the branch), trimmed at a file
boundary when it is larger than ``MAX_LINES``.

``--advisories`` (a clone of pypa/advisory-database) and ``--sample`` print candidate manifest
rows for a repository not yet in the corpus: its advisory-linked fix commits, and a seeded,
stratified sample of its ordinary commits (``_sample.py``). Both are read by hand before they
are added to the manifest.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / "security_corpus"
MAX_LINES = 3000
_TIMEOUT = 120
COLUMNS = (
    "file", "repo", "commit", "label", "advisory", "cve", "class",
    "stratum", "split", "licence", "note", "subject",
)  # fmt: skip


def rows() -> list[dict[str, str]]:
    """The manifest rows."""
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def git_dir(mirrors: Path, repo: str) -> Path:
    """The clone of ``owner/name`` under ``mirrors``."""
    base = mirrors / repo.replace("/", "+")
    for candidate in (base / "repo", base / ".git", base):
        if (candidate / "HEAD").exists():
            return candidate
    raise SystemExit(f"no clone of {repo} under {mirrors}")


def _git(gdir: Path, *args: str) -> str:
    """Run git in ``gdir`` and return its output (decoded leniently)."""
    out = subprocess.run(
        ["git", "--git-dir", str(gdir), *args], capture_output=True, check=True, timeout=_TIMEOUT
    )
    return out.stdout.decode("utf-8", "replace")


def trim(diff: str, max_lines: int = MAX_LINES) -> tuple[str, bool]:
    """``diff`` cut before the first file that would pass ``max_lines`` (at least one file)."""
    lines = diff.splitlines(keepends=True)
    if len(lines) <= max_lines:
        return diff, False
    starts = [i for i, line in enumerate(lines) if line.startswith("diff --git ")]
    cut = max((i for i in starts if i <= max_lines), default=0) or max_lines
    if starts and cut == starts[0]:
        cut = max_lines
    return "".join(lines[:cut]), True


def render(gdir: Path, commit: str) -> str:
    """The commit as a diff against its first parent, under a short header."""
    header = _git(gdir, "show", "-s", "--format=From %H%nSubject: %s%n", commit)
    parents = _git(gdir, "rev-list", "--parents", "-n", "1", commit).split()[1:]
    base = parents[0] if parents else "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # empty tree
    body = _git(gdir, "diff", "--no-color", "--no-ext-diff", "-M", base, commit)
    text, _ = trim(body)
    return header + "\n" + text


def main() -> int:
    """Write or check every diff of the manifest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, required=True)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--advisories", type=Path, help="clone of pypa/advisory-database")
    parser.add_argument("--new", nargs="*", default=[], help="repositories for --advisories")
    parser.add_argument("--sample", help="owner/name: print a stratified ordinary sample")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--split", default="heldout", help="split of the printed rows")
    args = parser.parse_args()
    if args.advisories or args.sample:
        from _sample import advisory_rows, sample_rows

        if args.advisories:
            found = advisory_rows(args.advisories, args.new)
        else:
            found = sample_rows(git_dir(args.mirrors, args.sample), args.sample, args.seed)
        for row in found:
            print("\t".join(row.get(k, args.split if k == "split" else "") for k in COLUMNS))
        return 0
    stale = 0
    out = CORPUS / "diffs"
    out.mkdir(parents=True, exist_ok=True)
    for row in rows():
        text = render(git_dir(args.mirrors, row["repo"]), row["commit"])
        path = out / row["file"]
        if args.check:
            if not path.exists() or path.read_bytes() != text.encode():
                print(f"stale: {path.relative_to(ROOT)}")
                stale += 1
        else:
            path.write_bytes(text.encode())
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
