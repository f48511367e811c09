"""``pr-router run``: inside GitHub Actions, run the jobs for the current event and publish."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pr_router.pipeline.settings import Settings

__all__ = ["apply_flags", "configure", "log_to_runner", "run"]


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


class _InfoLines(logging.Handler):
    """INFO records as plain ``pr-router: ...`` lines on the current stdout (not annotations)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("pr-router: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record, unless it is a warning or worse (those are annotations)."""
        if record.levelno >= logging.WARNING:
            return
        try:
            sys.stdout.write(self.format(record) + "\n")
            sys.stdout.flush()
        except Exception:  # a log handler must never raise
            self.handleError(record)


def log_to_runner() -> None:
    """pr_router's warnings and errors become annotations; its info records plain lines."""
    from pr_router.render.annotations import AnnotationHandler

    logger = logging.getLogger("pr_router")
    if any(isinstance(h, _InfoLines) for h in logger.handlers):
        return  # already set up (main() called twice in one process)
    logger.addHandler(AnnotationHandler())
    logger.addHandler(_InfoLines())
    logger.setLevel(logging.INFO)


def run(args: argparse.Namespace) -> int:
    """Run the pipeline for this workflow's event."""
    from pr_router.pipeline.entry import run_from_env

    log_to_runner()
    # run_from_env has already written its lines (an early stop, the plan-only notice).
    return run_from_env(os.environ, settings=apply_flags(args)).exit_code
