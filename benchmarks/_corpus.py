"""Locate the real-diff corpus shared with the project, or say it is absent."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def real_diffs_dir() -> Path | None:
    """``$PR_ROUTER_REAL_DIFFS`` or ``../shared/fixtures/diffs/real`` next to the repo."""
    candidates = [
        os.environ.get("PR_ROUTER_REAL_DIFFS"),
        ROOT.parent / "shared/fixtures/diffs/real",
    ]
    for c in candidates:
        if c and Path(c).is_dir():
            return Path(c)
    return None


def synthetic_diff(changed_lines: int, *, files: int = 20) -> bytes:
    """A realistic-looking git diff with about ``changed_lines`` added/removed lines."""
    per_file = max(changed_lines // files, 1)
    out: list[str] = []
    for n in range(files):
        path = f"src/pkg/module_{n}.py"
        out += [f"diff --git a/{path} b/{path}", "index 1111111..2222222 100644",
                f"--- a/{path}", f"+++ b/{path}"]  # fmt: skip
        line = 1
        remaining = per_file
        while remaining > 0:
            adds = min(remaining, 40)
            out.append(f"@@ -{line},6 +{line},{6 + adds} @@ def handler_{line}():")
            out += [f"     context_{line + i} = compute({i})" for i in range(3)]
            out += [
                f"+    value_{line + i} = transform(request.args.get('k{i}'), {i})"
                for i in range(adds)
            ]
            out += [f"     tail_{line + i} = finish({i})" for i in range(3)]
            remaining -= adds
            line += 60
    return ("\n".join(out) + "\n").encode()


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` timed calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def plan_in_process(data: bytes) -> None:
    """What ``pr-router plan --format json`` does for a diff, without the process start-up."""
    from pr_router.changes import analyze
    from pr_router.context import PRContext
    from pr_router.plan import plan_to_json
    from pr_router.policy.loader import load_policy
    from pr_router.router import route

    loaded = load_policy(None)
    changes = analyze(data, ignore=loaded.policy.ignore)
    json.dumps(plan_to_json(route(loaded.policy, changes, PRContext(), prices=loaded.prices)))
