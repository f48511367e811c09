"""The fault matrix: every case of ``cases.CASES`` played end to end, promises checked.

Each case runs with ``fail-on-error`` false; cases where a phase fails also run with it
true (the exit code is what changes). ``scripts/fault_matrix.py`` prints the same table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from badinput.helpers import within

from .cases import CASES
from .harness import Case, play, problems

DEADLINE_S = 30.0  # one case takes well under 3 s; more means a hang


def _runs() -> list[object]:
    params = []
    for case in CASES:
        for fail_on_error in (False, True) if case.fails or case.id == "baseline" else (False,):
            marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
            name = f"{case.id}-fail-on-error-{str(fail_on_error).lower()}"
            params.append(pytest.param(case, fail_on_error, id=name, marks=marks))
    return params


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(("case", "fail_on_error"), _runs())
def test_fault(case: Case, fail_on_error: bool, tmp_path: Path) -> None:
    seen = within(DEADLINE_S, lambda: play(case, fail_on_error=fail_on_error, workdir=tmp_path))
    assert problems(seen) == [], seen.log[-4000:]
    # Sanity of the harness itself: a complete run published every job it ran.
    if case.expect == "complete":
        assert seen.published
        assert not seen.failed
        assert not seen.unposted


def test_the_matrix_covers_every_step() -> None:
    """Each kind of fault the brief names appears in the table."""
    text = " ".join(f"{c.id} {c.fault}" for c in CASES)
    for needed in ("429", "529", "500", "timeout", "malformed", "errored", "expired",
                   "canceled", "batch failed", "403", "404", "422", "secondary",
                   "killed", "two runs"):  # fmt: skip
        assert needed in text, needed
