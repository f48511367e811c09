"""``pr-router report``: spend, savings, acceptance and promotion advice from ledgers.

Reading (files, directories; workflow artifacts live in ``pr_router.report.artifacts``,
imported only when used because it needs PyGithub), pure aggregation into a ``Summary``,
advice from acceptance, and rendering as text, Markdown, JSON or PNG charts.
"""

from __future__ import annotations

from pr_router.report._advice import Advice, AdviceSettings, advise
from pr_router.report._aggregate import (
    Acceptance,
    Efficiency,
    PRCosts,
    Savings,
    Spend,
    Summary,
    Timeline,
    median,
    nearest_rank,
    summarize,
)
from pr_router.report._charts import (
    CHART_FILES,
    charts_available,
    skipped_charts,
    usd_tick_labels,
    write_charts,
)
from pr_router.report._period import Period, parse_period
from pr_router.report._render import report_json, report_markdown, report_text
from pr_router.report._sources import (
    dedupe,
    in_period,
    ledger_files,
    parse_ledger_text,
    read_ledgers,
)

__all__ = [
    "CHART_FILES",
    "Acceptance",
    "Advice",
    "AdviceSettings",
    "Efficiency",
    "PRCosts",
    "Period",
    "Savings",
    "Spend",
    "Summary",
    "Timeline",
    "advise",
    "charts_available",
    "dedupe",
    "in_period",
    "ledger_files",
    "median",
    "nearest_rank",
    "parse_ledger_text",
    "parse_period",
    "read_ledgers",
    "report_json",
    "report_markdown",
    "report_text",
    "skipped_charts",
    "summarize",
    "usd_tick_labels",
    "write_charts",
]
