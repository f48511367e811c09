"""Write generated files, or check that the committed ones are up to date (for CI)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sync(
    artifacts: Mapping[Path, Callable[[], str]], *, check: bool, script: str, root: Path = ROOT
) -> int:
    """Write every artifact that differs; with ``check``, only report them and return 1."""
    stale = []
    for path, render in artifacts.items():
        wanted = render().encode("utf-8")
        if path.exists() and path.read_bytes() == wanted:
            continue
        stale.append(path.relative_to(root))
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(wanted)
            print(f"wrote {path.relative_to(root)}")
    if check and stale:
        for name in stale:
            print(f"{name} is stale: run `python scripts/{script}`", file=sys.stderr)
        return 1
    return 0


def main(artifacts: Mapping[Path, Callable[[], str]], *, script: str, doc: str,
         argv: list[str] | None = None, root: Path = ROOT) -> int:  # fmt: skip
    """The command line of a generator script: write ``artifacts``, or ``--check`` them."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a file is stale")
    args = parser.parse_args(argv)
    return sync(artifacts, check=args.check, script=script, root=root)
