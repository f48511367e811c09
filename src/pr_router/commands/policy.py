"""``pr-router policy check FILE...`` and ``pr-router policy schema``.

``check`` lists every problem of every file, one line each (``file:line:col: field: message``,
with the fix in parentheses), and exits 2 if there is any; a valid file gets one ``ok`` line
with its job count and tier models. ``schema`` prints the policy's JSON Schema.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``check`` and ``schema`` subcommands."""
    sub = parser.add_subparsers(dest="policy_command", metavar="SUBCOMMAND", required=True)
    check = sub.add_parser(
        "check",
        help="validate policy files and list every problem",
        description="Validate policy files; print every problem as file:line:col: field: message.",
    )
    check.add_argument("files", nargs="+", type=Path, metavar="FILE", help="policy YAML file")
    sub.add_parser(
        "schema",
        help="print the policy JSON Schema",
        description="Print the JSON Schema of policy files (the same as policies/schema.json).",
    )


def _check(files: list[Path]) -> int:
    from pr_router.policy.catalog import resolve_jobs
    from pr_router.policy.loader import check_policy
    from pr_router.policy.models import TIERS

    failed = False
    for path in files:
        result = check_policy(path)
        for error in result.errors:
            hint = f" (hint: {error.hint})" if error.hint else ""
            print(f"{error}{hint}")
        if result.loaded is None:
            failed = True
            continue
        policy = result.loaded.policy
        tiers = ", ".join(f"{t}={policy.tiers[t].model}" for t in reversed(TIERS))
        print(f"{path}: ok ({len(resolve_jobs(policy))} jobs, tiers: {tiers})")
    return 2 if failed else 0


def run(args: argparse.Namespace) -> int:
    """Run the chosen ``policy`` subcommand."""
    if args.policy_command == "schema":
        from pr_router.policy.schema import render_schema

        sys.stdout.write(render_schema())
        return 0
    return _check(list(args.files))
