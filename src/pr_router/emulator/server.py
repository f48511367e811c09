"""The emulator's HTTP server: a threaded loopback server that dispatches to handlers."""

from __future__ import annotations

import contextlib
import http.server
import json
import logging
import signal
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, cast, overload
from urllib.parse import parse_qs, urlsplit

from pr_router.emulator.anthropic import AnthropicAPI
from pr_router.emulator.clock import Clock, FakeClock
from pr_router.emulator.http import Handler, Request, Response, json_response
from pr_router.emulator.openai import OpenAIAPI
from pr_router.emulator.runtime import Runtime
from pr_router.emulator.scenario import Scenario

__all__ = ["Emulator", "RecordedRequest", "RequestLog"]

log = logging.getLogger(__name__)
HOST = "127.0.0.1"  # never anything else: the emulator is for this machine only
ClockT = TypeVar("ClockT", bound=Clock)
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the emulator received, for assertions."""

    method: str
    path: str  # full path, mount prefix included, no query string
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # lower-cased names
    body: bytes
    json: Any  # the body parsed as JSON, or None
    time: float  # emulator clock (monotonic) at arrival


class RequestLog:
    """A thread-safe, append-only list of recorded requests."""

    def __init__(self) -> None:
        self._items: list[RecordedRequest] = []
        self._lock = threading.Lock()

    def append(self, item: RecordedRequest) -> None:
        """Record one request."""
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[RecordedRequest]:
        """A copy of everything recorded so far."""
        with self._lock:
            return list(self._items)

    def where(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """Recorded requests with this method and/or exact path."""
        return [
            r
            for r in self.snapshot()
            if (method is None or r.method == method) and (path is None or r.path == path)
        ]

    def clear(self) -> None:
        """Forget everything recorded."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __getitem__(self, index: int) -> RecordedRequest:
        with self._lock:
            return self._items[index]

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self.snapshot())


class ProviderRoot:
    """The root handler: ``/v1/messages...`` (and ``/v1/models/...`` with an
    ``anthropic-version`` header) goes to Anthropic, the rest of ``/v1`` to OpenAI."""

    def __init__(self, runtime: Runtime) -> None:
        self.anthropic = AnthropicAPI(runtime)
        self.openai = OpenAIAPI(runtime)

    def handle(self, request: Request) -> Response:
        """Dispatch by path."""
        if request.path == "/v1/messages" or request.path.startswith("/v1/messages/"):
            return self.anthropic.handle(request)
        if request.path.startswith("/v1/models/") and "anthropic-version" in request.headers:
            return self.anthropic.handle(request)
        if request.path.startswith("/v1/"):
            return self.openai.handle(request)
        return json_response({"error": {"message": f"no route for {request.path}"}}, 404)


class Emulator(Generic[ClockT]):
    """The local Anthropic + OpenAI (+ mounted handlers) API server.

    Use as a context manager: the server runs on a background thread while inside, and is
    stopped and joined on exit. Port 0 picks a free port. Without a ``clock`` it runs on a
    ``FakeClock`` (typed as such, so ``emu.clock.advance`` type-checks).
    """

    @overload
    def __init__(
        self: Emulator[FakeClock],
        scenario: Scenario | None = None,
        clock: None = None,
        mounts: Mapping[str, Handler] | None = None,
        *,
        port: int = 0,
    ) -> None: ...

    @overload
    def __init__(
        self,
        scenario: Scenario | None = None,
        clock: ClockT = ...,
        mounts: Mapping[str, Handler] | None = None,
        *,
        port: int = 0,
    ) -> None: ...

    def __init__(
        self,
        scenario: Scenario | None = None,
        clock: ClockT | None = None,
        mounts: Mapping[str, Handler] | None = None,
        *,
        port: int = 0,
    ) -> None:
        self.clock: ClockT = clock if clock is not None else cast("ClockT", FakeClock())
        self.scenario = scenario if scenario is not None else Scenario()
        self.runtime = Runtime(self.clock, self.scenario)
        self.cache = self.runtime.cache
        self.requests = RequestLog()
        self.providers = ProviderRoot(self.runtime)
        self.mounts: dict[str, Handler] = {}
        for prefix, handler in (mounts or {}).items():
            clean = "/" + prefix.strip("/")
            if clean == "/":
                raise ValueError("mount prefixes must not be the root; the providers live there")
            self.mounts[clean] = handler
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``: the Anthropic base URL (no ``/v1``)."""
        if self._server is None:
            raise RuntimeError("the emulator is not running; use it as a context manager")
        return f"http://{HOST}:{self._server.server_address[1]}"

    @property
    def openai_base_url(self) -> str:
        """The OpenAI base URL: ``base_url + "/v1"``."""
        return self.base_url + "/v1"

    def url_for(self, mount: str) -> str:
        """The base URL of a mounted handler, e.g. ``url_for("/github")``."""
        return self.base_url + "/" + mount.strip("/")

    def start(self) -> Self:
        """Bind the port and serve on a background thread."""
        if self._server is not None:
            return self
        self.runtime.stopping.clear()
        self._server = _Server((HOST, self._port), _make_handler(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="pr-router-emulator",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release held connections, and join every thread."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self.runtime.stopping.set()
        server.shutdown()
        server.server_close()  # joins the request threads
        if thread is not None:
            thread.join()
        self._server = self._thread = None

    def serve_until_signalled(self, ready: Callable[[], object] | None = None) -> int:
        """Serve in the foreground until SIGINT or SIGTERM; returns the signal's number.

        Installs its own handlers first (restored on return), so it stops even when the
        process was started with SIGINT ignored, as a shell does for a background job.
        ``ready`` is called once the port is bound. Call from the main thread.
        """
        received: list[int] = []
        stop = threading.Event()

        def on_signal(signum: int, frame: object) -> None:
            received.append(signum)
            stop.set()

        previous = {s: signal.signal(s, on_signal) for s in _STOP_SIGNALS}
        try:
            self.start()
            if ready is not None:
                ready()
            while not stop.wait(0.5):
                pass
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            self.stop()
        return received[0]

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def route(self, path: str) -> tuple[str, Handler]:
        """The mount prefix and handler for ``path``: the longest matching prefix wins."""
        best = ""
        for prefix in self.mounts:
            if (path == prefix or path.startswith(prefix + "/")) and len(prefix) > len(best):
                best = prefix
        return (best, self.mounts[best]) if best else ("", self.providers)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins request threads: no thread outlives a test
    block_on_close = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("emulator connection error from %s", client_address, exc_info=True)


def _make_handler(emulator: Emulator[Any]) -> type[http.server.BaseHTTPRequestHandler]:
    class _RequestHandler(_BaseRequestHandler):
        emu = emulator

    return _RequestHandler


class _BaseRequestHandler(http.server.BaseHTTPRequestHandler):
    emu: Emulator[Any]
    server_version = "pr-router-emulator"
    sys_version = ""

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("emulator: " + format, *args)

    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("content-length") or 0))

    def _serve(self) -> None:
        emu = self.emu
        arrival = emu.clock.now()
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        body = self._read_body()
        emu.requests.append(
            RecordedRequest(
                self.command,
                url.path,
                parse_qs(url.query),
                headers,
                body,
                _maybe_json(body),
                arrival,
            )
        )
        mount, handler = emu.route(url.path)
        request = Request(
            method=self.command,
            path=url.path[len(mount) :] or "/",
            query=parse_qs(url.query),
            headers=headers,
            body=body,
            base_url=emu.base_url,
            mount=mount,
        )
        try:
            response = handler.handle(request)
        except Exception:
            log.exception("emulator handler failed for %s %s", self.command, url.path)
            message = "emulator handler error: " + traceback.format_exc(limit=3)
            response = json_response({"error": {"type": "api_error", "message": message}}, 500)
        if response.delay_s > 0 and not emu.clock.sleep_until(
            arrival + response.delay_s, emu.runtime.stopping
        ):
            return  # shutting down: drop the connection
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self._write(response)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.stream is None:
            self.send_header("content-length", str(len(response.body)))
        self.send_header("connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if response.stream is None:
            self.wfile.write(response.body)
            return
        try:
            for chunk in response.stream:
                self.wfile.write(chunk)
                self.wfile.flush()
        finally:
            close = getattr(response.stream, "close", None)
            if close is not None:
                close()


def _maybe_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None
