"""``pr-router run``: inside GitHub Actions, run the jobs for the current event and publish."""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pr_router.pipeline.settings import Settings

__all__ = ["configure", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the run options (everything else comes from the environment; see action.yml)."""
    parser.add_argument("--dry-run", action="store_true",
                        help="publish nothing; print what would be posted")  # fmt: skip
    parser.add_argument("--publish-dir", metavar="DIR",
                        help="write what would be posted to DIR instead of posting")  # fmt: skip
    parser.add_argument("--policy", metavar="PATH",
                        help="policy path in the repository (default .github/pr-router.yml)")  # fmt: skip
    parser.add_argument("--ledger", metavar="FILE", help="append ledger records to FILE")


def apply_flags(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with command-line flags on top."""
    from pr_router.pipeline.settings import Settings

    settings = Settings.from_env()
    if getattr(args, "dry_run", False):
        settings = replace(settings, dry_run=True)
    if getattr(args, "publish_dir", None):
        settings = replace(settings, publish_dir=Path(args.publish_dir))
    if getattr(args, "policy", None):
        settings = replace(settings, policy_path=args.policy)
    if getattr(args, "ledger", None):
        settings = replace(settings, ledger_path=Path(args.ledger))
    return settings


def run(args: argparse.Namespace) -> int:
    """Run the pipeline for this workflow's event."""
    import logging

    from pr_router.pipeline.entry import run_from_env
    from pr_router.render.annotations import AnnotationHandler

    logging.getLogger("pr_router").addHandler(AnnotationHandler())
    # run_from_env has already written its lines (an early stop, the plan-only notice).
    return run_from_env(os.environ, settings=apply_flags(args)).exit_code
