"""One job, synchronously, to the end: fallback on provider errors, cascade on invalid output.

Each tier is tried on its provider, then on ``policy.fallback[tier]``; an output that fails
validation is retried one tier up, at most twice. A critical job whose answer was cut at
its output cap (reasoning tokens count against it) is retried once on the same tier with
twice the room instead: a merge-gating job must not end without an answer because its
reasoning filled the cap. Every attempt becomes a ledger record.

Both kinds of extra attempt are held to the policy's budgets (``budget.Headroom``): a retry
with more room gets what the budget pays for, if that is still more than the first attempt
had, and an escalation runs only if its whole output cap fits. Otherwise the job ends with
its invalid output and says why it was not tried again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from pr_router.budget import Headroom, output_room
from pr_router.errors import InvalidOutputError, MissingKeyError, ProviderError, PrRouterError
from pr_router.execute._clock import Clock
from pr_router.execute._outcome import JobOutcome, JobStatus, Validator
from pr_router.execute._records import Attempt, RecordMaker
from pr_router.ledger import LedgerRecord, Status
from pr_router.plan import JobPlan
from pr_router.policy.models import TIERS, Tier, TierModel
from pr_router.pricing import format_usd
from pr_router.providers.base import ModelRequest, ModelResponse, Provider
from pr_router.providers.registry import missing_key_message
from pr_router.tokens import TokenUsage

__all__ = ["MAX_ESCALATIONS", "Chain", "Checked", "Step", "check", "describe", "next_tier"]

MAX_ESCALATIONS = 2
ROOM_FACTOR = 2  # a critical answer cut at its cap is retried once with this much more room
Release = Callable[[], None]


def next_tier(tier: Tier) -> Tier | None:
    """The tier above, or ``None`` at the top."""
    index = TIERS.index(tier)
    return TIERS[index + 1] if index + 1 < len(TIERS) else None


def describe(exc: PrRouterError) -> str:
    """An error's one line, with its hint."""
    return f"{exc} ({exc.hint})" if exc.hint else str(exc)


@dataclass(frozen=True, slots=True)
class Checked:
    """A response run through the job's validator."""

    ok: bool
    value: Any = None
    error: str | None = None
    escalate: bool = False  # the output was invalid: a tier up may do better

    def outcome(
        self, job: str, records: Sequence[LedgerRecord], response: ModelResponse
    ) -> JobOutcome:
        """The job's outcome when this is its last attempt."""
        status: JobStatus = "ok" if self.ok else "failed"
        return JobOutcome(job, status, value=self.value, error=self.error,
                          records=tuple(records), response=response)  # fmt: skip


def check(validate: Validator, response: ModelResponse) -> Checked:
    """Validate ``response``; invalid output escalates, a crashing validator does not."""
    try:
        return Checked(True, validate(response))
    except InvalidOutputError as exc:
        return Checked(False, error=describe(exc), escalate=True)
    except Exception as exc:  # a validator bug must not sink the other jobs of the run
        return Checked(False, error=f"could not validate the output: {type(exc).__name__}: {exc}")


@dataclass(frozen=True, slots=True)
class Step:
    """Where a job's next synchronous attempt starts."""

    tier: Tier
    number: int = 1
    escalated_from: Tier | None = None
    reason: str | None = None
    escalations: int = 0
    target: TierModel | None = None  # default: the plan's model on its tier, else the policy's
    max_output_tokens: int | None = None  # more room than the request's (critical retry)


@dataclass(frozen=True, slots=True)
class Chain:
    """Runs jobs synchronously with fallback and cascade; shared by all threads of a run."""

    providers: Mapping[str, Provider]
    maker: RecordMaker
    clock: Clock
    headroom: Headroom | None = None  # the run's budgets; None: extra attempts are not held

    def run(
        self,
        plan: JobPlan,
        request: ModelRequest,
        validate: Validator,
        step: Step,
        *,
        prior: Sequence[LedgerRecord] = (),
        release: Release | None = None,
    ) -> JobOutcome:
        """Attempts from ``step`` until a valid output or nothing left to try.

        ``release`` is called when the first call starts answering (its prompt prefix is
        cached) or ends, whichever comes first: readers of that cache wait for it.
        """
        records = list(prior)
        while True:
            response, attempt, latency = self._call_tier(plan, request, step, records, release)
            release = None
            if response is None:
                return JobOutcome(
                    plan.job, "failed", error=records[-1].error, records=tuple(records)
                )
            checked = check(validate, response)
            status: Status = "ok" if checked.ok else "failed"
            records.append(self.maker.record(plan, attempt, status, response=response,
                                             error=checked.error, latency_s=latency))  # fmt: skip
            nxt = self.next_step(plan, request, step, checked, response=response, records=records)
            if isinstance(nxt, Step):
                step = replace(nxt, number=attempt.number + 1)
                continue
            if nxt is not None:  # an extra attempt the budget does not pay for
                checked = replace(checked, error=f"{checked.error}; {nxt}")
            return checked.outcome(plan.job, records, response)

    def next_step(
        self,
        plan: JobPlan,
        request: ModelRequest,
        step: Step,
        checked: Checked,
        *,
        response: ModelResponse,
        records: Sequence[LedgerRecord],
        more_room: bool = True,
    ) -> Step | str | None:
        """The attempt after ``step``'s invalid output (the caller numbers it): with
        ``more_room``, more room for a critical answer cut at its cap, else a tier up (at most
        ``MAX_ESCALATIONS``); a line saying why not when the budget does not allow it; None
        when there is nothing left to try. Synchronous and batch jobs go on through here."""
        if not checked.escalate:
            return None
        roomier = _more_room(plan, request.max_output_tokens, step, response) if more_room else None
        if roomier is not None:
            return self._with_room(plan, request.max_output_tokens, roomier, response, records)
        up = next_tier(step.tier)
        if up is None or step.escalations >= MAX_ESCALATIONS:
            return None
        cap = step.max_output_tokens or request.max_output_tokens
        escalated = Step(up, step.number, step.tier, f"invalid output on {step.tier}: {checked.error}",
                         step.escalations + 1, max_output_tokens=step.max_output_tokens)  # fmt: skip
        room, why = self._budgeted(plan, escalated, cap, response, records)
        return escalated if room >= cap else f"not escalated to {up}: {why}"

    def _with_room(self, plan: JobPlan, first: int, roomier: Step, response: ModelResponse,
                   records: Sequence[LedgerRecord]) -> Step | str:  # fmt: skip
        """``roomier`` with the cap the budget pays for, or why it is not tried."""
        assert roomier.max_output_tokens is not None
        room, why = self._budgeted(plan, roomier, roomier.max_output_tokens, response, records)
        if room <= first:
            return f"not retried with more room: {why}"
        capped = f", capped by the budget ({why})" if room < roomier.max_output_tokens else ""
        return replace(roomier, max_output_tokens=room, reason=_room_reason(first, room) + capped)

    def _budgeted(
        self,
        plan: JobPlan,
        step: Step,
        wanted: int,
        response: ModelResponse,
        records: Sequence[LedgerRecord],
    ) -> tuple[int, str]:
        """The output cap, at most ``wanted``, the budget pays for on ``step``'s model, and the
        line saying so ("" when no budget is set or the model has no known price)."""
        headroom = self.headroom
        if headroom is None or headroom.binding is None:
            return wanted, ""
        estimate = plan.estimate.usd if plan.estimate is not None else Decimal(0)
        allowance = headroom.for_job(estimate, sum((r.cost_usd for r in records), Decimal(0)))
        target = self.targets(plan, step)[0]
        usage = response.usage
        # The same model reads the same cached prefix; another one gets it uncached.
        same = target.model == response.model
        prompt = replace(usage, output=0, reasoning=0) if same else TokenUsage(input=usage.prompt)
        try:
            rates = self.maker.prices.rates(target.provider, target.model, "sync", usage.prompt)
        except PrRouterError:  # priced nowhere: the plan could not hold it to a budget either
            return wanted, ""
        room = output_room(allowance, prompt, rates, wanted)
        binding = headroom.binding
        why = (f"the {binding.label} budget of {format_usd(binding.limit)} leaves this job "
               f"{format_usd(allowance)}: room for {room:,} output tokens on {target.model}")  # fmt: skip
        return room, why

    def targets(self, plan: JobPlan, step: Step) -> list[TierModel]:
        """The tier's model (the plan's when on the plan's tier), then its fallback."""
        policy = self.maker.policy
        if step.target is not None:
            primary = step.target
        elif step.tier == plan.tier and plan.provider and plan.model:
            primary = TierModel(provider=plan.provider, model=plan.model)  # type: ignore[arg-type]
        else:
            primary = policy.tiers[step.tier]
        fallback = policy.fallback.get(step.tier)
        return [primary] if fallback is None or fallback == primary else [primary, fallback]

    def _call_tier(
        self,
        plan: JobPlan,
        request: ModelRequest,
        step: Step,
        records: list[LedgerRecord],
        release: Release | None,
    ) -> tuple[ModelResponse | None, Attempt, float]:
        number, reason, escalated_from = step.number, step.reason, step.escalated_from
        attempt = Attempt(step.tier, "", "", "sync", number)
        for target in self.targets(plan, step):
            attempt = Attempt(step.tier, target.provider, target.model, "sync", number,
                              escalated_from, reason, for_attempt(request, number).custom_id)  # fmt: skip
            started = self.clock.now()
            sent = for_target(request, target, number)
            if step.max_output_tokens is not None:
                sent = replace(sent, max_output_tokens=step.max_output_tokens)
            try:
                response = self._complete(target, sent, release)
            except ProviderError as exc:
                records.append(self.maker.record(
                    plan, attempt, "failed", error=describe(exc),
                    latency_s=self.clock.now() - started, request_id=exc.request_id))  # fmt: skip
                number, escalated_from = number + 1, None
                reason = f"fallback after {target.provider} failed: {exc}"
                continue
            finally:
                if release is not None:
                    release()
                    release = None
            return response, attempt, self.clock.now() - started
        return None, attempt, 0.0

    def _complete(
        self, target: TierModel, request: ModelRequest, release: Release | None
    ) -> ModelResponse:
        provider = self.providers.get(target.provider)
        if provider is None:
            raise MissingKeyError(missing_key_message(target.provider), provider=target.provider)
        if release is None:
            return provider.complete(request)
        return provider.complete(request, on_start=release)


def _more_room(plan: JobPlan, first: int, step: Step, response: ModelResponse) -> Step | None:
    """The same tier with ``ROOM_FACTOR`` x the output cap ``first``, for a critical answer cut
    at its cap the first time; None otherwise (the cascade decides)."""
    if plan.job_class != "critical" or not response.truncated or step.max_output_tokens:
        return None
    # escalated_from names the tier whose output failed validation: here the same one, so
    # the summary and the report show the retry like any escalation.
    return Step(step.tier, step.number, step.tier, _room_reason(first, first * ROOM_FACTOR),
                step.escalations, step.target, first * ROOM_FACTOR)  # fmt: skip


def _room_reason(first: int, room: int) -> str:
    """Why a critical job is retried on the same tier."""
    return (f"answer cut at the output cap of {first} tokens (reasoning included): "
            f"retried with {room}")  # fmt: skip


def for_attempt(request: ModelRequest, number: int) -> ModelRequest:
    """The request with a custom id unique to the attempt (the first keeps its own)."""
    if number == 1:
        return request
    suffix = f"-{number}"
    return replace(request, custom_id=request.custom_id[: 64 - len(suffix)] + suffix)


def for_target(request: ModelRequest, target: TierModel, number: int) -> ModelRequest:
    """The request aimed at ``target``'s model.

    On another model the shared prefix was never cached, so the cache mark is dropped:
    writing a prefix nobody else reads would cost more than sending it plainly.
    """
    request = for_attempt(request, number)
    if target.model == request.model:
        return request
    return replace(request, model=target.model, cache_key=None)
