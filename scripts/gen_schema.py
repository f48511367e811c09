"""Regenerate the policy artifacts: ``policies/schema.json`` and ``policies/default.yml``.

``policies/default.yml`` is a copy of the default bundled in the package
(``src/pr_router/policy/default.yml``), kept next to the other policies for readers.

    python scripts/gen_schema.py          # write both
    python scripts/gen_schema.py --check  # exit 1 if either is stale (CI)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pr_router.policy.loader import default_policy_text
from pr_router.policy.schema import render_schema

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = {
    ROOT / "policies" / "schema.json": render_schema,
    ROOT / "policies" / "default.yml": default_policy_text,
}


def main(argv: list[str] | None = None) -> int:
    """Write the artifacts, or with ``--check`` report the stale ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a file is stale")
    args = parser.parse_args(argv)
    stale = []
    for path, render in ARTIFACTS.items():
        wanted = render().encode("utf-8")
        if path.exists() and path.read_bytes() == wanted:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.write_bytes(wanted)
            print(f"wrote {path.relative_to(ROOT)}")
    if args.check and stale:
        for name in stale:
            print(f"{name} is stale: run `python scripts/gen_schema.py`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
