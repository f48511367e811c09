"""``pr-router report`` through ``pr_router.cli.main``: formats, periods, charts, errors."""

from __future__ import annotations

import json
import struct
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from pr_router.cli import main
from pr_router.ledger import write_ledger
from pr_router.report import CHART_FILES, Period, summarize, usd_tick_labels, write_charts

from .ledgers import month
from .small import OCTOBER, SMALL

NOVEMBER = ["--since", "2026-11-01", "--until", "2026-11-30"]


@pytest.fixture
def ledgers(tmp_path: Path) -> Path:
    """A directory with the small ledger split over two runs' files, plus October."""
    write_ledger(tmp_path / "run-1" / "ledger.jsonl", [OCTOBER, *SMALL[:3]])
    write_ledger(tmp_path / "run-2" / "ledger.jsonl", SMALL[3:])
    write_ledger(tmp_path / "run-2" / "copy.jsonl", SMALL[3:5])  # duplicates are dropped
    return tmp_path


def test_json(ledgers: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(ledgers), *NOVEMBER, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == 1
    assert (doc["records"], doc["runs"], doc["total_usd"]) == (8, 7, "0.13525")
    assert doc["period"] == {"start": "2026-11-01T00:00:00+00:00",
                             "end": "2026-12-01T00:00:00+00:00"}  # fmt: skip
    assert doc["spend"]["by_tier"][0] == {"key": "frontier", "runs": 2, "usd": "0.109"}
    assert doc["efficiency"]["all_frontier_usd"] == "0.305"
    assert doc["advice"][0]["text"] == "changelog on efficient: not enough data (n=1)"


def test_text(ledgers: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(ledgers), *NOVEMBER]) == 0
    out = capsys.readouterr().out
    assert out.startswith("pr-router report: 2026-11-01 – 2026-11-30 (8 records)\n")
    assert "Spend $0.135 over 7 job runs on 3 PRs (1 failed, 1 escalated)." in out
    assert "routing saved $0.170 (55.7%); 71.4% of runs on the efficient or standard tier" in out
    assert "Cost per PR: median $0.014, p90 $0.112, max $0.112 (acme/widgets#1)." in out


MARKDOWN = """\
## pr-router report: 2026-11-01 – 2026-11-30

- Spend $0.135 over 7 job runs on 3 PRs (1 failed, 1 escalated).
- All-frontier would have cost $0.305: routing saved $0.170 (55.7%); 71.4% of runs on the \
efficient or standard tier.
- Batch: 57.1% of runs (4), cost $0.018, saved $0.018. Cache: 17.4% of prompt tokens read \
from cache, saved $0.036 on reads, write premium $0.010, net $0.026.
- Cost per PR: median $0.014, p90 $0.112, max $0.112 (acme/widgets#1).

### Spend by tier

| tier | runs | spend | share |
|---|---:|---:|---:|
| frontier | 2 | $0.109 | 80.6% |
| efficient | 4 | $0.019 | 13.9% |
| standard | 1 | $0.0075 | 5.5% |
"""


def test_markdown_snapshot(ledgers: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(ledgers), *NOVEMBER, "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(MARKDOWN)
    assert "| changelog | efficient | 0 | 1 | 0 | 1 | 100.0% |" in out
    assert "- describe on efficient: not enough data (n=0)" in out


def test_min_results_changes_the_advice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_ledger(tmp_path / "l.jsonl", month())
    main(["report", str(tmp_path), *NOVEMBER, "--format", "json", "--min-results", "5"])
    advice = {(a["job"], a["tier"]): a for a in json.loads(capsys.readouterr().out)["advice"]}
    # seeded month: changelog on efficient, 5 of 13 decided results rejected (38%)
    assert advice[("changelog", "efficient")]["action"] == "promote"
    assert advice[("changelog", "efficient")]["edit"] == "jobs.changelog.tier: standard"


def test_empty_period(ledgers: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(ledgers), "--since", "2025-01-01", "--until", "2025-01-31"]) == 0
    assert "No ledger records in this period." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report"], "no ledgers to read"),
        (["report", "missing.jsonl"], "missing.jsonl: no such ledger file or directory"),
        (["report", ".", "--since", "soon"], "--since 'soon' is neither a duration nor a date"),
        (["report", ".", "--outcomes"], "--outcomes needs --repo"),
        (["report", ".", "--min-results", "0"], "--min-results must be at least 1"),
    ],
)
def test_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str],
                      monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pr-router: error: {message}")
    assert "Traceback" not in err


def test_repo_without_token(monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert main(["report", "--repo", "acme/widgets"]) == 1
    err = capsys.readouterr().err
    assert "no GitHub token" in err
    assert "actions: read" in err


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.slow
def test_charts_are_valid_pngs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("matplotlib")
    write_ledger(tmp_path / "l.jsonl", month())
    out = tmp_path / "charts"
    assert main(["report", str(tmp_path / "l.jsonl"), *NOVEMBER, "--charts", str(out)]) == 0
    assert "charts written" in capsys.readouterr().err
    for name in CHART_FILES:
        path = out / name
        assert 10_000 < path.stat().st_size < 1_000_000
        width, height = _png_size(path)
        assert width == 1000
        assert 400 <= height <= 1200


def test_charts_of_an_empty_period(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    s = summarize([], Period(None, SMALL[0].timestamp))
    paths = write_charts(s, tmp_path)
    assert [p.name for p in paths] == ["spend-by-tier.png"]  # no outcome: no acceptance chart
    assert _png_size(paths[0])[0] == 1000


def test_acceptance_chart_skipped_without_outcomes(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    pytest.importorskip("matplotlib")
    write_ledger(tmp_path / "l.jsonl", [r.model_copy(update={"outcome": None}) for r in SMALL])
    out = tmp_path / "charts"
    assert main(["report", str(tmp_path / "l.jsonl"), *NOVEMBER, "--charts", str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"pr-router: charts written: {out / 'spend-by-tier.png'}",
        "pr-router: acceptance-by-job.png skipped: no result has a known outcome yet "
        "(--outcomes looks them up)",
    ]
    assert sorted(p.name for p in out.iterdir()) == ["spend-by-tier.png"]


@pytest.mark.parametrize(
    ("ticks", "labels"),
    [
        # The demo's axis: two decimals wrote $0.00, $0.01, $0.01, $0.01, $0.02, ...
        ([0, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035],
         ["$0.000", "$0.005", "$0.010", "$0.015", "$0.020", "$0.025", "$0.030", "$0.035"]),
        ([0, 0.0002, 0.0004, 0.0006], ["$0.0000", "$0.0002", "$0.0004", "$0.0006"]),
        ([0, 0.0025, 0.005], ["$0.0000", "$0.0025", "$0.0050"]),
        ([0, 0.1 + 0.2, 0.6000000000000001], ["$0.00", "$0.30", "$0.60"]),  # float noise
        ([0, 0.5, 1, 1.5], ["$0.00", "$0.50", "$1.00", "$1.50"]),
        ([0, 2000, 4000], ["$0.00", "$2,000.00", "$4,000.00"]),
        ([], []),
    ],
)  # fmt: skip
def test_usd_tick_labels_tell_adjacent_ticks_apart(ticks: list[float], labels: list[str]) -> None:
    assert usd_tick_labels(ticks) == labels


def test_spend_axis_uses_the_tick_labels() -> None:
    pytest.importorskip("matplotlib")
    from pr_router.report._charts import _usd_formatter

    ticks = [0, 0.01, 0.015, 0.02]
    assert _usd_formatter().format_ticks(ticks) == usd_tick_labels(ticks)


def test_charts_skipped_without_matplotlib(ledgers: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails as if not installed
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None)
    assert main(["report", str(ledgers), *NOVEMBER, "--charts", str(tmp_path / "c")]) == 0
    captured = capsys.readouterr()
    assert "charts skipped: matplotlib is not installed" in captured.err
    assert "Spend $0.135" in captured.out
    assert not (tmp_path / "c").exists()


def test_generated_month_adds_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = month()
    write_ledger(tmp_path / "l.jsonl", records)
    main(["report", str(tmp_path), *NOVEMBER, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    total = sum((r.cost_usd for r in records), Decimal(0))
    assert Decimal(doc["total_usd"]) == total
    for key in ("by_job", "by_tier", "by_model", "by_mode"):
        assert sum(Decimal(g["usd"]) for g in doc["spend"][key]) == total
        assert sum(g["runs"] for g in doc["spend"][key]) == doc["runs"] == len(records)
    assert Decimal(doc["per_pr"]["total_usd"]) == total
    assert doc["per_pr"]["prs"] == 30
    batch = [r for r in records if r.mode == "batch"]
    assert Decimal(doc["batch"]["usd"]) == sum((r.cost_usd for r in batch), Decimal(0))
    af = sum((r.all_frontier_usd for r in records), Decimal(0))
    assert Decimal(doc["efficiency"]["saved_usd"]) == af - total
    # pinned: the seeded month is reproducible to the micro-dollar
    assert (len(records), doc["total_usd"]) == (217, str(total))
    assert total == Decimal("14.2948525")
