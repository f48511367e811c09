"""``pr-router doctor``: check keys, models, prices, caching, batches, token and policy once."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add ``--policy`` and ``--pr``."""
    parser.add_argument(
        "--policy",
        metavar="FILE",
        help="policy file (default: $PR_ROUTER_POLICY, .github/pr-router.yml if present, "
        "else the bundled default)",
    )
    parser.add_argument(
        "--pr", type=int, metavar="N", help="PR to read (default: the event's PR, if any)"
    )


def _policy_path(args: argparse.Namespace) -> Path | None:
    if args.policy:
        return Path(args.policy)
    # the action sets PR_ROUTER_POLICY to a path in the repository; without a checkout
    # there is no such file, and the run would use the bundled default too
    for given in (os.environ.get("PR_ROUTER_POLICY"), ".github/pr-router.yml"):
        if given and Path(given).is_file():
            return Path(given)
    return None


def run(args: argparse.Namespace) -> int:
    """Run every check, print one line each; exit 2 on a blocker."""
    from pr_router.doctor import doctor, exit_code, render

    checks = doctor(os.environ, policy_path=_policy_path(args), pr=args.pr)
    print(render(checks), flush=True)
    return exit_code(checks)
