"""``pr-router plan``: which jobs would run, where, and at what estimated cost. No network."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the plan options."""
    src = parser.add_argument_group("diff source (one of)")
    src.add_argument("--diff", metavar="FILE", help="unified diff file, or - for stdin")
    src.add_argument("--repo", metavar="DIR", help="local git repository (with --base/--head)")
    src.add_argument("--base", metavar="REV", help="base revision for --repo")
    src.add_argument("--head", metavar="REV", help="head revision for --repo")
    parser.add_argument(
        "--event", metavar="FILE", help="pull_request webhook payload (title, labels, draft)"
    )
    parser.add_argument(
        "--event-name", help="GitHub event name (default: guessed from the payload)"
    )
    parser.add_argument(
        "--policy", metavar="FILE", help="policy file (default: the bundled default)"
    )
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text")


def run(args: argparse.Namespace) -> int:
    """Build and print the plan."""
    from pr_router.changes import analyze
    from pr_router.inputs import read_diff, read_event_context
    from pr_router.policy.loader import load_policy
    from pr_router.render.plan import plan_markdown, plan_text
    from pr_router.router import route

    loaded = load_policy(Path(args.policy) if args.policy else None)
    data, source = read_diff(args.diff, repo=args.repo, base=args.base, head=args.head)
    context = read_event_context(args.event, args.event_name)
    changes = analyze(data, source=source, ignore=loaded.policy.ignore)
    plan = route(loaded.policy, changes, context, prices=loaded.prices, policy_name=loaded.source)
    if args.format == "json":
        from pr_router.plan import plan_to_json

        json.dump(plan_to_json(plan), sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.format == "markdown":
        sys.stdout.write(plan_markdown(plan))
    else:
        sys.stdout.write(plan_text(plan))
    return 0
