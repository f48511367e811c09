"""``pr-router report``: spend, savings, acceptance and promotion advice from ledgers."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pr_router.errors import UsageError
from pr_router.ledger import Entry, LedgerRecord

if TYPE_CHECKING:
    from pr_router.report import Summary

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the report options."""
    parser.add_argument(
        "ledgers", nargs="*", metavar="LEDGER", type=Path,
        help="ledger files (JSONL) or directories searched recursively for *.jsonl",
    )  # fmt: skip
    parser.add_argument(
        "--repo", metavar="OWNER/NAME",
        help="also read the repository's pr-router-ledger* workflow artifacts "
        "(GITHUB_TOKEN with actions: read; GITHUB_API_URL for GitHub Enterprise)",
    )  # fmt: skip
    parser.add_argument(
        "--since", default="30d", help="start: 30d, 12h, 2w or a date (default 30d)"
    )
    parser.add_argument("--until", help="end: a duration ago or a date, included (default now)")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    parser.add_argument("--charts", metavar="DIR", type=Path, help="write PNG charts to DIR")
    parser.add_argument(
        "--min-results", type=int, default=20, metavar="N",
        help="decided results a job needs on a tier before advice (default 20)",
    )  # fmt: skip
    parser.add_argument(
        "--outcomes", action="store_true",
        help="with --repo: look up reactions, replies and changed lines on GitHub for results "
        "without an outcome yet",
    )  # fmt: skip


def _records(
    args: argparse.Namespace, since: datetime | None, env: Mapping[str, str]
) -> list[Entry]:
    from pr_router.report import read_ledgers

    if not args.ledgers and not args.repo:
        raise UsageError(
            "no ledgers to read", hint="give ledger files or directories, or --repo OWNER/NAME"
        )
    records = read_ledgers(args.ledgers)
    if args.repo:
        from pr_router.report.artifacts import ArtifactLedgers

        reader = ArtifactLedgers.from_env(env, args.repo)
        try:
            records += reader.records(since)
        finally:
            reader.close()
    return records


def _with_outcomes(entries: Sequence[Entry], repo: str, env: Mapping[str, str]) -> list[Entry]:
    from pr_router.github.client import GitHubClient
    from pr_router.outcomes import apply_outcomes, collect_outcomes

    records = [r for r in entries if isinstance(r, LedgerRecord)]
    runs = [r for r in entries if not isinstance(r, LedgerRecord)]  # no outcomes to look up
    client = GitHubClient.from_env({**env, "GITHUB_REPOSITORY": repo})
    try:
        prs = {r.pr for r in records if r.pr is not None and r.published and r.outcome is None}
        heads = {n: sha for n in sorted(prs) if (sha := client.pull(n).head_sha)}
        found = collect_outcomes(client, records, own_login=client.whoami(), head_shas=heads)
    finally:
        client.close()
    return [*apply_outcomes(records, found), *runs]


def _charts(summary: Summary, directory: Path) -> None:
    from pr_router.report import charts_available, skipped_charts, write_charts

    if not charts_available():
        print("pr-router: charts skipped: matplotlib is not installed "
              "(pip install 'pr-router[charts]')", file=sys.stderr)  # fmt: skip
        return
    paths = write_charts(summary, directory)
    print(f"pr-router: charts written: {', '.join(str(p) for p in paths)}", file=sys.stderr)
    for name, reason in skipped_charts(summary).items():
        print(f"pr-router: {name} skipped: {reason}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Read the ledgers, compute the report and print it."""
    from pr_router.report import (
        AdviceSettings,
        advise,
        dedupe,
        in_period,
        parse_period,
        report_json,
        report_markdown,
        report_text,
        summarize,
    )

    if args.min_results < 1:
        raise UsageError("--min-results must be at least 1")
    if args.outcomes and not args.repo:
        raise UsageError("--outcomes needs --repo", hint="outcomes are looked up on GitHub")
    env = os.environ
    period = parse_period(args.since, args.until, datetime.now(UTC))
    records = in_period(dedupe(_records(args, period.start, env)), period)
    if args.outcomes:
        records = _with_outcomes(records, args.repo, env)
    summary = summarize(records, period)
    advice = advise(summary.acceptance, AdviceSettings(min_results=args.min_results))
    if args.format == "json":
        json.dump(report_json(summary, advice), sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.format == "markdown":
        sys.stdout.write(report_markdown(summary, advice))
    else:
        sys.stdout.write(report_text(summary, advice))
    if args.charts is not None:
        _charts(summary, args.charts)
    return 0
