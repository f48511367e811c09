"""benchmarks/overhead.py on two small sizes: every figure is there and plausible."""

from __future__ import annotations

import pytest

from .conftest import run_json


@pytest.mark.slow
def test_overhead_benchmark_on_two_small_diffs() -> None:
    doc = run_json("overhead.py", "--sizes", "10,60", "--repeat", "1", "--largest", "1",
                   "--latency", "0.2", "--ttft", "0.05")  # fmt: skip
    startup = doc["startup"]
    assert set(startup) == {"python_s", "price_data_s", "help_s", "plan_demo_s"}
    # Figures only: which start-up is faster is a benchmark's question, not a test's (one
    # timing each, on a shared machine, can come out either way).
    assert all(seconds > 0 for seconds in startup.values())
    [largest] = doc["plan_largest"]
    assert largest["lines"] > 0
    assert largest["plan_s"] > 0
    assert largest["plan_cli_s"] > 0
    assert list(doc["sizes"]) == ["10", "60"]
    for row in doc["sizes"].values():
        # the model answers take 0.05 s + 0.2 s on the critical path; the run takes longer
        assert row["model_critical_path_s"] == pytest.approx(0.25)
        assert row["run_wall_s"] > row["model_critical_path_s"]
        assert row["overhead_s"] == pytest.approx(row["run_wall_s"] - 0.25, abs=1e-3)
        assert row["peak_rss_mb"] >= row["rss_after_imports_mb"] > 0
        assert row["tracemalloc_peak_mb"] > 0
        assert row["run_cpu_s"] > 0
        assert 0 < row["providers_build_s"] < row["run_wall_s"]
        assert row["measured_usd"] < row["single_frontier_usd"]
        assert row["estimate_usd"] > 0
