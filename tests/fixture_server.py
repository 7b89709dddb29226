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

Faults can be queued to test retries and errors: ``server.add_fault(status=429,
headers={"Retry-After": "1"})``, ``server.add_fault(status=500)``,
``server.add_fault(truncate=True)``, ``server.add_fault(body=b"{not json")``. Each fault
answers one request (optionally only requests whose path ends with ``path``) and is used up.

Example::

    with FixtureServer(routes_from_index(folder, base_path="/works")) as server:
        client = OpenAlexSource.from_settings({"base_url": server.url})
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

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
    """A one-off answer that takes the place of the route's (429, 500, truncated, junk)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    truncate: bool = False
    path: str = ""
    content_type: str = "application/json"


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

    def answer(
        self, method: str, path: str, params: list[tuple[str, str]], body: bytes
    ) -> tuple[int, dict[str, str], bytes, bool]:
        """(status, headers, body, truncate) for one request."""
        with self._lock:
            self.requests.append((method, path, params, body))
            for fault in self.faults:
                if not fault.path or path.endswith(fault.path):
                    self.faults.remove(fault)
                    break
            else:
                fault = None
            matches = [r for r in self.routes if self._matches(r, method, path, params)]
            route = next((r for r in matches if r.uses == 0), matches[-1] if matches else None)
            if fault is not None and fault.body is None and not fault.truncate:
                headers = {"Content-Type": fault.content_type, **fault.headers}
                message = json.dumps({"message": f"injected HTTP {fault.status}"}).encode()
                return fault.status, headers, message, False
            if fault is not None and fault.body is not None:
                headers = {"Content-Type": fault.content_type, **fault.headers}
                return fault.status, headers, fault.body, False
            if route is None:
                message = json.dumps(
                    {"message": f"no recorded response for {method} {path}?{params}"}
                ).encode()
                return 404, {"Content-Type": "application/json"}, message, False
            headers = {"Content-Type": route.content_type, **route.headers}
            if fault is not None:  # truncated: the route is not used up, a retry gets it
                return route.status, headers, route.body, True
            route.uses += 1
            return route.status, headers, route.body, False


def _make_handler(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            params = parse_qsl(parts.query, keep_blank_values=True)
            status, headers, payload, truncate = server.answer(
                self.command, parts.path, params, body
            )
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            if truncate:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2] if truncate else payload)
            self.wfile.flush()
            if truncate:
                self.close_connection = True

        do_GET = _handle
        do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler
