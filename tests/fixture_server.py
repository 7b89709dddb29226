"""A local HTTP server (127.0.0.1, random port) that replays recorded API responses.

Remote clients are tested against real recorded answers without the network: point the
client's ``base_url`` at ``server.url`` (plus the API's base path) and the server answers
from routes built from a fixture ``requests.json`` index (``routes_from_index``), from a list
of pages, or from explicit :class:`Route` objects.

Matching: a route matches when method and path are equal and every route parameter that is
not in ``ignore`` has the same value in the request (extra request parameters are ignored).
Parameters such as page sizes, contact addresses and API keys are ignored by default,
because clients choose them differently from the library that recorded the cassette.
Identical requests are answered by the matching routes in recorded order (a route is used
once while an unused match is left, then the last match is reused).

Faults can be scheduled to test retries, paging integrity and errors; each answers one
request in place of its route (only requests whose path ends with ``path``, if given, and
after ``skip`` such requests have passed) and is used up. Faults fire in the order they
were added: a schedule is a list of them.

* ``add_fault(status=429, headers={"Retry-After": "1"})``, ``add_fault(status=503)``:
  an error status (the route is not used up, so a retry gets the recorded answer);
* ``add_fault(body=html, content_type="text/html")``: another body, e.g. an HTML page;
* ``add_fault(truncate=True)``: the recorded body cut in half under its full
  ``Content-Length``;
* ``add_fault(transform=empty_page)``: the recorded body rewritten (an empty page);
* ``add_fault(repeat_previous=True)``: the body last served on that path, again (a cursor
  that repeats the previous page);
* ``add_fault(reset=True)``: the connection closed with a TCP reset, no answer;
* ``add_fault(stall=2.0)``: the answer held back for 2 s (longer than the client waits);
* ``add_fault(redirect="http://127.0.0.1:<other port>")``: a 302 to the same path and query
  on another server (another origin).

Every request's headers are kept in ``server.request_headers`` (same order as
``server.requests``).

Example::

    with FixtureServer(routes_from_index(folder, base_path="/works")) as server:
        client = OpenAlexSource.from_settings({"base_url": server.url})
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

__all__ = [
    "DEFAULT_IGNORE",
    "Fault",
    "FixtureServer",
    "Route",
    "routes_from_index",
    "routes_from_pages",
]

#: Request parameters that do not decide which recorded answer is served.
DEFAULT_IGNORE = frozenset(
    {
        "mailto",
        "email",
        "tool",
        "api_key",
        "per-page",
        "per_page",
        "rows",
        "pageSize",
        "limit",
        "offset",
        "fields",
        "select",
        "retmax",
        "retstart",
        "format",
        "resultType",
        "retmode",
        "rettype",
    }
)


@dataclass
class Route:
    """One recorded answer: request (method, path, parameters) and response."""

    method: str
    path: str
    params: list[tuple[str, str]]
    body: bytes
    status: int = 200
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    request_body: bytes | None = None
    uses: int = 0


@dataclass
class Fault:
    """A one-off answer that takes the place of the route's (see the module docstring)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    truncate: bool = False
    path: str = ""
    content_type: str = "application/json"
    skip: int = 0
    transform: Callable[[bytes], bytes] | None = None
    repeat_previous: bool = False
    reset: bool = False
    stall: float = 0.0
    redirect: str = ""
    #: set once the fault has answered a request
    fired: bool = False


def routes_from_index(
    folder: str | Path,
    *,
    strip_prefix: str = "",
    include: Sequence[int] | None = None,
) -> list[Route]:
    """Routes from a ``<cassette>.bodies/requests.json`` index (or a folder in that shape).

    ``strip_prefix`` removes the API's base path (``/graph/v1``) so routes are relative to
    the server root, matching a client whose ``base_url`` is ``server.url``. ``include``
    keeps only the index entries at these positions (in that order).
    """
    folder = Path(folder)
    index = json.loads((folder / "requests.json").read_text(encoding="utf-8"))
    if include is not None:
        index = [index[i] for i in include]
    routes = []
    for entry in index:
        parts = urlsplit(entry["url"])
        path = parts.path
        if strip_prefix and path.startswith(strip_prefix):
            path = path[len(strip_prefix) :] or "/"
        body_text = entry.get("request_body")
        routes.append(
            Route(
                method=entry.get("method", "GET").upper(),
                path=path,
                params=parse_qsl(parts.query, keep_blank_values=True),
                body=(folder / entry["file"]).read_bytes(),
                status=int(entry.get("status") or 200),
                content_type=entry.get("content_type") or "application/json",
                request_body=body_text.encode("utf-8") if isinstance(body_text, str) else None,
            )
        )
    return routes


def routes_from_pages(
    path: str,
    pages: Iterable[tuple[Mapping[str, str], bytes]],
    *,
    method: str = "GET",
    content_type: str = "application/json",
) -> list[Route]:
    """Routes for one endpoint from ``(identifying params, body)`` pairs, in page order."""
    return [
        Route(method, path, list(params.items()), body, content_type=content_type)
        for params, body in pages
    ]


class FixtureServer:
    """Serve routes on 127.0.0.1 in a background thread; use as a context manager."""

    def __init__(
        self,
        routes: Iterable[Route] = (),
        *,
        ignore: Iterable[str] = DEFAULT_IGNORE,
    ) -> None:
        self.routes = list(routes)
        self.ignore = frozenset(ignore)
        self.faults: list[Fault] = []
        #: every request received: (method, path, params as a list of pairs, body bytes).
        self.requests: list[tuple[str, str, list[tuple[str, str]], bytes]] = []
        #: the headers of every request, in the same order.
        self.request_headers: list[dict[str, str]] = []
        self._last_body: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- set-up ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add_route(self, route: Route) -> None:
        with self._lock:
            self.routes.append(route)

    def add_fault(self, **kwargs: Any) -> Fault:
        fault = Fault(**kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def start(self) -> FixtureServer:
        handler = _make_handler(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        # a client that gave up on a stalled answer closes the socket: not worth a traceback
        self._server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- answering ---------------------------------------------------------------------

    def count(self, path_suffix: str = "") -> int:
        """How many requests reached the server (only those whose path ends so, if given)."""
        return sum(1 for r in self.requests if r[1].endswith(path_suffix))

    def _matches(self, route: Route, method: str, path: str, params: list[tuple[str, str]]) -> bool:
        if route.method != method or route.path.rstrip("/") != path.rstrip("/"):
            return False
        wanted = [(k, v) for k, v in route.params if k not in self.ignore]
        have = set(params)
        return all(pair in have for pair in wanted)

    def _next_fault(self, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.path and not path.endswith(fault.path):
                continue
            if fault.skip > 0:
                fault.skip -= 1
                return None
            self.faults.remove(fault)
            fault.fired = True
            return fault
        return None

    def answer(
        self, method: str, path: str, params: list[tuple[str, str]], body: bytes
    ) -> tuple[int, dict[str, str], bytes, bool, Any]:
        """(status, headers, body, truncate, action) for one request.

        ``action`` is None, ``"reset"`` or ``("stall", seconds)``.
        """
        with self._lock:
            self.requests.append((method, path, params, body))
            fault = self._next_fault(path)
            matches = [r for r in self.routes if self._matches(r, method, path, params)]
            route = next((r for r in matches if r.uses == 0), matches[-1] if matches else None)
            if fault is not None and fault.reset:
                return 0, {}, b"", False, "reset"
            if fault is not None and fault.redirect:
                query = urlencode(params)
                target = fault.redirect.rstrip("/") + path + (f"?{query}" if query else "")
                return 302, {"Location": target}, b"", False, None
            if fault is not None and fault.repeat_previous and path in self._last_body:
                headers = {"Content-Type": route.content_type if route else fault.content_type}
                return 200, headers, self._last_body[path], False, None
            plain = (
                fault is not None
                and fault.body is None
                and not (fault.truncate or fault.transform or fault.stall or fault.repeat_previous)
            )
            if plain:
                headers = {"Content-Type": fault.content_type, **fault.headers}
                message = json.dumps({"message": f"injected HTTP {fault.status}"}).encode()
                return fault.status, headers, message, False, None
            if fault is not None and fault.body is not None:
                headers = {"Content-Type": fault.content_type, **fault.headers}
                return fault.status, headers, fault.body, False, None
            if route is None:
                message = json.dumps(
                    {"message": f"no recorded response for {method} {path}?{params}"}
                ).encode()
                return 404, {"Content-Type": "application/json"}, message, False, None
            headers = {"Content-Type": route.content_type, **route.headers}
            if fault is not None and fault.transform is not None:
                return route.status, headers, fault.transform(route.body), False, None
            if fault is not None and fault.stall:  # the client gives up; a retry gets it
                return route.status, headers, route.body, False, ("stall", fault.stall)
            if fault is not None:  # truncated: the route is not used up, a retry gets it
                return route.status, headers, route.body, True, None
            route.uses += 1
            self._last_body[path] = route.body
            return route.status, headers, route.body, False, None


def _make_handler(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            params = parse_qsl(parts.query, keep_blank_values=True)
            with server._lock:
                server.request_headers.append(dict(self.headers.items()))
            status, headers, payload, truncate, *rest = server.answer(
                self.command, parts.path, params, body
            )
            action = rest[0] if rest else None
            if action == "reset":  # SO_LINGER 0: close() sends a TCP reset
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                return
            if isinstance(action, tuple) and action[0] == "stall":
                # not time.sleep: tests replace it to skip the client's backoff waits
                threading.Event().wait(action[1])
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                if truncate:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload[: len(payload) // 2] if truncate else payload)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):  # the client stopped waiting
                self.close_connection = True
                return
            if truncate:
                self.close_connection = True

        do_GET = _handle
        do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler
