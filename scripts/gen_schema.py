"""Regenerate the policy artifacts: ``policies/schema.json`` and ``policies/default.yml``.

``policies/default.yml`` is a copy of the default bundled in the package
(``src/pr_router/policy/default.yml``), kept next to the other policies for readers.

    python scripts/gen_schema.py          # write both
    python scripts/gen_schema.py --check  # exit 1 if either is stale (CI)
"""

from __future__ import annotations

import sys

from _artifacts import ROOT
from _artifacts import main as generate
from pr_router.policy.loader import default_policy_text
from pr_router.policy.schema import render_schema

ARTIFACTS = {
    ROOT / "policies" / "schema.json": render_schema,
    ROOT / "policies" / "default.yml": default_policy_text,
}


def main(argv: list[str] | None = None) -> int:
    """Write the artifacts, or with ``--check`` report the stale ones."""
    return generate(ARTIFACTS, script="gen_schema.py", doc=__doc__ or "", argv=argv, root=ROOT)


if __name__ == "__main__":
    sys.exit(main())
