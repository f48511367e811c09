"""``pr-router collect``: finish pending batches recorded on open PRs, update their summaries."""

from __future__ import annotations

import argparse
import os

from pr_router.commands.run import apply_flags, log_to_runner

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the collect options."""
    parser.add_argument("--pr", type=int, action="append", default=[], metavar="N",
                        help="only this PR (repeatable; default: every open PR)")  # fmt: skip
    parser.add_argument("--dry-run", action="store_true", help="publish nothing")
    parser.add_argument("--publish-dir", metavar="DIR", help="write what would be posted to DIR")
    parser.add_argument("--policy", metavar="PATH", help="policy path in the repository")
    parser.add_argument("--ledger", metavar="FILE", help="append ledger records to FILE")


def run(args: argparse.Namespace) -> int:
    """Collect on the PRs asked for, or every open PR."""
    from pr_router.pipeline.entry import collect_from_env

    log_to_runner()
    settings = apply_flags(args)
    outcome = collect_from_env(os.environ, settings=settings, numbers=tuple(args.pr))
    return outcome.exit_code
