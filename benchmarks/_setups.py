"""The setups the cost benchmark compares, each one a policy file read by the real loader.

Two baselines stand for how the nearest existing tools run, written as pr-router policies so
that every setup goes through the same router, executor and ledger:

- ``single-frontier``: every job on the frontier model, synchronous, without prompt caching
  (how PR-Agent and claude-code-action run: one model for everything);
- ``light-heavy``: the PR description on the efficient model, everything else on the
  frontier model, all synchronous and uncached (CodeRabbit's original action: a light
  model for summaries, a heavy one for the review).

Both keep the reasoning-effort decisions of the built-in rules (restated below without
their tier change), so the comparison isolates what routing, batching and caching save;
effort is the same dial in every setup except where frugal and strict set their own.
``default``, ``frugal`` and ``strict`` are the shipped policies, read from ``policies/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY_PATH = ".github/pr-router.yml"  # where the benchmark puts the policy on the base branch

FRONTIER = "claude-opus-5-5"
EFFICIENT = "claude-haiku-5-5"

# The built-in rules' effort decisions, without the docs-only rule's move to the efficient
# tier (a single-model setup has no other tier).
_EFFORT_RULES = """\
builtin_rules: false
rules:
  - name: docs-only change, low effort
    jobs: [review]
    if: {docs_only: true}
    then: {effort: low}
  - name: security-sensitive change, high effort
    class: critical
    if: {security_sensitive: true}
    then: {effort: high}
  - name: small routine change, low effort
    class: critical
    if: {security_sensitive: false, max_changed_lines: 40, code_changed: true}
    then: {effort: low}
"""

SINGLE_FRONTIER = f"""\
# Every job on the frontier model, synchronous, no prompt caching.
version: 1
tiers:
  frontier: {{provider: anthropic, model: {FRONTIER}}}
  standard: {{provider: anthropic, model: {FRONTIER}}}
  efficient: {{provider: anthropic, model: {FRONTIER}}}
jobs:
  describe: {{tier: frontier, mode: sync}}
  changelog: {{tier: frontier, mode: sync}}
  docs: {{tier: frontier, mode: sync}}
  failure-summary: {{tier: frontier, mode: sync}}
{_EFFORT_RULES}batch: {{enabled: false}}
caching: {{enabled: false}}
"""

LIGHT_HEAVY = f"""\
# The PR description on the efficient model; everything else on the frontier model.
# All synchronous, no prompt caching.
version: 1
tiers:
  frontier: {{provider: anthropic, model: {FRONTIER}}}
  standard: {{provider: anthropic, model: {FRONTIER}}}
  efficient: {{provider: anthropic, model: {EFFICIENT}}}
jobs:
  describe: {{tier: efficient, mode: sync}}
  changelog: {{tier: frontier, mode: sync}}
  docs: {{tier: frontier, mode: sync}}
  failure-summary: {{tier: frontier, mode: sync}}
{_EFFORT_RULES}batch: {{enabled: false}}
caching: {{enabled: false}}
"""


# What claude-code-action (``pull_request`` trigger) and PR-Agent (push triggers) do on a
# push: every job again, on the whole PR diff, frontier model, synchronous, uncached. The
# description is rewritten on every push (its ``when`` keeps only the event).
_WHOLE = "on_push: whole, tier: frontier, mode: sync"
PEER_RERUN = SINGLE_FRONTIER.replace(
    """jobs:
  describe: {tier: frontier, mode: sync}
  changelog: {tier: frontier, mode: sync}
  docs: {tier: frontier, mode: sync}
""",
    f"""jobs:
  review: {{on_push: whole}}
  security: {{on_push: whole}}
  describe: {{{_WHOLE}, when: {{events: [pull_request, pull_request_target]}}}}
  changelog: {{{_WHOLE}}}
  docs: {{{_WHOLE}}}
""",
).replace("# Every job on the frontier model", "# Every job, every push, whole PR, frontier model")


@dataclass(frozen=True, slots=True)
class Setup:
    """A named policy; ``policy_text`` None means the bundled default (no file in the repo)."""

    name: str
    policy_text: str | None
    about: str
    # False for a setup that stands for tools posting every finding again on each push
    # (no record of what they posted): the lifetime benchmark counts its repeats as reposts.
    dedup: bool = True


def _shipped(name: str) -> str:
    return (ROOT / "policies" / f"{name}.yml").read_text(encoding="utf-8")


def setups() -> tuple[Setup, ...]:
    """The measured setups, baselines first (``floor`` is derived from ``default``)."""
    return (
        Setup("single-frontier", SINGLE_FRONTIER,
              "every job on the frontier model, sync, no caching (PR-Agent, claude-code-action)"),
        Setup("light-heavy", LIGHT_HEAVY,
              "describe on the efficient model; the rest frontier, sync, no caching "
              "(CodeRabbit's original action)"),
        Setup("default", None, "policies/default.yml (the bundled default: no policy file)"),
        Setup("frugal", _shipped("frugal"), "policies/frugal.yml"),
        Setup("strict", _shipped("strict"), "policies/strict.yml"),
    )  # fmt: skip


SETUP_NAMES = ("single-frontier", "light-heavy", "default", "frugal", "strict", "floor")
LIFETIME_NAMES = ("peer-rerun", "single-frontier", "default", "frugal", "strict", "floor")


def lifetime_setups() -> tuple[Setup, ...]:
    """The setups of the lifetime benchmark (``floor`` is derived from ``default``)."""
    peer = Setup("peer-rerun", PEER_RERUN,
                 "every job on every push, whole PR diff, frontier, sync, no caching "
                 "(claude-code-action on pull_request, PR-Agent with push triggers)",
                 dedup=False)  # fmt: skip
    return (peer, *(s for s in setups() if s.name in LIFETIME_NAMES))
