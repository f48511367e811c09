"""``pr-router plan``: which jobs would run, where, and at what estimated cost. No network."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the plan options."""
    src = parser.add_argument_group(
        "diff source (one of; inside a GitHub Actions pull_request run, the PR via the API)"
    )
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


def _in_actions(args: argparse.Namespace) -> bool:
    """No diff source given, inside a GitHub Actions run of a PR event: use the API."""
    given = args.diff or args.repo or args.base or args.head
    return not given and bool(
        os.environ.get("GITHUB_EVENT_PATH") and os.environ.get("GITHUB_TOKEN")
    )


def _from_github(args: argparse.Namespace) -> tuple[Any, bytes, str, Any]:
    """Policy (from the base branch), diff and context of this workflow's PR, via the API."""
    from pr_router.errors import EventError
    from pr_router.github.client import GitHubClient
    from pr_router.github.event import load_event_from_env
    from pr_router.pipeline.policy_source import policy_from_base

    event = load_event_from_env(os.environ)
    if event.pr is None or event.pr.number is None:
        raise EventError(f"this {event.name} event has no pull request to plan for",
                         hint="pass --diff FILE outside pull_request events")  # fmt: skip
    github = GitHubClient.from_env(os.environ)
    path = args.policy or os.environ.get("PR_ROUTER_POLICY") or ".github/pr-router.yml"
    loaded = policy_from_base(github, path, event.pr.base_sha)
    return loaded, github.pull_diff(event.pr.number).data, f"PR #{event.pr.number}", event.pr


def run(args: argparse.Namespace) -> int:
    """Build and print the plan."""
    from pr_router.changes import analyze
    from pr_router.inputs import read_diff, read_event_context
    from pr_router.policy.loader import load_policy
    from pr_router.render.plan import plan_markdown, plan_text
    from pr_router.router import route

    if _in_actions(args):
        loaded, data, source, context = _from_github(args)
    else:
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
