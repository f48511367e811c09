"""``pr-router emulator``: serve the local API emulator in the foreground until Ctrl-C.

SIGINT and SIGTERM both stop it cleanly, also when it was started with SIGINT ignored.

It prints the base URLs and the environment lines to export so that the official SDKs (and
pr-router itself) talk to it. It binds 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import errno
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from pr_router.errors import UsageError

if TYPE_CHECKING:
    from pr_router.emulator.http import Handler

__all__ = ["configure", "run"]

_CANNOT_BIND = (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add ``--port``, ``--scenario`` and ``--latency``."""
    parser.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)"
    )
    parser.add_argument(
        "--scenario",
        type=Path,
        metavar="FILE",
        help="JSON or YAML scenario of rules (faults, canned outputs)",
    )
    parser.add_argument(
        "--latency", type=float, metavar="S", help="default latency of every model call, in seconds"
    )
    parser.add_argument(
        "--no-github", action="store_true", help="do not mount the GitHub emulation"
    )


def _github_mount() -> dict[str, Handler]:
    """The GitHub emulation (an empty in-memory repository) at ``/github``."""
    from pr_router.emulator.github import GitHubEmulator

    return {"/github": GitHubEmulator()}


def env_lines(base_url: str, *, github: bool) -> list[str]:
    """The ``export`` lines that point the SDKs (and pr-router) at the emulator."""
    lines = [f"export ANTHROPIC_BASE_URL={base_url}", f"export OPENAI_BASE_URL={base_url}/v1"]
    if github:
        lines.append(f"export GITHUB_API_URL={base_url}/github")
    return lines


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    from pr_router.emulator import Emulator, RealClock, Scenario

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number")
    scenario = Scenario.from_file(args.scenario) if args.scenario else Scenario()
    if args.latency is not None:
        if args.latency < 0:
            raise UsageError("--latency must not be negative")
        scenario.latency_s = args.latency
    mounts = {} if args.no_github else _github_mount()
    emulator = Emulator(scenario=scenario, clock=RealClock(), mounts=mounts, port=args.port)

    def ready() -> None:
        base = emulator.base_url
        print(f"pr-router emulator listening on {base} (Ctrl-C to stop)")
        print(f"  Anthropic: {base}")
        print(f"  OpenAI:    {base}/v1")
        if mounts:
            print(f"  GitHub:    {base}/github")
        print()
        print("\n".join(env_lines(base, github=bool(mounts))), flush=True)

    try:
        signum = emulator.serve_until_signalled(ready)
    except OSError as exc:
        if exc.errno not in _CANNOT_BIND:
            raise
        raise UsageError(
            f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}",
            hint="pick another --port, or 0 for a free one",
        ) from exc
    print(f"pr-router emulator: stopped ({signal.Signals(signum).name})", flush=True)
    return 0
