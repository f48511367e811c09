"""``pr-router demo``: run the whole pipeline offline on a bundled example PR (or your diff)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the demo options."""
    parser.add_argument("--out", default="demo-out", metavar="DIR",
                        help="where to write conversation.md/.html, ledger.jsonl, results.sarif and "
                        "checks.json (default demo-out)")  # fmt: skip
    parser.add_argument("--diff", metavar="FILE",
                        help="run on your own diff instead of the bundled example")  # fmt: skip
    parser.add_argument("--comment", action="append", default=[], metavar="TEXT",
                        help="after the run, post TEXT as a PR comment (e.g. '/pr-router "
                        "escalate describe') and run on it, as GitHub would; repeatable")  # fmt: skip
    parser.add_argument("--as", dest="as_login", metavar="LOGIN",
                        help="post the comments as LOGIN (default: a maintainer; any other "
                        "login has read permission only, so its commands are refused)")  # fmt: skip
    parser.add_argument("--verbose", action="store_true", help="also print the run log")


def run(args: argparse.Namespace) -> int:
    """Run the demo and print the cost summary."""
    from pr_router.inputs import read_diff
    from pr_router.pipeline.demo import MAINTAINER, DemoComment, describe_result, run_demo

    diff = read_diff(args.diff)[0] if args.diff else None
    login = args.as_login or MAINTAINER
    comments = tuple(DemoComment(text, login) for text in args.comment)
    result = run_demo(Path(args.out), diff, comments)
    if args.verbose:
        sys.stdout.write(result.log)
    sys.stdout.write(describe_result(result))
    return 0
