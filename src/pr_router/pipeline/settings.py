"""Settings of a run, read once from the environment the action (or the user) provides."""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pr_router.errors import UsageError

__all__ = ["Settings"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _flag(environ: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise UsageError(f"{name}={raw!r} is not a boolean", hint="use true or false")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a run reads from its environment (secrets are never stored here)."""

    policy_path: str = ".github/pr-router.yml"
    dry_run: bool = False
    fail_on_error: bool = False
    debug: bool = False
    publish_dir: Path | None = None
    ledger_path: Path = Path("pr-router-ledger.jsonl")
    run_id: str = ""
    github_api_url: str = "https://api.github.com"
    own_login: str | None = None
    output_path: Path | None = None  # GITHUB_OUTPUT
    step_summary_path: Path | None = None  # GITHUB_STEP_SUMMARY
    sarif_path: Path | None = None  # PR_ROUTER_SARIF: where `run` writes the findings as SARIF
    server_url: str = "https://github.com"  # GITHUB_SERVER_URL, for SARIF's repository URI
    runner_environment: str | None = None  # RUNNER_ENVIRONMENT: github-hosted or self-hosted

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``PR_ROUTER_*`` and the runner's ``GITHUB_*`` variables."""
        env = os.environ if environ is None else environ
        run = env.get("GITHUB_RUN_ID")
        run_id = f"{run}-{env.get('GITHUB_RUN_ATTEMPT', '1')}" if run else uuid.uuid4().hex[:12]
        publish_dir = env.get("PR_ROUTER_PUBLISH_DIR")
        return cls(
            policy_path=env.get("PR_ROUTER_POLICY") or ".github/pr-router.yml",
            dry_run=_flag(env, "PR_ROUTER_DRY_RUN"),
            fail_on_error=_flag(env, "PR_ROUTER_FAIL_ON_ERROR"),
            debug=_flag(env, "PR_ROUTER_DEBUG"),
            publish_dir=Path(publish_dir) if publish_dir else None,
            ledger_path=Path(env.get("PR_ROUTER_LEDGER") or "pr-router-ledger.jsonl"),
            run_id=run_id,
            github_api_url=env.get("GITHUB_API_URL") or "https://api.github.com",
            own_login=env.get("PR_ROUTER_BOT_LOGIN") or None,
            output_path=Path(env["GITHUB_OUTPUT"]) if env.get("GITHUB_OUTPUT") else None,
            step_summary_path=(
                Path(env["GITHUB_STEP_SUMMARY"]) if env.get("GITHUB_STEP_SUMMARY") else None
            ),
            sarif_path=Path(env["PR_ROUTER_SARIF"]) if env.get("PR_ROUTER_SARIF") else None,
            server_url=(env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/"),
            runner_environment=env.get("RUNNER_ENVIRONMENT") or None,
        )
