"""The fault matrix: one row per fault, at every step of a run, with the end state it must reach.

Steps of a run: read the PR (GitHub), the synchronous critical jobs (review, security on the
frontier tier, OpenAI as the fallback), batch submission, batch polling, batch items and
whole batches, publishing (review, summary comment), the scheduled collect, and the run as a
process (killed mid-batch, or racing a second run of the same PR).

``expect`` is read back from the PR after the run and the collect: ``complete`` (every job
published), ``degraded`` (the summary names each failed or unposted job and why),
``pending`` (batch results still recorded for the next collect), ``unpublished`` (GitHub
refused every write; the job summary and a warning say so; the ledger is written) and
``aborted`` (the run stopped before any job: one warning line). ``fails`` names the phase
that exits 1 with fail-on-error true; with false every phase exits 0. Provider rules hit
both providers unless they name an endpoint: ``/v1/messages*`` is Anthropic only.
"""

from __future__ import annotations

from pr_router.emulator import Rule

from .harness import Case, GitHubFault, policy_with

__all__ = ["CASES"]

REVIEW = "## Task: code review"
ANTHROPIC = "/v1/messages"
REPORT = policy_with(on_item_failure="report")
DAY = 25 * 3600.0  # past the providers' 24 h completion window
FINDINGS_JOBS = frozenset({"review", "security"})
ALL_BATCH_JOBS = frozenset({"describe", "changelog", "docs"})

CASES: tuple[Case, ...] = (
    Case("baseline", "-", "no fault", "complete"),
    # --- synchronous critical jobs -------------------------------------------------------
    Case("sync-429-retried", "review (sync)", "429 twice, retry-after-ms 1", "complete",
         rules=(Rule(prompt=REVIEW, fault="429", times=2),)),
    Case("sync-429-fallback", "review (sync)", "429 on Anthropic until the SDK gives up",
         "complete", rules=(Rule(prompt=REVIEW, endpoint=ANTHROPIC, fault="429"),)),
    Case("sync-529-both", "review (sync)", "529/503 overloaded on both providers", "degraded",
         rules=(Rule(prompt=REVIEW, fault="529"),), failed=frozenset({"review"}), fails="run"),
    Case("sync-500-both", "review (sync)", "500 on both providers", "degraded",
         rules=(Rule(prompt=REVIEW, fault="500"),), failed=frozenset({"review"}), fails="run"),
    Case("sync-500-no-retry", "review (sync)", "500 x-should-retry: false on Anthropic",
         "complete", rules=(Rule(prompt=REVIEW, endpoint=ANTHROPIC, fault="no-retry"),)),
    Case("sync-timeout-both", "review (sync)", "request timeout on both providers", "degraded",
         rules=(Rule(prompt=REVIEW, fault="timeout", hang_s=0.01),),
         failed=frozenset({"review"}), fails="run"),
    Case("sync-timeout-client", "review (sync)", "Anthropic hangs past the client timeout",
         "complete", rules=(Rule(prompt=REVIEW, endpoint=ANTHROPIC, fault="timeout",
                                 hang_s=0.5),), client_timeout_s=0.05),
    Case("sync-malformed-once", "review (sync)", "truncated JSON body once", "complete",
         rules=(Rule(prompt=REVIEW, fault="malformed", times=1),)),
    Case("sync-malformed-both", "review (sync)", "truncated JSON body on both providers",
         "degraded", rules=(Rule(prompt=REVIEW, fault="malformed"),),
         failed=frozenset({"review"}), fails="run"),
    # --- batch submission and polling ----------------------------------------------------
    Case("batch-submit-429", "batch submit", "429 on batch create", "complete",
         rules=(Rule(endpoint="/v1/messages/batches", fault="429", times=3),)),
    Case("batch-submit-500-all", "batch submit", "500 on batch create and every sync retry",
         "degraded", rules=(Rule(endpoint="/v1/messages/batches", fault="500", times=3),
                            Rule(job="DescribeOutput", fault="500"),
                            Rule(job="ChangelogOutput", fault="500"),
                            Rule(job="DocsOutput", fault="500")),
         failed=ALL_BATCH_JOBS, fails="run"),
    # The run polls once (it does not wait): a failed poll leaves the batch to the next run.
    Case("batch-poll-500", "batch poll", "500 on the run's poll", "complete",
         rules=(Rule(endpoint="/v1/messages/batches/*", fault="500", times=3),),
         collect_needed=True),
    Case("batch-slow", "batch wait", "batch ends after the wait budget", "complete",
         rules=(Rule(batch_duration_s=3600),), collect_needed=True),
    # --- batch items and whole batches ---------------------------------------------------
    *(
        Case(f"item-{outcome}-retry", "batch item", f"describe {outcome}, retried sync",
             "complete", rules=(Rule(custom_id="*describe*", item=outcome),))  # type: ignore[arg-type]
        for outcome in ("errored", "expired", "canceled")
    ),
    *(
        Case(f"item-{outcome}-report", "batch item", f"describe {outcome}, policy: report",
             "degraded", rules=(Rule(custom_id="*describe*", item=outcome),),  # type: ignore[arg-type]
             policy=REPORT, failed=frozenset({"describe"}), fails="run")
        for outcome in ("errored", "expired", "canceled")
    ),
    Case("batch-failed-retry", "whole batch", "batch failed, retried sync", "complete",
         rules=(Rule(batch="failed"),)),
    Case("batch-expired-retry", "whole batch", "batch expired (24 h), retried sync at collect",
         "complete", rules=(Rule(batch="expired"),), collect_needed=True,
         collect_after_s=DAY),
    Case("batch-expired-report", "whole batch", "batch expired (24 h), policy: report",
         "degraded", rules=(Rule(batch="expired"),), policy=REPORT, failed=ALL_BATCH_JOBS,
         collect_needed=True, collect_after_s=DAY, fails="collect"),
    Case("slow-batch-item-errored", "collect", "slow batch, describe errored at collect",
         "complete", rules=(Rule(batch_duration_s=3600),
                            Rule(custom_id="*describe*", item="errored")),
         collect_needed=True),
    # --- GitHub --------------------------------------------------------------------------
    Case("gh-review-422", "publish review", "422 on the review (line not in diff)", "complete",
         github=(GitHubFault("pulls/create-review", "unprocessable"),)),
    Case("gh-review-403", "publish review", "403: token lacks pull-requests: write",
         "unpublished", github=(GitHubFault("pulls/create-review", "forbidden", times=99),
                                GitHubFault("issues/create-comment", "forbidden", times=99)), fails="run"),
    Case("gh-review-404", "publish review", "404 on the review", "degraded",
         github=(GitHubFault("pulls/create-review", "not_found"),), unposted=FINDINGS_JOBS,
         fails="run"),
    Case("gh-review-secondary", "publish review", "secondary rate limit once, retry-after 0",
         "complete", github=(GitHubFault("pulls/create-review", "secondary_rate_limit"),)),
    Case("gh-review-secondary-long", "publish review",
         "secondary rate limit, retry-after 600 s", "degraded",
         github=(GitHubFault("pulls/create-review", "secondary_rate_limit", times=9,
                             retry_after=600),), unposted=FINDINGS_JOBS, fails="run"),
    Case("gh-summary-500", "publish summary", "500 on the summary comment until retries end",
         "unpublished", github=(GitHubFault("issues/create-comment", "server_error", times=9),), fails="run"),
    Case("gh-diff-404", "read PR", "404 on the diff", "aborted",
         github=(GitHubFault("pulls/get", "not_found"),), fails="run"),
    Case("gh-collect-403", "collect", "403 on the summary edit at collect", "pending",
         rules=(Rule(batch_duration_s=3600),), collect_needed=True,
         github=(GitHubFault("issues/update-comment", "forbidden", times=9, phase="collect"),), fails="collect"),
    # --- the run as a process ------------------------------------------------------------
    Case("killed-mid-batch", "run", "killed after batch submission, before publishing",
         "degraded", steps="killed+collect", collect_needed=True, failed=FINDINGS_JOBS,
         fails="collect"),
    Case("race-two-runs", "run", "two runs of the PR at once, both read before either posts",
         "complete", steps="race+collect"),
)  # fmt: skip
