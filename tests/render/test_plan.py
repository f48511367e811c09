"""The plan views say how many sensitive reasons they leave out."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from pr_router.plan import Plan
from pr_router.render.plan import plan_markdown, plan_text

from .factories import HAIKU, SIGNALS, job_plan


def _plan(*reasons: str) -> Plan:
    signals = dataclasses.replace(SIGNALS, sensitive_reasons=reasons)
    return Plan("policies/default.yml", signals, (job_plan("describe", HAIKU),))


def _text_reasons(plan: Plan) -> list[str]:
    return [ln.removeprefix("Sensitive: ") for ln in plan_text(plan).splitlines()
            if ln.startswith("Sensitive: ")]  # fmt: skip


def _markdown_reasons(plan: Plan) -> list[str]:
    line = next(ln for ln in plan_markdown(plan).splitlines() if ln.startswith("Security-"))
    return line.removeprefix("Security-sensitive: ").split("; ")


REASONS = tuple(f"src/auth/f{i}.py: path under auth/" for i in range(8))


@pytest.mark.parametrize("view", [_text_reasons, _markdown_reasons])
@pytest.mark.parametrize(
    ("reasons", "shown"),
    [
        (REASONS[:5], list(REASONS[:5])),
        (REASONS[:6], [*REASONS[:5], "… and 1 more"]),
        (REASONS, [*REASONS[:5], "… and 3 more"]),
        # the signals' own cap ("... and N more") is folded into the count
        ((*REASONS, "... and 12 more"), [*REASONS[:5], "… and 15 more"]),
        ((*REASONS[:3], "... and 4 more"), [*REASONS[:3], "… and 4 more"]),
    ],
)
def test_sensitive_reasons_say_how_many_more(
    view: Callable[[Plan], list[str]], reasons: tuple[str, ...], shown: list[str]
) -> None:
    assert view(_plan(*reasons)) == shown


def test_no_sensitive_reasons_no_line() -> None:
    plan = _plan()
    assert "Sensitive:" not in plan_text(plan)
    assert "Security-sensitive" not in plan_markdown(plan)
