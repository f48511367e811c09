"""``pr-router demo``: the whole pipeline offline, on a bundled example PR (or your diff).

The emulator plays GitHub and both model providers on 127.0.0.1, on a simulated clock:
a ``pull_request`` run posts the review and the summary and leaves the batch jobs pending;
an hour later (simulated) a ``collect`` finishes them and updates the summary in place.
Comments given with ``--comment`` are then posted on the PR one by one (as a maintainer, or
as ``--as LOGIN``), each starting an ``issue_comment`` run as GitHub would, a minute apart, so
commands such as ``/pr-router escalate describe`` are answered on the same page.
The conversation is written as Markdown and as an HTML page that looks like a PR page.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from pr_router.emulator import Emulator, FakeClock, Rule, Scenario
from pr_router.emulator.github import GitHubEmulator
from pr_router.github.emulated import GitHubState
from pr_router.github.state import SUMMARY_MARKER
from pr_router.pipeline.entry import collect_from_env, run_from_env
from pr_router.pipeline.settings import Settings
from pr_router.render.conversation import CheckBox, conversation_html, conversation_markdown
from pr_router.render.summary import terminal_summary
from pr_router.summary import RunSummary

__all__ = ["MAINTAINER", "DemoComment", "DemoResult", "run_demo"]

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
BATCH_MINUTES = 30  # simulated time a provider takes to finish the batch
MAINTAINER = "shop-maintainer"  # who comments when --as is not given (role: maintain)


@dataclass(frozen=True)
class DemoComment:
    """A comment posted on the demo PR after the run: its text and its author's login."""

    body: str
    login: str = MAINTAINER


@dataclass(frozen=True)
class DemoResult:
    """Files written and the final summary."""

    files: tuple[Path, ...]
    summary: RunSummary | None
    log: str


def _data(name: str) -> bytes:
    return resources.files("pr_router.data.demo").joinpath(name).read_bytes()


# Review and security share one output schema, so their canned answers are told apart by
# the task heading of their instructions.
_MATCH = {"ReviewOutput": "## Task: code review", "SecurityOutput": "## Task: security scan"}


def _scenario(canned: bool) -> Scenario:
    outputs: dict[str, Any] = json.loads(_data("outputs.json")) if canned else {}
    rules = [
        Rule(job=None if name in _MATCH else name, prompt=_MATCH.get(name),
             output=out, latency_s=4.0, ttft_s=0.6)
        for name, out in outputs.items()
    ]  # fmt: skip
    rules.append(Rule(batch_duration_s=BATCH_MINUTES * 60))
    return Scenario(rules)


def _event(diff_given: bool) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(_data("event.json"))
    if diff_given:
        event["pull_request"]["title"] = "Your change"
        event["pull_request"]["body"] = "Run through `pr-router demo --diff`."
    return event


def _seed(state: GitHubState, event: dict[str, Any], diff: bytes) -> None:
    pull = event["pull_request"]
    state.seed_pull(event, diff, commits=[(pull["head"]["sha"], pull["title"])])
    state.add_file("CHANGELOG.md", _data("files/CHANGELOG.md"), ref=pull["base"]["sha"])


def _env(emu: Emulator[Any], event_path: Path, out: Path) -> dict[str, str]:
    return {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_TOKEN": "demo-token",
        "GITHUB_API_URL": f"{emu.base_url}/github",
        "GITHUB_RUN_ID": "1001",
        "ANTHROPIC_API_KEY": "demo-key",
        "ANTHROPIC_BASE_URL": emu.base_url,
        "OPENAI_API_KEY": "demo-key",
        "OPENAI_BASE_URL": emu.openai_base_url,
        "PR_ROUTER_LEDGER": str(out / "ledger.jsonl"),
        "GITHUB_STEP_SUMMARY": str(out / "step-summary.md"),
        "PR_ROUTER_SARIF": str(out / "results.sarif"),
    }


def _visible(body: str) -> str:
    return _HTML_COMMENT.sub("", body).strip()


def _conversation(state: GitHubState, number: int) -> dict[str, Any]:
    pull = state.pulls[number]
    reviews = [r for r in state.reviews.values() if r.number == number]
    inline = [(c.path, c.line, c.side, _visible(c.body), c.diff_hunk)
              for c in state.review_comments.values() if c.number == number]  # fmt: skip
    comments = sorted((c for c in state.comments.values() if c.number == number),
                      key=lambda c: c.id)  # fmt: skip
    summary = next((c.body for c in comments if c.body.startswith(SUMMARY_MARKER)), "")
    later = [(c.author, _visible(c.body)) for c in comments
             if not c.body.startswith(SUMMARY_MARKER)]  # fmt: skip
    return {
        "pr_title": pull.title,
        "pr_body": _visible(pull.body or ""),
        "review_body": "\n\n".join(_visible(r.body) for r in reviews),
        "inline_comments": inline,
        "summary_comment_body": _visible(summary),
        "later_comments": later,
    }


def _checks(state: GitHubState) -> list[dict[str, Any]]:
    """The check runs on the emulated PR, as GitHub holds them after every request."""
    return [
        {
            "name": c.name,
            "head_sha": c.head_sha,
            "status": c.status,
            "conclusion": c.conclusion,
            "output": {"title": c.title, "summary": c.summary, "annotations": c.annotations},
        }
        for c in sorted(state.check_runs.values(), key=lambda c: c.id)
    ]


def _boxes(checks: list[dict[str, Any]]) -> list[CheckBox]:
    return [
        CheckBox(
            c["name"],
            c["conclusion"] or "neutral",
            c["output"]["title"] or "",
            len(c["output"]["annotations"]),
        )
        for c in checks
    ]


def _comment_event(event: dict[str, Any], comment_id: int, c: DemoComment) -> dict[str, Any]:
    """The ``issue_comment`` payload GitHub sends for a new comment on the demo PR."""
    pull = event["pull_request"]
    user = {"login": c.login, "id": 1000 + comment_id, "type": "User"}
    return {
        "action": "created",
        "issue": {
            "number": event["number"],
            "title": pull["title"],
            "state": "open",
            "user": pull["user"],
            "pull_request": {"url": pull.get("url", "")},
        },
        "comment": {"id": comment_id, "body": c.body, "user": user},
        "repository": event["repository"],
        "sender": user,
    }


def _post_comments(
    env: dict[str, str], comments: tuple[DemoComment, ...], *, state: GitHubState,
    event: dict[str, Any], clock: FakeClock, log: io.StringIO, out: Path,
) -> list[RunSummary]:  # fmt: skip
    """Post each comment on the PR and run pr-router on its ``issue_comment`` event."""
    summaries: list[RunSummary] = []
    for i, c in enumerate(comments, 1):
        clock.advance(60)
        posted = state.add_comment(int(event["number"]), c.login, c.body)
        path = out / f"comment-{i}.json"
        path.write_text(json.dumps(_comment_event(event, posted.id, c), indent=2), "utf-8")
        cmd_env = {**env, "GITHUB_EVENT_NAME": "issue_comment", "GITHUB_EVENT_PATH": str(path)}
        result = run_from_env(cmd_env, settings=Settings.from_env(cmd_env), clock=clock, out=log,
                              wall_clock=_wall(clock))  # fmt: skip
        summaries += result.summaries
    return summaries


def _wall(clock: FakeClock) -> Callable[[], datetime]:
    """The simulated wall clock: the demo's times (batch submitted, expected) never vary."""
    return lambda: datetime.fromtimestamp(clock.time(), UTC)


def _demo_epoch() -> float:
    """Midnight UTC yesterday: the times of day the demo shows are always the same, and its
    ledger falls within ``report``'s default period (the last 30 days)."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today - timedelta(days=1)).timestamp()


def run_demo(
    out: Path, diff: bytes | None = None, comments: tuple[DemoComment, ...] = ()
) -> DemoResult:
    """Run the demo (then each comment's ``issue_comment`` run) and write the conversation
    (``.md``, ``.html``), ``ledger.jsonl``, ``results.sarif`` and ``checks.json``."""
    out.mkdir(parents=True, exist_ok=True)
    ledger = out / "ledger.jsonl"
    ledger.unlink(missing_ok=True)
    (out / "step-summary.md").unlink(missing_ok=True)
    (out / "results.sarif").unlink(missing_ok=True)
    event = _event(diff is not None)
    event_path = out / "event.json"
    event_path.write_text(json.dumps(event, indent=2), encoding="utf-8")
    clock = FakeClock(epoch=_demo_epoch())
    state = GitHubState(viewer="pr-router[bot]", roles={MAINTAINER: "maintain"})
    _seed(state, event, diff if diff is not None else _data("example.diff"))
    log = io.StringIO()
    with Emulator(scenario=_scenario(diff is None), clock=clock,
                  mounts={"/github": GitHubEmulator(state)}) as emu:  # fmt: skip
        env = _env(emu, event_path, out)
        settings = Settings.from_env(env)
        first = run_from_env(env, settings=settings, clock=clock, out=log, wall_clock=_wall(clock))
        clock.advance(BATCH_MINUTES * 60)
        later = collect_from_env(env, settings=settings, clock=clock, out=log, numbers=(42,),
                                 wall_clock=_wall(clock))  # fmt: skip
        commanded = _post_comments(
            env, comments, state=state, event=event, clock=clock, log=log, out=out
        )
    final = (commanded or later.summaries or first.summaries or (None,))[-1]
    convo = _conversation(state, int(event["number"]))
    checks = _checks(state)
    boxes = _boxes(checks)
    md = out / "conversation.md"
    md.write_text(conversation_markdown(**convo, pr_number=42, checks=boxes), encoding="utf-8")
    page = out / "conversation.html"
    page.write_text(conversation_html(**convo, pr_number=42, author="octo-dev", checks=boxes),
                    encoding="utf-8")  # fmt: skip
    checks_file = out / "checks.json"
    checks_file.write_text(
        json.dumps(checks, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    files = (md, page, ledger, out / "results.sarif", checks_file)
    return DemoResult(tuple(f for f in files if f.exists()), final, log.getvalue())


def describe_result(result: DemoResult) -> str:
    """What the terminal shows after the demo."""
    lines = []
    if result.summary is not None:
        lines.append(terminal_summary(result.summary))
    lines += [f"wrote {p}" for p in result.files]
    return "\n".join(lines) + "\n"
