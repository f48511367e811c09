"""What the emulated providers share: auth, routing, injected faults, request ids."""

from __future__ import annotations

import json
from typing import Literal

from pr_router.emulator.errors import error_for, fault_response
from pr_router.emulator.http import Request, Response, json_response
from pr_router.emulator.runtime import Ctx, Router, Runtime
from pr_router.emulator.scenario import Call, Rule

__all__ = ["InvalidRequest", "ProviderAPI"]


class InvalidRequest(ValueError):
    """The request breaks an API rule: answered with a 4xx provider error."""

    def __init__(
        self, message: str, *, status: int = 400, param: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.param = param
        self.code = code


class ProviderAPI:
    """Base of the Anthropic and OpenAI handlers: ``handle`` runs the shared steps."""

    provider: Literal["anthropic", "openai"]
    request_id_header: str

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.router = Router()
        self.router.add("GET", r"/v1/models/(?P<model>[^/]+)", self._model)

    def _model(self, ctx: Ctx) -> Response:
        """One model's entry; 404 for the scenario's ``unknown_models``, like a retired id."""
        model = ctx.match["model"]
        if model in self.rt.scenario.unknown_models:
            return self.error(404, f"model: {model}", ctx.request_id)
        if self.provider == "anthropic":
            body = {"type": "model", "id": model, "display_name": model,
                    "created_at": "2026-01-05T12:00:00Z"}  # fmt: skip
        else:
            body = {"id": model, "object": "model", "created": 1767614400, "owned_by": "system"}
        return json_response(body)

    def handle(self, request: Request) -> Response:
        """Check the request, inject any fault, answer the route, tag the request id."""
        rid = self.rt.ids.new("req_")
        response = self._dispatch(request, rid)
        response.headers.setdefault(self.request_id_header, rid)
        return response

    def check(self, request: Request, rid: str) -> Response | None:
        """Auth and header checks; an error response, or ``None`` to go on."""
        auth = request.headers.get("authorization", "")
        if not (auth.startswith("Bearer ") and auth[7:].strip()):
            return self.error(401, "Missing or invalid API key.", rid)
        return None

    def error(
        self,
        status: int,
        message: str,
        rid: str,
        *,
        headers: dict[str, str] | None = None,
        code: str | None = None,
        param: str | None = None,
    ) -> Response:
        """A provider-shaped error."""
        return error_for(
            self.provider, status, message, rid, headers=headers, code=code, param=param
        )

    def fault(self, rule: Rule, rid: str) -> Response:
        """The answer for a rule's fault; ``timeout`` first holds the connection."""
        if rule.fault == "timeout":
            self.rt.hang(rule.hang_s)
        return fault_response(self.provider, rule, rid)

    def _dispatch(self, request: Request, rid: str) -> Response:
        refused = self.check(request, rid)
        if refused is not None:
            return refused
        found = self.router.find(request.method, request.path)
        if found is None:
            status = 405 if self.router.knows(request.path) else 404
            return self.error(status, f"{request.method} {request.path} is not supported.", rid)
        route, match = found
        if not route.generates:
            rule = self.rt.scenario.pick(Call(self.provider, request.path), faults_only=True)
            if rule is not None:
                return self.fault(rule, rid)
        try:
            return route.fn(Ctx(request, match, rid))
        except InvalidRequest as exc:
            return self.error(exc.status, str(exc), rid, param=exc.param, code=exc.code)
        except json.JSONDecodeError:
            return self.error(400, "The request body is not valid JSON.", rid)
