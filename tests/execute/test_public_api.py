"""The executor's public surface is small, sorted and documented."""

from __future__ import annotations

import inspect

from pr_router import execute
from pr_router.providers import base, registry


def _isort_style(name: str) -> tuple[int, str]:
    """The order ruff keeps ``__all__`` in: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_public_names_are_sorted_and_documented() -> None:
    for module in (execute, base, registry):
        names = module.__all__
        assert names == sorted(names, key=_isort_style)
        for name in names:
            value = getattr(module, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                assert inspect.getdoc(value), f"{module.__name__}.{name} has no docstring"


def test_the_executor_api() -> None:
    assert set(execute.__all__) == {
        "MAX_ESCALATIONS", "Clock", "Executor", "JobCall", "JobOutcome", "JobStatus",
        "PendingBatch", "PendingItem", "RunOutcome", "SystemClock", "Validator", "cache_prefix",
    }  # fmt: skip
    run = inspect.signature(execute.Executor.run)
    collect = inspect.signature(execute.Executor.collect)
    assert list(run.parameters) == ["self", "calls", "on_submitted"]
    assert run.parameters["on_submitted"].kind is inspect.Parameter.KEYWORD_ONLY
    assert list(collect.parameters) == ["self", "pending", "validators", "requests",
                                        "wait_seconds"]  # fmt: skip
    assert collect.parameters["wait_seconds"].kind is inspect.Parameter.KEYWORD_ONLY
