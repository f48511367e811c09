"""Checks that need the whole policy: prices, job references, frontier and batch constraints.

They run after the models validated, on the merged view of the catalogue and the policy, and
point each problem at the key or value in the file that has to change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pathspec

from pr_router.errors import UnknownModelError
from pr_router.policy._messages import close_match
from pr_router.policy._yaml import Document, FieldPath, Problem
from pr_router.policy.catalog import BUILTIN_JOBS, ResolvedJob, resolve_jobs
from pr_router.policy.models import Condition, Policy
from pr_router.pricing import PriceTable

__all__ = ["semantic_problems", "written_batch_problems"]


def _at(doc: Document, path: FieldPath, message: str, hint: str | None = None) -> Problem:
    line, column = doc.value_at(path)
    return Problem(message, line, column, path, hint)


def _prices(policy: Policy, doc: Document, table: PriceTable) -> Iterator[Problem]:
    for section, tiers in (("tiers", policy.tiers), ("fallback", policy.fallback)):
        for tier, target in tiers.items():
            try:
                table.rates(target.provider, target.model)
            except UnknownModelError as exc:
                yield _at(doc, (section, tier, "model"), str(exc), exc.hint)


def _job_refs(policy: Policy, doc: Document, names: list[str]) -> Iterator[Problem]:
    refs: list[tuple[FieldPath, str]] = [
        (("must_stay_frontier", i), n) for i, n in enumerate(policy.must_stay_frontier)
    ]
    for r, rule in enumerate(policy.rules):
        refs += [(("rules", r, "jobs", j), n) for j, n in enumerate(rule.jobs or [])]
    for path, name in refs:
        if name not in names:
            hint = f"jobs are: {', '.join(names)}"
            yield _at(doc, path, f"unknown job {name!r}{close_match(name, names)}", hint)


def _frontier(policy: Policy, doc: Document, jobs: dict[str, ResolvedJob]) -> Iterator[Problem]:
    for i, name in enumerate(policy.must_stay_frontier):
        job = jobs.get(name)
        if job is None or job.tier == "frontier":
            continue
        spec = policy.jobs.get(name)
        path: FieldPath = ("must_stay_frontier", i)
        if spec is not None and "tier" in spec.model_fields_set:
            path = ("jobs", name, "tier")
        message = f"job {name!r} is in must_stay_frontier but its tier is {job.tier!r}"
        hint = f"set jobs.{name}.tier: frontier, or remove {name!r} from must_stay_frontier"
        yield _at(doc, path, message, hint)


def _classes(policy: Policy, doc: Document) -> Iterator[Problem]:
    for name, spec in policy.jobs.items():
        builtin = BUILTIN_JOBS.get(name)
        if builtin is None or spec.job_class in (None, builtin.job_class):
            continue
        message = (
            f"built-in job {name!r} is {builtin.job_class}; a policy cannot make it "
            f"{spec.job_class}"
        )
        hint = "give a custom job its own name instead of reusing a built-in one"
        yield _at(doc, ("jobs", name, "class"), message, hint)


_SYNC_HINT = (
    "critical jobs gate the merge, so they run synchronously; batch mode is for auxiliary jobs"
)


def _batch(policy: Policy, doc: Document, jobs: dict[str, ResolvedJob]) -> Iterator[Problem]:
    for name, job in jobs.items():
        builtin = BUILTIN_JOBS.get(name)
        if builtin is not None and builtin.job_class != job.job_class:
            continue  # reported by _classes
        if job.job_class == "critical" and job.mode == "batch":
            path: FieldPath = ("jobs", name, "mode")
            yield _at(doc, path, f"critical job {name!r} cannot run in batch mode", _SYNC_HINT)
    for r, rule in enumerate(policy.rules):
        if rule.then.mode != "batch":
            continue
        selected = [jobs[n] for n in (rule.jobs or list(jobs)) if n in jobs]
        critical = [
            j.name
            for j in selected
            if j.job_class == "critical" and rule.job_class in (None, "critical")
        ]
        if critical:
            message = f"rule {rule.name!r} would batch critical job(s): {', '.join(critical)}"
            hint = _SYNC_HINT + " (add `class: auxiliary` to the rule)"
            yield _at(doc, ("rules", r, "then", "mode"), message, hint)


def written_batch_problems(doc: Document) -> list[Problem]:
    """Critical jobs set to ``mode: batch`` as written, for a policy the models rejected.

    The cross-field checks need a valid policy; this one only needs the raw mapping, so
    ``policy check`` reports it together with the other errors instead of after they are fixed.
    """
    jobs = doc.data.get("jobs")
    if not isinstance(jobs, dict):
        return []
    problems = []
    for name, spec in jobs.items():
        if not isinstance(spec, dict) or spec.get("mode") != "batch":
            continue
        builtin = BUILTIN_JOBS.get(str(name))
        written = spec.get("class")
        job_class = builtin.job_class if builtin is not None else written
        if job_class == "critical" and written in (None, "critical"):
            message = f"critical job {name!r} cannot run in batch mode"
            problems.append(_at(doc, ("jobs", str(name), "mode"), message, _SYNC_HINT))
    return problems


def _conditions(path: FieldPath, cond: Condition | None) -> Iterator[tuple[FieldPath, Condition]]:
    if cond is None:
        return
    yield path, cond
    for i, inner in enumerate(cond.any or []):
        yield from _conditions((*path, "any", i), inner)


def _globs(policy: Policy, doc: Document) -> Iterator[Problem]:
    globs: list[tuple[FieldPath, str]] = [(("ignore", i), g) for i, g in enumerate(policy.ignore)]
    conditions = [
        found
        for r, rule in enumerate(policy.rules)
        for found in _conditions(("rules", r, "if"), rule.if_)
    ]
    for name, spec in policy.jobs.items():
        conditions += list(_conditions(("jobs", name, "when"), spec.when))
    for path, cond in conditions:
        globs += [((*path, "paths_any", i), g) for i, g in enumerate(cond.paths_any or [])]
    for path, glob in globs:
        try:
            pathspec.GitIgnoreSpec.from_lines([glob])
        except (ValueError, re.error):  # re.error: a bad character range such as [z-a]
            hint = "globs use .gitignore syntax; escape a literal '!' or trailing '\\' with '\\'"
            yield _at(doc, path, f"invalid glob {glob!r}", hint)


def _gate_jobs(policy: Policy, doc: Document, jobs: dict[str, ResolvedJob]) -> Iterator[Problem]:
    """Gating jobs must be critical findings jobs; SARIF jobs must have findings."""
    names, written = list(jobs), policy.gate.model_fields_set  # defaults are always valid
    refs: list[tuple[FieldPath, str, bool]] = []
    if "jobs" in written:
        refs += [(("gate", "jobs", n), n, True) for n in policy.gate.jobs]
    if "sarif_jobs" in written:
        refs += [
            (("gate", "sarif_jobs", i), n, False) for i, n in enumerate(policy.gate.sarif_jobs)
        ]
    for path, name, gating in refs:
        job = jobs.get(name)
        if job is None:
            hint = f"jobs are: {', '.join(names)}"
            yield _at(doc, path, f"unknown job {name!r}{close_match(name, names)}", hint)
        elif gating and (job.output != "findings" or job.job_class != "critical"):
            message = f"job {name!r} cannot gate: only a critical `findings` job can"
            yield _at(doc, path, message, "gate on 'security' or 'review'")
        elif job.output != "findings":
            message = f"job {name!r} has no findings to write as SARIF"
            yield _at(doc, path, message, "list a `findings` job such as 'security'")


def _budget_steps(policy: Policy, doc: Document) -> Iterator[Problem]:
    steps = policy.budgets.on_exceed
    if "skip_all" in steps[:-1]:
        i = steps.index("skip_all")
        message = "'skip_all' skips every job, so the steps after it never run"
        yield _at(doc, ("budgets", "on_exceed", i), message, "move 'skip_all' to the end")


def semantic_problems(policy: Policy, doc: Document, table: PriceTable) -> list[Problem]:
    """Every cross-field problem of a policy that passed model validation."""
    resolved = {job.name: job for job in resolve_jobs(policy)}
    return [
        *_prices(policy, doc, table),
        *_job_refs(policy, doc, list(resolved)),
        *_frontier(policy, doc, resolved),
        *_classes(policy, doc),
        *_batch(policy, doc, resolved),
        *_globs(policy, doc),
        *_budget_steps(policy, doc),
        *_gate_jobs(policy, doc, resolved),
    ]
