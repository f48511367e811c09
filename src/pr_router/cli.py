"""The ``pr-router`` command line. Thin: parses arguments and hands off to a command module.

Command modules are imported only when their command runs, so ``pr-router --help`` stays
fast and never imports a vendor SDK.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Protocol, cast

from pr_router import __version__
from pr_router.errors import PrRouterError, UsageError

__all__ = ["main"]

# name -> (module under pr_router.commands, one-line help). Order is the --help order.
COMMANDS: dict[str, tuple[str, str]] = {
    "plan": ("plan", "show which jobs would run, where, and what they would cost"),
    "run": ("run", "run the jobs for the current GitHub event and publish the results"),
    "collect": ("collect", "finish pending batches recorded on open PRs"),
    "policy": ("policy", "check a policy file or print its JSON schema"),
    "demo": ("demo", "run the whole pipeline offline on a bundled example PR"),
    "report": ("report", "spend, acceptance and promotion advice from ledgers"),
    "emulator": ("emulator", "serve the local API emulator (Anthropic, OpenAI, GitHub)"),
    "doctor": ("doctor", "check keys, models, prices, caching, batches and the token once"),
}


class _Command(Protocol):
    def configure(self, parser: argparse.ArgumentParser) -> None: ...
    def run(self, args: argparse.Namespace) -> int: ...


def _load(name: str) -> _Command:
    module_name, _ = COMMANDS[name]
    return cast(_Command, importlib.import_module(f"pr_router.commands.{module_name}"))


def _build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pr-router",
        description="Route the AI jobs of a pull request to the cheapest model that keeps "
        "their quality, and show what each one cost.",
    )
    parser.add_argument("--version", action="version", version=f"pr-router {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Only the chosen command's module is imported; the others get a stub parser.
    chosen = next((a for a in argv if a in COMMANDS), None)
    for name, (_, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            _load(name).configure(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pr-router`` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser(args_list)
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return _load(args.command).run(args)
    except KeyboardInterrupt:
        print("pr-router: interrupted", file=sys.stderr)
        return 130
    except PrRouterError as exc:
        if args.debug:
            raise
        print(f"pr-router: error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
