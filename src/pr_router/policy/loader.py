"""Load and validate a policy file; every problem names its file, line, column and field.

``load_policy`` and ``parse_policy`` raise one ``PolicyError`` (the first problem in file
order, saying how many more there are); ``check_policy`` returns all of them for
``pr-router policy check``. Validation runs in three passes: YAML (syntax, duplicate keys,
alias bombs), the pydantic models, then cross-field checks on the merged job catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from pr_router.errors import PolicyError
from pr_router.policy import _yaml
from pr_router.policy._checks import semantic_problems, written_batch_problems
from pr_router.policy._messages import format_path, problems_from
from pr_router.policy._yaml import Problem
from pr_router.policy.models import Policy, PriceOverride
from pr_router.pricing import PriceTable, Rates

__all__ = [
    "BUNDLED_DEFAULT",
    "LoadedPolicy",
    "PolicyCheck",
    "check_policy",
    "check_policy_text",
    "default_policy_text",
    "load_policy",
    "parse_policy",
    "price_table",
    "rates_from_override",
]

BUNDLED_DEFAULT = "bundled default"
# Cache rates an override leaves out, as multiples of its input rate (the providers' usual).
_WRITE_5M = Decimal("1.25")
_WRITE_1H = Decimal("2")
_READ = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class LoadedPolicy:
    """A valid policy, where it came from, and the price table its overrides define."""

    policy: Policy
    source: str
    prices: PriceTable


@dataclass(frozen=True, slots=True)
class PolicyCheck:
    """Outcome of checking one policy: the loaded policy, or every problem in file order."""

    source: str
    loaded: LoadedPolicy | None
    errors: tuple[PolicyError, ...] = ()
    summary: PolicyError | None = None  # the first error, saying how many more there are

    @property
    def ok(self) -> bool:
        """Whether the policy is valid."""
        return self.loaded is not None


def rates_from_override(override: PriceOverride) -> Rates:
    """``Rates`` for a ``prices:`` entry; missing cache rates derive from the input rate."""

    def given_or(value: Decimal | None, factor: Decimal) -> Decimal:
        return value if value is not None else override.input * factor

    return Rates(
        input=override.input,
        output=override.output,
        cache_write_5m=given_or(override.cache_write_5m, _WRITE_5M),
        cache_write_1h=given_or(override.cache_write_1h, _WRITE_1H),
        cache_read=given_or(override.cache_read, _READ),
        source="policy override",
    )


def price_table(prices: Mapping[str, PriceOverride]) -> PriceTable:
    """A ``PriceTable`` with a policy's ``prices:`` overrides in front of genai-prices."""
    return PriceTable({model: rates_from_override(o) for model, o in prices.items()})


def default_policy_text() -> str:
    """The bundled default policy (``policies/default.yml``), as shipped in the package."""
    return resources.files("pr_router.policy").joinpath("default.yml").read_text("utf-8")


def _failed(source: str, problems: list[Problem]) -> PolicyCheck:
    ordered = sorted(problems, key=lambda p: (p.line or 0, p.column or 0))

    def error(p: Problem, suffix: str = "", hint: str | None = None) -> PolicyError:
        return PolicyError(
            p.message + suffix,
            file=source,
            line=p.line,
            column=p.column,
            field=format_path(p.path) or None,
            hint=hint or p.hint,
        )

    first, more = ordered[0], len(ordered) - 1
    summary = error(first)
    if more:
        listing = f"`pr-router policy check {source}` lists all {more + 1} problems"
        hint = f"{first.hint}; {listing}" if first.hint else listing
        summary = error(first, f" (and {more} more)", hint)
    return PolicyCheck(source, None, tuple(error(p) for p in ordered), summary)


def _merged(problems: list[Problem], more: list[Problem]) -> list[Problem]:
    """``problems`` plus those of ``more`` not already reported at the same field."""
    seen = {p.path for p in problems}
    return problems + [p for p in more if p.path not in seen]


def check_policy_text(text: str, *, source: str) -> PolicyCheck:
    """Validate policy text; ``source`` names it in messages (usually the path)."""
    try:
        doc = _yaml.read(text)
    except _yaml.YamlProblems as exc:
        return _failed(source, exc.problems)
    try:
        policy = Policy.model_validate(doc.data)
    except ValidationError as exc:
        return _failed(source, _merged(problems_from(exc, doc), written_batch_problems(doc)))
    except ArithmeticError:  # pragma: no cover - _yaml bounds numbers; a last safety net
        return _failed(source, [Problem("a number is out of range", 1, 1)])
    table = price_table(policy.prices)
    problems = semantic_problems(policy, doc, table)
    if problems:
        return _failed(source, problems)
    return PolicyCheck(source, LoadedPolicy(policy, source, table))


def _read_problem(path: Path) -> tuple[str | None, Problem | None]:
    """The file's text, or the problem that stops it from being read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        hint = (
            "without a policy pr-router uses its bundled default (policies/default.yml); "
            "copy it to .github/pr-router.yml and validate it with `pr-router policy check FILE`"
        )
        return None, Problem("policy file not found", hint=hint)
    except IsADirectoryError:
        return None, Problem("is a directory, not a policy file", hint="pass the YAML file itself")
    except OSError as exc:
        return None, Problem(f"cannot read the policy file: {exc.strerror or exc}")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"not UTF-8 text (byte 0x{data[exc.start]:02x})"
        return None, Problem(message, line, column, hint="save the policy file as UTF-8")


def check_policy(path: Path | None) -> PolicyCheck:
    """Read and validate the policy at ``path`` (``None``: the bundled default)."""
    if path is None:
        return check_policy_text(default_policy_text(), source=BUNDLED_DEFAULT)
    text, problem = _read_problem(path)
    if problem is not None or text is None:
        return _failed(str(path), [problem or Problem("cannot read the policy file")])
    return check_policy_text(text, source=str(path))


def _unwrap(check: PolicyCheck) -> LoadedPolicy:
    if check.loaded is None:
        raise check.summary or PolicyError("invalid policy", file=check.source)
    return check.loaded


def load_policy(path: Path | None) -> LoadedPolicy:
    """The validated policy at ``path`` (``None``: the bundled default); raises ``PolicyError``."""
    return _unwrap(check_policy(path))


def parse_policy(text: str, *, source: str) -> Policy:
    """The validated policy in ``text``; raises ``PolicyError`` naming ``source``."""
    return _unwrap(check_policy_text(text, source=source)).policy
