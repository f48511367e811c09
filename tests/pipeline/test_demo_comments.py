"""``pr-router demo --comment TEXT [--as LOGIN]``: commands replayed offline on the demo PR.

A maintainer's command runs and is answered on the page, in the summary and in the ledger;
a login without write permission is refused and nothing is spent; a command's run that does
not re-run a gating job leaves that job's check as the last full run decided it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from pr_router.cli import main
from pr_router.pipeline.demo import MAINTAINER, DemoComment, run_demo


def _ledger(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "ledger.jsonl").read_text("utf-8").splitlines()]


def _checks(out: Path) -> list[tuple[str, str]]:
    checks = json.loads((out / "checks.json").read_text("utf-8"))
    return [(c["name"], c["conclusion"]) for c in checks]


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plain")
    run_demo(out)
    return out


@pytest.fixture(scope="module")
def escalated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("escalated")
    result = run_demo(out, comments=(DemoComment("/pr-router escalate describe"),))
    assert result.summary is not None
    # the re-run describe is shown once, with its new result (not also the last run's)
    assert [j.plan.job for j in result.summary.jobs].count("describe") == 1
    return out


def test_a_maintainers_escalate_runs_describe_on_standard(plain: Path, escalated: Path) -> None:
    before, after = _ledger(plain), _ledger(escalated)
    assert len(after) == len(before) + 1
    new = after[-1]
    assert (new["job"], new["tier"], new["model"], new["status"]) == (
        "describe", "standard", "claude-sonnet-5-5", "ok",
    )  # fmt: skip
    assert new["command"] == "/pr-router escalate describe"
    assert new["commanded_by"] == MAINTAINER
    assert new["rejected_tier"] == "efficient"  # the efficient answer counts as rejected
    page = (escalated / "conversation.md").read_text("utf-8")
    assert f"## Comment by {MAINTAINER}\n\n/pr-router escalate describe" in page
    # on the demo's simulated clock the command comes 31 minutes after the first run, so the
    # stable prefix is written to the 1-hour cache: (103x2 + 385x2.5 + 539x4 + 243x10) / 1e6
    assert new["usage"]["cache_write_1h"] == 539
    assert Decimal(new["cost_usd"]) == Decimal("0.0057545")
    assert "`describe` ran on standard (`claude-sonnet-5-5`): $0.0058" in page
    assert "Commands on this PR (1)" in page
    html = (escalated / "conversation.html").read_text("utf-8")
    assert "/pr-router escalate describe" in html


def test_a_command_run_leaves_the_gate_as_the_last_full_run_decided(
    plain: Path, escalated: Path
) -> None:
    assert _checks(plain) == [
        ("pr-router / security", "failure"),
        ("pr-router / review", "success"),
    ]
    assert _checks(escalated) == _checks(plain)


def test_a_login_without_write_is_refused_and_spends_nothing(plain: Path, tmp_path: Path) -> None:
    run_demo(tmp_path, comments=(DemoComment("/pr-router escalate describe", "drive-by"),))

    def spend(out: Path) -> list[tuple[object, ...]]:
        jobs = [r for r in _ledger(out) if r.get("kind") != "run"]
        return [(r["job"], r["model"], r["cost_usd"], r["command"]) for r in jobs]

    assert spend(tmp_path) == spend(plain)
    # The refused command's run spent no tokens but took its runner time: one run record.
    (run,) = [r for r in _ledger(tmp_path) if r.get("kind") == "run"]
    assert run["ended"] == "refused drive-by (read)"
    assert set(run) >= {"schema_version", "run_id", "pr", "head_sha", "runner"}
    page = (tmp_path / "conversation.md").read_text("utf-8")
    assert "Sorry @drive-by, only people with write access" in page
    assert "nothing was run" in page
    assert _checks(tmp_path) == _checks(plain)


def test_the_cli_takes_repeated_comments_and_as(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["demo", "--out", str(tmp_path), "--comment", "/pr-router help",
                 "--comment", "> /pr-router escalate describe", "--as", "drive-by"])  # fmt: skip
    assert code == 0
    assert f"wrote {tmp_path / 'conversation.md'}" in capsys.readouterr().out
    page = (tmp_path / "conversation.md").read_text("utf-8")
    assert page.count("## Comment by drive-by") == 2
    assert (tmp_path / "comment-1.json").exists()
    assert (tmp_path / "comment-2.json").exists()
