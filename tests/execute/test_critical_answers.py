"""No critical job ends without an answer under a shipped policy, however large the PR.

Output caps count reasoning tokens: a review at high effort on a large PR can fill its cap
with reasoning and have its answer cut. The chain retries such a critical answer once on the
same tier with twice the room. Checked here over every ``policies/*.yml`` x the largest
diffs: the real router and packer, the executor against the emulator, answers of twice the
catalogue's expected review length, reasoning added by effort as the emulator bills it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from jobs.helpers import inputs
from pr_router.changes import analyze
from pr_router.emulator import Rule
from pr_router.jobs import build_calls
from pr_router.policy.loader import load_policy
from pr_router.router import route
from providers.factories import emulator

from .factories import call, executor

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "policies").glob("*.yml"))
SHARED = ROOT.parent / "shared" / "fixtures" / "diffs" / "real"
# The largest diffs of the shared corpus under a licence we may use (the git and PyGithub
# ones are GPL/LGPL: not used). Read from ../shared, never copied (each is about 800 KB).
LARGEST = ("urllib3__266b347d393a.diff", "webhooks__e3e60cb5336a.diff",
           "werkzeug__cfebee06d2e0.diff")  # fmt: skip
# Visible answer: twice the catalogue's expected review length (1,500 tokens), so a review
# at medium effort (+50% reasoning) needs 4,500 tokens of room, more than frugal's 4,000 cap.
ANSWER_TOKENS = 3_000
_PROSE = "The change keeps the old behaviour for callers that pass no timeout at all. "


def _long_answer(_: Any) -> dict[str, Any]:
    text = (_PROSE * (ANSWER_TOKENS * 4 // len(_PROSE) + 1))[: ANSWER_TOKENS * 4]
    return {"summary": text.strip(), "findings": []}


def _module(i: int) -> list[str]:
    """A new Python module of about 160 lines; every fifth handles credentials or a shell."""
    lines = [f'"""Helpers for part {i} of the service."""', "", "import json", "import os", ""]
    for f in range(12):
        lines += [f"def handle_{i}_{f}(payload, limit={f + 10}):",
                  f'    """Parse the payload of kind {f} and keep at most limit items."""',
                  "    items = json.loads(payload)",
                  "    kept = [item for item in items if item.get('kind') == " f"{f}]",
                  "    if len(kept) > limit:",
                  "        kept = kept[:limit]",
                  "    return {'count': len(kept), 'items': kept}", ""]  # fmt: skip
        if i % 5 == 0 and f == 0:
            lines += ["def check_password(user, password):",
                      "    token = os.environ.get('SERVICE_TOKEN', '')",
                      "    return user.password_hash == hash(password + token)", ""]  # fmt: skip
        if i % 5 == 1 and f == 0:
            lines += ["def run(cmd):",
                      "    import subprocess",
                      "    return subprocess.run(cmd, shell=True, check=False)", ""]  # fmt: skip
    return lines


def _added(path: str, lines: list[str]) -> str:
    body = "".join(f"+{line}\n" for line in lines)
    return (f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
            f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}")  # fmt: skip


def synthetic_large_diff() -> bytes:
    """About 18,000 added lines: code (some of it security-sensitive), tests, docs, CI, a
    migration and a dependency bump; larger than any shipped policy's context budget."""
    parts = [_added(f"src/service/part_{i}.py", _module(i)) for i in range(160)]
    parts += [_added(f"tests/test_part_{i}.py",
                     [f"from service.part_{i} import handle_{i}_0", "",
                      f"def test_handle_{i}():",
                      f"    assert handle_{i}_0('[]') == {{'count': 0, 'items': []}}"] * 20)
              for i in range(20)]  # fmt: skip
    parts.append(_added("docs/guide.md", [f"Step {n}: configure the part." for n in range(400)]))
    parts.append(_added(".github/workflows/deploy.yml",
                        ["on: [push]", "permissions: write-all", "jobs:", "  deploy:",
                         "    runs-on: ubuntu-latest", "    steps:",
                         "      - run: ./deploy.sh ${{ github.event.head_commit.message }}"]))  # fmt: skip
    parts.append(
        _added(
            "migrations/0042_sessions.sql",
            ["ALTER TABLE sessions ADD COLUMN token TEXT NOT NULL DEFAULT '';"],
        )
    )
    parts.append(_added("requirements.txt", ["requests==2.32.3", "pyyaml==6.0.2"]))
    return "".join(parts).encode()


def _diffs() -> list[tuple[str, bytes | None]]:
    shared = [(name, (SHARED / name).read_bytes() if (SHARED / name).is_file() else None)
              for name in LARGEST]  # fmt: skip
    return [("synthetic", synthetic_large_diff()), *shared]


def _critical_calls(policy_path: Path, diff: bytes) -> tuple[Any, list[Any]]:
    loaded = load_policy(policy_path)
    changes = analyze(diff, ignore=loaded.policy.ignore)
    job_inputs = inputs(changes, pol=loaded.policy)
    plan = route(loaded.policy, changes, job_inputs.context, prices=loaded.prices)
    critical = [j for j in plan.running if j.job_class == "critical"]
    return loaded.policy, build_calls(critical, job_inputs)


@pytest.mark.parametrize("policy_path", SHIPPED, ids=[p.stem for p in SHIPPED])
@pytest.mark.parametrize(("name", "diff"), _diffs(), ids=[n for n, _ in _diffs()])
def test_every_critical_job_answers_under_every_shipped_policy(
    stack: contextlib.ExitStack, policy_path: Path, name: str, diff: bytes | None
) -> None:
    if diff is None:
        pytest.skip(f"../shared/fixtures/diffs/real/{name} not present")
    policy, calls = _critical_calls(policy_path, diff)
    assert {"review", "security"} <= {c.job for c in calls}, name
    if name == "synthetic":  # larger than every shipped policy's context budget
        assert "left out to fit the context budget" in calls[0].request.shared_context
    emu = emulator(stack, Rule(output=_long_answer))

    outcome = executor(stack, emu, policy).run(calls)

    for job in outcome.jobs:
        assert job.status == "ok", (policy_path.name, name, job.job, job.error)
        assert job.value.section.render().strip(), job.job
        assert not job.records[-1].error


def test_synthetic_diff_is_large_and_flags_sensitive_code() -> None:
    changes = analyze(synthetic_large_diff())
    assert changes.signals.lines_added > 15_000
    assert changes.signals.security_sensitive
    assert {"code", "test", "docs", "ci"} <= set(changes.signals.file_kinds)


def _cut_once(stack: contextlib.ExitStack, job: str) -> Any:
    # effort high: reasoning as long as the answer. 1,500 + 1,500 > the cap of 2,000 < 4,000.
    answer = {"summary": "x" * 6_000, "findings": []}
    emu = emulator(stack, Rule(output=answer))
    return emu, executor(stack, emu).run([call(job, tier="frontier")])


def test_a_critical_answer_cut_at_its_cap_is_retried_once_with_twice_the_room(
    stack: contextlib.ExitStack,
) -> None:
    emu, outcome = _cut_once(stack, "review")
    review = outcome.job("review")
    assert review.status == "ok"
    first, second = review.records
    assert (first.status, second.status) == ("failed", "ok")
    assert first.error  # the cut JSON does not parse
    assert (second.tier, second.model, second.escalated_from) == (
        "frontier", "claude-opus-5-5", "frontier",
    )  # fmt: skip
    assert second.escalation_reason == (
        "answer cut at the output cap of 2000 tokens (reasoning included): retried with 4000"
    )
    sent = [c.json["max_tokens"] for c in emu.requests.where("POST", "/v1/messages")]
    assert sent == [2000, 4000]
    # Both attempts are billed: the cut one too.
    assert first.usage.output == 2000
    assert second.usage.output == 3016  # {"summary": "x" * 6000, ...}: 1,508 tokens, x2


def test_an_auxiliary_answer_cut_at_its_cap_cascades_as_before(
    stack: contextlib.ExitStack,
) -> None:
    _, outcome = _cut_once(stack, "describe")
    describe = outcome.job("describe")
    # No extra room for auxiliary jobs: the cascade has nothing above frontier, so it fails.
    assert describe.status == "failed"
    assert len(describe.records) == 1
