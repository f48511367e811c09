"""``pr-router doctor``: check a setup once, before the first PR, in one run.

With the keys and token a workflow (or a shell) has, it checks that the policy is valid,
that each tier's model is priced and served, whether a typical PR's shared prefix reaches
each model's minimum cacheable length, that the Batch API answers for each provider with
a key (listing batches: no spend), and that the token can read the PR and write comments
(and check runs, when the merge gate is on). Nothing is generated, so nothing is spent.
Each check is one line; a blocker makes the command exit 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pr_router.errors import GitHubError, PrRouterError

__all__ = ["Check", "Probes", "doctor", "exit_code", "render"]

Status = Literal["ok", "warn", "fail", "skip"]
_MARK = {"ok": "ok  ", "warn": "warn", "fail": "FAIL", "skip": "skip"}
_KEYS = {"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY"}
_URLS = {"anthropic": "ANTHROPIC_BASE_URL", "openai": "OPENAI_BASE_URL"}


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the report: what was checked, how it went, and what to do."""

    name: str
    status: Status
    detail: str


@dataclass(frozen=True, slots=True)
class Probes:
    """The calls that reach the providers (injectable for tests: the SDKs by default)."""

    model_served: Callable[[str, str, str | None, str], None]  # provider, key, url, model
    batches_answer: Callable[[str, str, str | None], None]  # provider, key, url


def _sdk(provider: str, key: str, url: str | None) -> Any:
    if provider == "anthropic":
        import anthropic

        return anthropic.Anthropic(api_key=key, base_url=url, max_retries=0, timeout=10)
    import openai

    return openai.OpenAI(api_key=key, base_url=url, max_retries=0, timeout=10)


def _model_served(provider: str, key: str, url: str | None, model: str) -> None:
    with _sdk(provider, key, url) as client:
        client.models.retrieve(model)


def _batches_answer(provider: str, key: str, url: str | None) -> None:
    with _sdk(provider, key, url) as client:
        if provider == "anthropic":
            client.messages.batches.list(limit=1)
        else:
            client.batches.list(limit=1)


SDK_PROBES = Probes(model_served=_model_served, batches_answer=_batches_answer)


def _why(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    text = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    return f"{status}: {text}" if status else f"{type(exc).__name__}: {text}"


def _typical_prefix(policy: Any) -> dict[str, int]:
    """Tokens of the shared prefix of the bundled example PR, by context kind."""
    from pr_router.changes import analyze
    from pr_router.estimate import context_tokens
    from pr_router.github.event import pr_context_from_pull

    demo = resources.files("pr_router.data.demo")
    changes = analyze(demo.joinpath("example.diff").read_bytes())
    event = json.loads(demo.joinpath("event.json").read_text(encoding="utf-8"))
    context = pr_context_from_pull(event["pull_request"])
    cap = policy.max_context_tokens
    return {kind: context_tokens(kind, changes, context, cap) for kind in ("diff", "compact")}


def _model_checks(loaded: Any, env: Mapping[str, str], probes: Probes) -> Iterator[Check]:
    from pr_router.estimate import context_kind
    from pr_router.model_settings import settings_for
    from pr_router.policy.catalog import resolve_jobs

    policy = loaded.policy
    jobs = [j for j in resolve_jobs(policy) if j.enabled]
    prefix = _typical_prefix(policy)
    for tier in policy.tiers:  # every tier: routing rules can move any job to any tier
        spec = policy.tiers[tier]
        where = f"tier {tier}: {spec.provider} {spec.model}"
        key = (env.get(_KEYS[spec.provider]) or "").strip()
        if not loaded.prices.known(spec.provider, spec.model):
            yield Check(f"{tier} price", "fail", f"{where}: no price known; add it under `prices:`")
        else:
            yield Check(f"{tier} price", "ok", f"{where}: priced")
        if not key:
            yield Check(f"{tier} model", "fail",
                        f"{where}: {_KEYS[spec.provider]} is not set")  # fmt: skip
        else:
            try:
                probes.model_served(spec.provider, key, env.get(_URLS[spec.provider]), spec.model)
                yield Check(f"{tier} model", "ok", f"{where}: served")
            except Exception as exc:  # any refusal is the line's answer
                yield Check(f"{tier} model", "fail", f"{where}: not served ({_why(exc)})")
        # the prefix of the jobs this tier serves by default; the review's when it serves none
        kinds = {context_kind(j.output) for j in jobs if j.tier == tier} - {"log"} or {"diff"}
        tokens = max(prefix[k] for k in kinds)
        minimum = settings_for(spec.model).min_cache_tokens
        if tokens >= minimum:
            yield Check(f"{tier} cache", "ok",
                        f"{where}: a typical PR's shared prefix is ~{tokens:,} tokens, "
                        f"at least the {minimum:,} it caches")  # fmt: skip
        else:
            yield Check(f"{tier} cache", "warn",
                        f"{where}: a typical PR's shared prefix is ~{tokens:,} tokens, under the "
                        f"{minimum:,} this model caches: small PRs are billed without caching")  # fmt: skip


def _batch_checks(loaded: Any, env: Mapping[str, str], probes: Probes) -> Iterator[Check]:
    from pr_router.policy.catalog import resolve_jobs

    policy = loaded.policy
    batched = {policy.tiers[j.tier].provider for j in resolve_jobs(policy)
               if j.enabled and j.mode == "batch"}  # fmt: skip
    for provider in sorted(_KEYS):
        key = (env.get(_KEYS[provider]) or "").strip()
        if not key:
            status: Status = "fail" if provider in batched else "skip"
            yield Check(f"{provider} batch", status, f"{_KEYS[provider]} is not set")
            continue
        try:
            probes.batches_answer(provider, key, env.get(_URLS[provider]))
            yield Check(f"{provider} batch", "ok", "the Batch API answers (batches listed)")
        except Exception as exc:  # any refusal is the line's answer
            status = "fail" if provider in batched else "warn"
            yield Check(f"{provider} batch", status, f"the Batch API refused: {_why(exc)}")


def _pr_number(env: Mapping[str, str], given: int | None) -> int | None:
    if given is not None:
        return given
    if (env.get("PR_ROUTER_PR_NUMBER") or "").strip().isdigit():
        return int(env["PR_ROUTER_PR_NUMBER"])
    path = env.get("GITHUB_EVENT_PATH")
    if not path or not Path(path).is_file():
        return None
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    number = (payload.get("pull_request") or {}).get("number") or payload.get("number")
    return int(number) if isinstance(number, int) else None


def _github_checks(loaded: Any, env: Mapping[str, str], number: int | None,
                   retry: Any) -> Iterator[Check]:  # fmt: skip
    from pr_router.github.client import GitHubClient

    try:
        client = GitHubClient.from_env(env, retry=retry)
    except PrRouterError as exc:
        yield Check("github token", "fail", str(exc))
        return
    try:
        if number is None:
            yield Check("github read", "skip", "no PR to read: pass --pr N (or run on a PR event)")
            return
        try:
            client.pull(number)
            yield Check("github read", "ok", f"PR #{number} of {client.repo_name} read")
        except GitHubError as exc:
            yield Check("github read", "fail", str(exc))
            return
        yield _write_check(client, "github comments", f"comment on PR #{number}",
                           f"/issues/{number}/comments", "pull-requests: write")  # fmt: skip
        if loaded.policy.gate.enabled:
            yield _write_check(client, "github checks", "create check runs", "/check-runs",
                               "checks: write")  # fmt: skip
    finally:
        client.close()


def _write_check(client: Any, name: str, what: str, url: str, permission: str) -> Check:
    try:
        allowed = client.may_write(what, url, permission)
    except GitHubError as exc:
        return Check(name, "fail", str(exc))
    if allowed:
        return Check(name, "ok", f"the token may {what}")
    return Check(name, "fail", f"the token may not {what}: add `{permission}` to the "
                 "workflow's permissions")  # fmt: skip


def doctor(env: Mapping[str, str], *, policy_path: Path | None, pr: int | None = None,
           probes: Probes = SDK_PROBES, retry: Any = None) -> list[Check]:  # fmt: skip
    """Every check, in report order."""
    from pr_router.policy.loader import check_policy

    checked = check_policy(policy_path)
    if checked.loaded is None:
        first = checked.summary or checked.errors[0]
        return [Check("policy", "fail", str(first))]
    loaded = checked.loaded
    out = [Check("policy", "ok", f"{loaded.source} is valid")]
    out += _model_checks(loaded, env, probes)
    out += _batch_checks(loaded, env, probes)
    out += _github_checks(loaded, env, _pr_number(env, pr), retry)
    return out


def render(checks: list[Check]) -> str:
    """One line per check: status, name, detail."""
    width = max(len(c.name) for c in checks)
    lines = [f"{_MARK[c.status]}  {c.name:<{width}}  {c.detail}" for c in checks]
    failed = sum(1 for c in checks if c.status == "fail")
    lines.append(f"{failed} blocker(s)" if failed else "no blockers")
    return "\n".join(lines)


def exit_code(checks: list[Check]) -> int:
    """2 when any check is a blocker, else 0."""
    return 2 if any(c.status == "fail" for c in checks) else 0
