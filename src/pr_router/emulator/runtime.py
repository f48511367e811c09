"""State shared by the emulated providers of one emulator: clock, scenario, cache, ids."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pr_router.emulator.cache import PromptCache
from pr_router.emulator.clock import Clock
from pr_router.emulator.http import Request, Response
from pr_router.emulator.scenario import Scenario

__all__ = ["Ctx", "Ids", "Route", "Router", "Runtime"]


class Ids:
    """Deterministic, unique ids: ``msg_emu000001``, ``file-emu000002``, ..."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        """A fresh id with the provider's usual prefix (``msg_``, ``file-``, ...)."""
        with self._lock:
            n = next(self._counter)
        return f"{prefix}emu{n:06d}"


@dataclass(slots=True)
class Runtime:
    """Everything a provider handler needs besides the request."""

    clock: Clock
    scenario: Scenario
    cache: PromptCache = field(default_factory=PromptCache)
    ids: Ids = field(default_factory=Ids)
    stopping: threading.Event = field(default_factory=threading.Event)

    def hang(self, seconds: float) -> None:
        """Hold a connection in real time (a timeout fault), ending early on shutdown."""
        self.stopping.wait(seconds)


@dataclass(frozen=True, slots=True)
class Ctx:
    """A routed request: the request, its path match and the id sent back with it."""

    request: Request
    match: re.Match[str]
    request_id: str

    def json(self) -> Any:
        """The request body as JSON (raises ``ValueError`` on bad JSON)."""
        return self.request.json()


RouteFn = Callable[[Ctx], Response]


@dataclass(frozen=True, slots=True)
class Route:
    """One method + path pattern and the function answering it."""

    method: str
    pattern: re.Pattern[str]
    fn: RouteFn
    generates: bool = False  # a model call: the route picks its own scenario rule


class Router:
    """A tiny method/path router for the provider handlers."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, fn: RouteFn, *, generates: bool = False) -> None:
        """Route ``method`` requests whose whole path matches ``pattern``."""
        self.routes.append(Route(method, re.compile(pattern), fn, generates))

    def find(self, method: str, path: str) -> tuple[Route, re.Match[str]] | None:
        """The route answering ``method path``, if any."""
        for route in self.routes:
            match = route.pattern.fullmatch(path)
            if match is not None and route.method == method:
                return route, match
        return None

    def knows(self, path: str) -> bool:
        """Some route (with any method) serves ``path``."""
        return any(route.pattern.fullmatch(path) for route in self.routes)
