"""Scenarios: ordered rules that decide what the emulated providers answer.

The first rule that matches a call and still has ``times`` left applies. A call with no
matching rule gets a valid answer generated from its JSON schema, so any structured call
succeeds by default.
"""

from __future__ import annotations

import fnmatch
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args

from pr_router.errors import UsageError

__all__ = ["BatchOutcome", "Call", "Fault", "ItemOutcome", "Rule", "Scenario"]

Fault = Literal["429", "529", "500", "timeout", "malformed", "no-retry"]
ItemOutcome = Literal["errored", "expired", "canceled"]
BatchOutcome = Literal["failed", "expired"]
Output = Mapping[str, Any] | str | Callable[["Call"], "Mapping[str, Any] | str"]

FAULTS: tuple[str, ...] = get_args(Fault)
ITEM_OUTCOMES: tuple[str, ...] = get_args(ItemOutcome)
BATCH_OUTCOMES: tuple[str, ...] = get_args(BatchOutcome)


@dataclass(frozen=True, slots=True)
class Call:
    """One model call as the scenario sees it: a request, or one item of a batch."""

    provider: Literal["anthropic", "openai"]
    endpoint: str  # "/v1/messages", "/v1/chat/completions", "/v1/responses", ...
    model: str | None = None
    job: str | None = None  # the JSON schema's name/title (our adapters use the job name)
    prompt: str = ""  # all prompt text, for substring matching
    schema: Mapping[str, Any] | None = None
    body: Mapping[str, Any] = field(default_factory=dict)  # the parsed request (or item) body
    custom_id: str | None = None  # set for batch items only


@dataclass(frozen=True, slots=True)
class Rule:
    """When a call matches every filter that is set, what the emulator does instead.

    Filters: ``job`` (exact), ``prompt`` (substring), ``model``, ``endpoint`` and
    ``custom_id`` (globs). Actions: ``output`` (canned structured output: a dict, a string,
    or a callable taking the ``Call``), ``latency_s``/``ttft_s``, a ``fault``, a batch
    ``item`` outcome, a whole-``batch`` outcome and ``batch_duration_s``. ``times`` limits
    the rule to its first N matches.
    """

    job: str | None = None
    prompt: str | None = None
    model: str | None = None
    endpoint: str | None = None
    custom_id: str | None = None
    output: Output | None = None
    latency_s: float | None = None
    ttft_s: float | None = None
    fault: Fault | None = None
    hang_s: float = 1.0  # "timeout": hold the connection this long in real time
    retry_after_s: float | None = 0.001  # sent as retry-after-ms/retry-after on retryable faults
    item: ItemOutcome | None = None
    batch: BatchOutcome | None = None
    batch_duration_s: float | None = None
    times: int | None = None

    def __post_init__(self) -> None:
        for name, value, allowed in (
            ("fault", self.fault, FAULTS),
            ("item", self.item, ITEM_OUTCOMES),
            ("batch", self.batch, BATCH_OUTCOMES),
        ):
            if value is not None and value not in allowed:
                raise UsageError(f"rule {name} {value!r} is not one of {', '.join(allowed)}")
        if self.times is not None and self.times < 1:
            raise UsageError(f"rule times must be at least 1, got {self.times}")

    @property
    def is_batch_rule(self) -> bool:
        """Decides a whole batch (outcome or duration), not a single call."""
        return self.batch is not None or self.batch_duration_s is not None

    @property
    def is_item_rule(self) -> bool:
        """Applies to batch items only."""
        return self.item is not None or self.custom_id is not None

    def matches(self, call: Call) -> bool:
        """Every filter that is set matches ``call``."""
        if self.job is not None and call.job != self.job:
            return False
        if self.prompt is not None and self.prompt not in call.prompt:
            return False
        if self.model is not None and not _glob(call.model, self.model):
            return False
        if self.endpoint is not None and not _glob(call.endpoint, self.endpoint):
            return False
        return self.custom_id is None or _glob(call.custom_id, self.custom_id)


def _glob(value: str | None, pattern: str) -> bool:
    return value is not None and fnmatch.fnmatchcase(value, pattern)


class Scenario:
    """An ordered list of rules plus the defaults for calls no rule decides.

    The scenario counts each rule's matches (for ``times``): use a fresh one per emulator.
    Defaults: no latency, time to first token a quarter of the latency, batches that end
    60 s (emulator clock) after creation.
    """

    def __init__(
        self,
        rules: Sequence[Rule] = (),
        *,
        latency_s: float = 0.0,
        ttft_s: float | None = None,
        batch_duration_s: float = 60.0,
        schema_in_cache_prefix: bool = True,
        unknown_models: Sequence[str] = (),
    ) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        # ``GET /v1/models/{id}`` answers 404 for these (every other model is served)
        self.unknown_models = frozenset(unknown_models)
        self.latency_s = latency_s
        self.ttft_s = ttft_s
        self.batch_duration_s = batch_duration_s
        # The providers treat the structured-output schema as the start of the prompt, so a
        # different schema is a different cache prefix. Turn off to key caches on text only.
        self.schema_in_cache_prefix = schema_in_cache_prefix
        self._used = [0] * len(self.rules)
        self._lock = threading.Lock()

    def pick(self, call: Call, *, faults_only: bool = False) -> Rule | None:
        """The rule for a synchronous request or batch item (consumes one of its ``times``)."""
        for_item = call.custom_id is not None

        def eligible(rule: Rule) -> bool:
            if rule.is_batch_rule or (rule.is_item_rule and not for_item):
                return False
            return not faults_only or rule.fault is not None

        return self._take(eligible, rule_matches=lambda r: r.matches(call))

    def pick_batch(self, endpoint: str, items: Sequence[Call]) -> Rule | None:
        """The rule deciding a whole batch: matches if its endpoint does and any item does."""

        def matches(rule: Rule) -> bool:
            if rule.endpoint is not None and not _glob(endpoint, rule.endpoint):
                return False
            item_rule = Rule(rule.job, rule.prompt, rule.model, None, rule.custom_id)
            return any(item_rule.matches(c) for c in items) or not items

        return self._take(lambda r: r.is_batch_rule, rule_matches=matches)

    def timing(self, rule: Rule | None) -> tuple[float, float]:
        """(latency, time to first token) for a call, from its rule or the defaults."""
        latency = rule.latency_s if rule and rule.latency_s is not None else self.latency_s
        ttft = rule.ttft_s if rule and rule.ttft_s is not None else self.ttft_s
        if ttft is None:
            ttft = latency / 4
        return max(latency, ttft), ttft

    def _take(
        self, eligible: Callable[[Rule], bool], *, rule_matches: Callable[[Rule], bool]
    ) -> Rule | None:
        with self._lock:
            for i, rule in enumerate(self.rules):
                if rule.times is not None and self._used[i] >= rule.times:
                    continue
                if eligible(rule) and rule_matches(rule):
                    self._used[i] += 1
                    return rule
        return None

    @classmethod
    def from_file(cls, path: str | Path) -> Scenario:
        """Load a scenario from JSON or YAML: a list of rules, or ``{rules: [...], ...}``."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read scenario {p}: {exc.strerror}") from exc
        data = _parse_scenario_text(p, text)
        return cls.from_dict(data, source=str(p))

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<scenario>") -> Scenario:
        """Build a scenario from plain data (what ``from_file`` parsed)."""
        if isinstance(data, list):
            data = {"rules": data}
        if not isinstance(data, dict):
            raise UsageError(f"{source}: a scenario is a list of rules or a mapping")
        options = {"latency_s", "ttft_s", "batch_duration_s", "schema_in_cache_prefix"}
        unknown = set(data) - options - {"rules"}
        if unknown:
            raise UsageError(f"{source}: unknown scenario keys: {', '.join(sorted(unknown))}")
        rules = [
            _rule_from_dict(r, f"{source}: rules[{i}]")
            for i, r in enumerate(data.get("rules") or [])
        ]
        return cls(rules, **{k: v for k, v in data.items() if k in options})


def _parse_scenario_text(path: Path, text: str) -> Any:
    if path.suffix.lower() in {".yml", ".yaml"}:
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UsageError(f"{path}: invalid YAML: {exc}") from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{path}: invalid JSON: {exc}") from exc


def _rule_from_dict(data: Any, where: str) -> Rule:
    if not isinstance(data, dict):
        raise UsageError(f"{where}: a rule is a mapping")
    known = {f.name for f in fields(Rule)}
    unknown = set(data) - known
    if unknown:
        raise UsageError(
            f"{where}: unknown rule keys: {', '.join(sorted(unknown))}",
            hint=f"rule keys are: {', '.join(sorted(known))}",
        )
    values = dict(data)
    if "fault" in values and values["fault"] is not None:
        values["fault"] = str(values["fault"])  # YAML reads 429 as a number
    try:
        return Rule(**values)
    except UsageError as exc:
        raise UsageError(f"{where}: {exc}") from exc
