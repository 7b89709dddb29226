"""The one HTTP layer of every remote source: rate limit, retries, archive, replay and resume.

Every client (search, citations, full-text lookups) talks to its API through
:class:`ApiSession`, so that:

* requests are spaced to the source's documented rate limit;
* 429, 5xx, broken connections, stalls, truncated bodies and 200 answers whose body is not
  the JSON or XML the API serves (an HTML error page from a proxy, a document cut off
  mid-way) are retried with exponential backoff that honours ``Retry-After`` (the only
  retry loop in the package, :meth:`ApiSession._send`); the error after the last attempt
  names what came back ("an HTML page (Service Unavailable)", "truncated JSON");
* a host that cannot be reached at all (its name does not resolve, the connection is
  refused, no route) is not retried: that is a machine offline, not a busy server, and the
  error says so at once, with the hint to replay the archive;
* other 4xx answers raise :class:`~reviewflow.errors.SourceError` with the API's own message;
* redirects are followed here, not by ``requests``: one to another origin (scheme, host or
  port) drops the secret headers (``x-api-key``) and secret parameters, and the archive
  records the URL that answered (``final_url``);
* every request (method, path, parameters without secrets, time, status) and its raw body
  is archived under ``archive_dir`` (``requests.jsonl`` + ``bodies/000001.json.gz``), so a
  run can be audited byte for byte; secrets never reach an archive, a log or an error
  message (:func:`reviewflow.logs.redact`, every encoding);
* ``replay=True`` serves every request from that archive and never touches the network;
* a live session whose ``archive_dir`` already holds an archive (an interrupted run) serves
  the requests it already has from there and only sends the missing ones: the archive of
  completed pages is the checkpoint, so a search stopped at page 37 resumes at page 37.

Archive format (one JSON object per line of ``requests.jsonl``)::

    {"seq": 1, "method": "GET", "path": "works", "params": [["filter", "..."]],
     "json": null, "url": "https://api.openalex.org/works?filter=...", "time": "...Z",
     "status": 200, "content_type": "application/json", "body": "bodies/000001.json.gz",
     "bytes": 12345, "sha256": "...", "final": true}

``final`` is false for answers with a retriable status (429, 5xx: retried, or given up on),
for bodies that were not the expected format (``"problem"`` says what they were) and for
pages a client set aside (an empty page in the middle of paging, a repeated page): they stay
in the archive for the audit, and replay and resume skip them, so a resumed run asks for
those pages again. ``final_url`` is present when a redirect was followed.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import errno
import gzip
import hashlib
import json
import logging
import os
import re
import socket
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from xml.parsers import expat

import requests

from reviewflow.errors import DataError, SourceError
from reviewflow.io import atomic_write_bytes, atomic_write_text
from reviewflow.logs import redact, redact_bytes

__all__ = [
    "ARCHIVE_INDEX",
    "REPLAY_HINT",
    "ApiResponse",
    "ApiSession",
    "archive_entries",
    "body_problem",
    "read_archive_body",
    "short_url",
]

log = logging.getLogger(__name__)

#: Name of the request index inside an archive folder.
ARCHIVE_INDEX = "requests.jsonl"

#: Statuses worth another try: rate limited, or the server (or a proxy) failing for a moment.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

#: Redirect statuses followed (303, and 301/302 after a POST, turn into a GET, as browsers do).
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

#: Longest wait between attempts, whatever ``Retry-After`` asks for (seconds).
MAX_BACKOFF = 120.0

#: Headers that carry credentials: never archived, dropped on a redirect to another origin.
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "cookie", "proxy-authorization"})

#: What to tell a user whose machine cannot reach an API.
REPLAY_HINT = (
    "no network? rerun from the archived answers with --config replay=true "
    "(reviewflow search: --replay --archive DIR)"
)

#: Longest URL written into a log line or an error message; the archive keeps the whole.
URL_LIMIT = 200

_EXTENSIONS = (("json", "json"), ("xml", "xml"), ("html", "html"), ("text", "txt"))

#: socket errors that mean "this host cannot be reached from here", not "try again".
_UNREACHABLE_ERRNOS = frozenset({errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH})

ParamsLike = Mapping[str, Any] | Iterable[tuple[str, Any]] | None


def _utc_now() -> str:
    now = dt.datetime.now(dt.UTC)
    return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _param_pairs(params: ParamsLike) -> list[tuple[str, str]]:
    """Parameters as ``(name, value)`` string pairs in the caller's order (None dropped)."""
    if params is None:
        return []
    items = params.items() if isinstance(params, Mapping) else params
    pairs: list[tuple[str, str]] = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, list | tuple):
            pairs.extend((str(key), _param_text(v)) for v in value)
        else:
            pairs.append((str(key), _param_text(value)))
    return pairs


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _body_key(payload: Any) -> str:
    return "" if payload is None else json.dumps(payload, sort_keys=True, ensure_ascii=False)


def _extension(content_type: str) -> str:
    lowered = content_type.lower()
    for marker, ext in _EXTENSIONS:
        if marker in lowered:
            return ext
    return "bin"


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _api_message(body: bytes) -> str:
    """The error text an API put in its body (JSON ``message``/``error`` or the start of it).

    Crossref's ``validation-failure`` answers hold a list of ``{type, value, message}``:
    their messages are joined, so the user reads "Filter from-pub-date specified but..."
    rather than a JSON dump.
    """
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:300]
    if isinstance(data, dict):
        for key in ("message", "error", "detail", "errorMessage", "errMsg", "msg"):
            value = data.get(key)
            if not value:
                continue
            if isinstance(value, list) and all(isinstance(v, dict) for v in value):
                parts = [str(v.get("message") or v.get("value") or "") for v in value]
                if any(parts):
                    return "; ".join(p for p in parts if p)[:300]
            if isinstance(value, list | dict):
                return json.dumps(value, ensure_ascii=False)[:300]
            return str(value)[:300]
    return text[:300]


def short_url(url: str, limit: int = URL_LIMIT) -> str:
    """A URL cut to ``limit`` characters for logs and messages, keeping both ends.

    A real strategy makes a request URL of a thousand characters; the start names the API
    and the query, the end the page (cursor, retstart), which is what a reader needs.
    """
    if len(url) <= limit:
        return url
    tail = limit // 3
    return f"{url[: limit - tail - 1]}…{url[-tail:]}"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _without_params(url: str, names: Iterable[str]) -> str:
    drop = set(names)
    if not drop:
        return url
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in drop]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _html_title(body: bytes) -> str:
    found = re.search(rb"<title[^>]*>(.*?)</title>", body[:8192], re.IGNORECASE | re.DOTALL)
    if not found:
        return ""
    return " ".join(found.group(1).decode("utf-8", errors="replace").split())[:80]


class _EntityRefused(Exception):
    pass


def _refuse_entities(*_: Any) -> None:
    raise _EntityRefused


def _xml_problem(body: bytes) -> str | None:
    """Whether ``body`` is well-formed XML, read with expat and no entity expansion."""
    parser = expat.ParserCreate()
    # as defusedxml does: an API never needs entity declarations, an attacker might
    parser.EntityDeclHandler = _refuse_entities
    parser.UnparsedEntityDeclHandler = _refuse_entities
    try:
        parser.Parse(body, True)
    except _EntityRefused:
        return "XML declaring entities (refused)"
    except expat.ExpatError as exc:
        codes = expat.errors.codes
        ended_early = {
            codes[expat.errors.XML_ERROR_NO_ELEMENTS],
            codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN],
            codes[expat.errors.XML_ERROR_PARTIAL_CHAR],
            codes[expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION],
        }
        at = parser.ErrorByteIndex
        if exc.code in ended_early or at < 0 or at >= len(body.rstrip()) - 1:
            return f"truncated XML (cut off after {len(body)} bytes)"
        message = expat.errors.messages.get(exc.code, str(exc))
        return f"malformed XML ({message} at line {exc.lineno}, column {exc.offset})"
    return None


def _json_problem(body: bytes) -> tuple[str | None, Any]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return f"a body that is not UTF-8 text ({exc.reason} at byte {exc.start})", None
    try:
        return None, json.loads(text)
    except ValueError as exc:
        error = exc if isinstance(exc, json.JSONDecodeError) else None
        end = len(text.rstrip())
        if error is not None and (error.pos >= end - 1 or error.msg.startswith("Unterminated")):
            return f"truncated JSON (cut off after {len(body)} bytes)", None
        where = f" at line {error.lineno}, column {error.colno}" if error is not None else ""
        reason = error.msg if error is not None else str(exc)
        start = text.lstrip()[:40]
        return f"malformed JSON ({reason}{where}; it starts {start!r})", None


def body_problem(body: bytes, content_type: str, expect: str | None) -> tuple[str | None, Any]:
    """What is wrong with a 2xx body that should be ``expect`` (json, xml), and the parsed JSON.

    Returns ``(None, parsed)`` for a good body (``parsed`` is the JSON value, or None for
    XML), else a description of what came back instead: "an empty body", "an HTML page
    (Service Unavailable)", "truncated JSON (cut off after 5120 bytes)".
    """
    if expect is None:
        return None, None
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        return "an empty body", None
    head = stripped[:256].lower()
    if head.startswith((b"<!doctype html", b"<html")) or (
        "html" in content_type.lower() and not head.startswith((b"{", b"["))
    ):
        title = _html_title(stripped)
        return ("an HTML page" + (f" ({title})" if title else "")), None
    if expect == "json":
        return _json_problem(body)
    if expect == "xml":
        return _xml_problem(body), None
    return None, None


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost error of a requests/urllib3 exception chain (the socket's own)."""
    seen: set[int] = set()
    current: BaseException = exc
    while id(current) not in seen:
        seen.add(id(current))
        nxt = getattr(current, "reason", None)
        if not isinstance(nxt, BaseException):
            args = [a for a in getattr(current, "args", ()) if isinstance(a, BaseException)]
            nxt = args[0] if args else (current.__cause__ or current.__context__)
        if not isinstance(nxt, BaseException):
            break
        current = nxt
    return current


def _chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    stack = [exc]
    while stack:
        current = stack.pop()
        if any(current is f for f in found):
            continue
        found.append(current)
        for nxt in (getattr(current, "reason", None), current.__cause__, current.__context__):
            if isinstance(nxt, BaseException):
                stack.append(nxt)
        stack.extend(a for a in getattr(current, "args", ()) if isinstance(a, BaseException))
    return found


def _unreachable(exc: BaseException) -> str | None:
    """Why no connection can be made at all (name, refusal, no route), or None if transient."""
    chain = _chain(exc)
    for item in chain:
        if isinstance(item, socket.gaierror) or type(item).__name__ == "NameResolutionError":
            return "its name does not resolve"
    for item in chain:
        if isinstance(item, OSError) and item.errno in _UNREACHABLE_ERRNOS:
            return {
                errno.ECONNREFUSED: "the connection was refused",
                errno.ENETUNREACH: "the network is unreachable",
                errno.EHOSTUNREACH: "there is no route to it",
            }[item.errno]
    text = str(exc)
    if "Failed to resolve" in text or "Name or service not known" in text:
        return "its name does not resolve"
    if "Connection refused" in text:
        return "the connection was refused"
    return None


def _describe(exc: requests.exceptions.RequestException, timeout: float) -> str:
    """A short account of a failed attempt, without the URL requests puts in its messages."""
    if isinstance(exc, requests.exceptions.Timeout):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError) and "truncated body" in str(exc):
        return str(exc)
    incomplete = re.search(r"IncompleteRead\((\d+) bytes read, (\d+) more expected", str(exc))
    if incomplete:
        got, more = int(incomplete.group(1)), int(incomplete.group(2))
        return f"truncated body: {got} of {got + more} bytes"
    cause = _root_cause(exc)
    if isinstance(cause, ConnectionResetError):
        return "the connection was reset"
    if isinstance(cause, OSError) and cause.strerror:
        return f"{type(exc).__name__}: {cause.strerror}"
    text = re.sub(r"https?://\S+|/\S*\?\S+", "…", str(cause))
    return f"{type(exc).__name__}: {text[:160]}"


class ApiResponse:
    """One answer of an API: status, raw bytes, a few headers, and where it came from.

    ``url`` has secret parameters removed, so it can go into logs and error messages;
    ``final_url`` is the URL that answered when a redirect was followed (else ``url``).
    ``retrieved_at`` is when the body was fetched: the archived time in replay, so that
    replayed records are byte-identical to the ones first written.
    """

    def __init__(
        self,
        *,
        source: str,
        status: int,
        body: bytes,
        headers: Mapping[str, str],
        url: str,
        retrieved_at: str,
        archive_ref: str = "",
        from_archive: bool = False,
        on_bad_body: Callable[[ApiResponse], None] | None = None,
        final_url: str = "",
        parsed: Any = None,
    ) -> None:
        self.source = source
        self.status = status
        self.body = body
        self.headers = dict(headers)
        self.url = url
        self.final_url = final_url or url
        self.retrieved_at = retrieved_at
        #: archive body file (``bodies/000003.json.gz``) the body is stored in, or ``""``.
        self.archive_ref = archive_ref
        self.from_archive = from_archive
        self._on_bad_body = on_bad_body
        self._parsed = parsed

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; a body that is not JSON is an error naming source and request."""
        if self._parsed is not None:
            return self._parsed
        problem, parsed = _json_problem(self.body)
        if problem is not None:
            self.reject(problem)
        self._parsed = parsed
        return parsed

    def set_aside(self) -> None:
        """Keep this body in the archive for the audit, but never resume or replay from it.

        Clients call this for a page that parsed but cannot be the database's answer (an
        empty page in the middle of paging, the previous page again) before they ask for
        it once more; the retried answer takes its place in the checkpoint.
        """
        if self._on_bad_body is not None:
            self._on_bad_body(self)

    def reject(self, reason: str) -> None:
        """Give up on this body: it is dropped from a resume checkpoint, then an error raised.

        Clients call this when a body they fetched cannot be parsed (malformed XML, a page
        without the fields the API documents), so the next run asks for it again instead of
        resuming from a bad page.
        """
        self.set_aside()
        raise SourceError(reason, source=self.source, url=short_url(self.url))

    def __repr__(self) -> str:
        return f"ApiResponse({self.source!r}, status={self.status}, url={self.url!r})"


class ApiSession:
    """HTTP for one remote source: rate-limited, retried, archived, replayable, resumable.

    ``secret_params`` are query parameter names (``api_key``) sent to the API but never
    written to the archive, a log or an error message; secret headers (``x-api-key``) are
    never archived at all, and neither follows a redirect to another origin. Matching in
    replay and resume is on (method, path, parameters without secrets, JSON body);
    identical repeated requests are served in recorded order. ``expect`` (``"json"``,
    ``"xml"`` or None) is the body format every 2xx answer must have; a body that is not
    (HTML, truncated) is retried like a 5xx.
    """

    def __init__(
        self,
        source: str,
        base_url: str,
        *,
        archive_dir: str | os.PathLike[str] | None,
        replay: bool = False,
        requests_per_second: float,
        max_retries: int = 5,
        timeout: float = 60,
        secret_params: tuple[str, ...] = (),
        headers: Mapping[str, str] | None = None,
        session: requests.Session | None = None,
        backoff: float = 1.0,
        expect: str | None = None,
        max_redirects: int = 5,
    ) -> None:
        if requests_per_second <= 0:
            raise ValueError("requests_per_second must be positive")
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.archive_dir = Path(archive_dir) if archive_dir is not None else None
        self.replay = replay
        self.min_interval = 1.0 / requests_per_second
        self.max_retries = max_retries
        self.timeout = timeout
        self.secret_params = tuple(secret_params)
        self.headers = dict(headers or {})
        self.backoff = backoff
        self.expect = expect
        self.max_redirects = max_redirects
        self._http = session
        #: requests answered (from the network or the archive), one per call of get/post.
        self.requests_made = 0
        #: HTTP requests actually sent, retries and redirects included.
        self.network_requests = 0
        #: requests answered from an existing archive (replay or resume).
        self.archived_requests = 0
        self.sleep: Callable[[float], None] = time.sleep
        self._last_sent = 0.0
        self._seq = 0
        self._archived: dict[tuple[str, str, str, str], deque[dict[str, Any]]] = defaultdict(deque)
        if self.replay and (self.archive_dir is None or not self._index_path().is_file()):
            where = self.archive_dir if self.archive_dir is not None else "(no archive_dir)"
            raise SourceError(
                f"replay asked for, but there is no archive at {where}", source=source
            )
        if self.archive_dir is not None and self._index_path().is_file():
            self._load_archive()

    # -- public API --------------------------------------------------------------------

    def get(self, path: str, params: ParamsLike = None, *, expect: str | None = "") -> ApiResponse:
        """GET ``path``; ``expect`` overrides the session's body format for this request."""
        return self._request("GET", path, params=params, payload=None, expect=expect)

    def post(
        self, path: str, *, json: Any = None, params: ParamsLike = None, expect: str | None = ""
    ) -> ApiResponse:
        return self._request("POST", path, params=params, payload=json, expect=expect)

    def public_url(self, path: str, params: ParamsLike = None) -> str:
        """The full request URL with secret parameters removed (for logs and audits)."""
        return self._url(path, self._public_pairs(_param_pairs(params)))

    def can_answer(self, path: str, params: ParamsLike = None, *, method: str = "GET") -> bool:
        """Whether asking again can bring an answer: always live; in replay, if one is left.

        A client that retries a suspicious page asks this first, so that a replay follows
        the recorded run exactly: it retries as often as the live run did, then stops.
        """
        if not self.replay:
            return True
        key = self._key(method, path, self._public_pairs(_param_pairs(params)), "")
        return bool(self._archived.get(key))

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    # -- internals ---------------------------------------------------------------------

    def _index_path(self) -> Path:
        assert self.archive_dir is not None
        return self.archive_dir / ARCHIVE_INDEX

    def _url(self, path: str, pairs: list[tuple[str, str]]) -> str:
        url = f"{self.base_url}/{path.lstrip('/')}" if path else self.base_url
        return f"{url}?{urlencode(pairs)}" if pairs else url

    def _public_pairs(self, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(k, v) for k, v in pairs if k not in self.secret_params]

    def _secret_values(self, pairs: list[tuple[str, str]]) -> list[str]:
        values = [v for k, v in pairs if k in self.secret_params]
        values += [v for k, v in self.headers.items() if k.lower() in SECRET_HEADERS]
        return values

    @staticmethod
    def _key(
        method: str, path: str, pairs: list[tuple[str, str]], payload: str
    ) -> tuple[str, str, str, str]:
        return (method, path.lstrip("/"), json.dumps(sorted(pairs)), payload)

    def _load_archive(self) -> None:
        for entry in archive_entries(self.archive_dir):  # type: ignore[arg-type]
            self._seq = max(self._seq, int(entry["seq"]))
            if not entry.get("final", True):
                continue
            pairs = [(str(k), str(v)) for k, v in entry.get("params", [])]
            payload = _body_key(entry.get("json"))
            key = self._key(entry["method"], entry["path"], pairs, payload)
            self._archived[key].append(entry)

    def _request(
        self, method: str, path: str, *, params: ParamsLike, payload: Any, expect: str | None
    ) -> ApiResponse:
        pairs = _param_pairs(params)
        public = self._public_pairs(pairs)
        key = self._key(method, path, public, _body_key(payload))
        self.requests_made += 1
        queue = self._archived.get(key)
        if queue:
            entry = queue.popleft()
            self.archived_requests += 1
            return self._from_archive(entry)
        url = self._url(path, public)
        if self.replay:
            raise SourceError(
                f"request not in archive {self.archive_dir} (replay mode never uses the "
                "network; rerun without replay to fetch it)",
                source=self.source,
                url=short_url(url),
            )
        wanted = self.expect if expect == "" else expect
        return self._send(method, path, pairs, public, payload, url, wanted)

    def _from_archive(self, entry: dict[str, Any]) -> ApiResponse:
        assert self.archive_dir is not None
        body = read_archive_body(self.archive_dir, entry)
        response = ApiResponse(
            source=self.source,
            status=int(entry["status"]),
            body=body,
            headers={"Content-Type": entry.get("content_type", "")},
            url=entry.get("url", ""),
            retrieved_at=entry["time"],
            archive_ref=entry.get("body", ""),
            from_archive=True,
            on_bad_body=None if self.replay else self._drop_from_checkpoint,
            final_url=entry.get("final_url", ""),
        )
        self._raise_for_status(response)
        return response

    def _wait_for_rate_limit(self) -> None:
        wait = self._last_sent + self.min_interval - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last_sent = time.monotonic()

    def _exchange(
        self, method: str, full_url: str, pairs: list[tuple[str, str]], payload: Any
    ) -> tuple[requests.Response, str]:
        """One request and the redirects it leads to: the answer, and the URL that gave it
        after a redirect (``""`` when there was none).

        Redirects are followed here so that credentials never follow one to another origin:
        ``requests`` drops ``Authorization`` there, but not an ``x-api-key`` header or a key
        in the query string.
        """
        assert self._http is not None
        headers = dict(self.headers)
        origin = _origin(full_url)
        url, params, body = full_url, pairs or None, payload
        for _ in range(self.max_redirects + 1):
            self.network_requests += 1
            raw = self._http.request(
                method,
                url,
                params=params,
                json=body,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
            location = raw.headers.get("Location")
            if raw.status_code not in REDIRECT_STATUSES or not location:
                return raw, "" if url == full_url else url
            target = urljoin(raw.url, location)
            raw.close()
            if _origin(target) != origin:
                headers = {k: v for k, v in headers.items() if k.lower() not in SECRET_HEADERS}
                target = _without_params(target, self.secret_params)
                log.info(
                    "%s: redirected to another origin (%s); credentials not sent there",
                    self.source, short_url(redact(target)),
                )  # fmt: skip
            if raw.status_code == 303 or (raw.status_code in (301, 302) and method == "POST"):
                method, body = "GET", None
            url, params = target, None
        raise requests.exceptions.TooManyRedirects(f"more than {self.max_redirects} redirects")

    def _send(
        self,
        method: str,
        path: str,
        pairs: list[tuple[str, str]],
        public: list[tuple[str, str]],
        payload: Any,
        url: str,
        expect: str | None,
    ) -> ApiResponse:
        """Send with retries: the package's one retry loop (429/5xx/connection/bad bodies)."""
        if self._http is None:
            self._http = requests.Session()
        full_url = f"{self.base_url}/{path.lstrip('/')}" if path else self.base_url
        secrets = self._secret_values(pairs)
        shown = short_url(url)
        attempt = 0
        while True:
            attempt += 1
            self._wait_for_rate_limit()
            started = _utc_now()
            problem: str
            wait: float | None = None
            try:
                raw, redirected_to = self._exchange(method, full_url, pairs, payload)
                body = raw.content
                expected = raw.headers.get("Content-Length")
                encoded = raw.headers.get("Content-Encoding", "identity") != "identity"
                if expected is not None and not encoded and int(expected) != len(body):
                    raise requests.exceptions.ChunkedEncodingError(
                        f"truncated body: {len(body)} of {expected} bytes"
                    )
            except requests.exceptions.RequestException as exc:
                why = _unreachable(exc)
                if why is not None:
                    host = urlsplit(full_url).netloc
                    raise SourceError(
                        f"cannot reach {host}: {why}; {REPLAY_HINT}", source=self.source
                    ) from None
                problem = redact(_describe(exc, self.timeout), secrets)
            else:
                content_type = raw.headers.get("Content-Type", "")
                final_url = redact(redirected_to, secrets)
                bad_body, parsed = (None, None)
                if 200 <= raw.status_code < 300:
                    bad_body, parsed = body_problem(body, content_type, expect)
                retriable = raw.status_code in RETRY_STATUSES or bad_body is not None
                entry = self._archive(
                    method, path, public, payload, url, started, raw.status_code,
                    content_type, body, final=not retriable, problem=bad_body,
                    final_url=final_url, secrets=secrets,
                )  # fmt: skip
                response = ApiResponse(
                    source=self.source,
                    status=raw.status_code,
                    body=body,
                    headers=raw.headers,
                    url=url,
                    retrieved_at=started,
                    archive_ref=entry.get("body", "") if entry else "",
                    on_bad_body=self._drop_from_checkpoint,
                    final_url=final_url,
                    parsed=parsed,
                )
                if not retriable:
                    self._raise_for_status(response)
                    return response
                if bad_body is not None:
                    problem = (
                        f"HTTP {raw.status_code} with {bad_body} instead of {str(expect).upper()}"
                    )
                else:
                    message = _api_message(body) or "(empty body)"
                    problem = redact(f"HTTP {raw.status_code}: {message}", secrets)
                wait = _retry_after(raw.headers.get("Retry-After"))
            if attempt > self.max_retries:
                raise SourceError(
                    f"gave up after {attempt} attempts: {problem}", source=self.source, url=shown
                )
            if wait is None:
                wait = self.backoff * 2 ** (attempt - 1)
            wait = min(wait, MAX_BACKOFF)
            log.warning(
                "%s: %s; retry %d of %d in %.1f s (%s)",
                self.source, problem, attempt, self.max_retries, wait, shown,
            )  # fmt: skip
            self.sleep(wait)

    def _raise_for_status(self, response: ApiResponse) -> None:
        if response.status < 400:
            return
        message = _api_message(response.body) or "(empty body)"
        raise SourceError(
            redact(f"HTTP {response.status}: {message}"),
            source=self.source,
            url=short_url(response.url),
            status=response.status,
        )

    def _archive(
        self,
        method: str,
        path: str,
        public: list[tuple[str, str]],
        payload: Any,
        url: str,
        started: str,
        status: int,
        content_type: str,
        body: bytes,
        *,
        final: bool,
        problem: str | None = None,
        final_url: str = "",
        secrets: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Write the body (gzip, fixed mtime) then append its index line; return the line.

        Secrets are removed first, from the index line and, should an API echo one, from the
        body (the line then says ``"redacted": true`` and the digest is of what is stored).
        """
        if self.archive_dir is None:
            return {}
        self._seq += 1
        ext = _extension(content_type)
        rel = f"bodies/{self._seq:06d}.{ext}.gz"
        target = self.archive_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        stored, redacted = redact_bytes(body, secrets)
        atomic_write_bytes(target, gzip.compress(stored, mtime=0))
        entry: dict[str, Any] = {
            "seq": self._seq,
            "method": method,
            "path": path.lstrip("/"),
            "params": [list(p) for p in public],
            "json": payload,
            "url": url,
            "time": started,
            "status": status,
            "content_type": content_type,
            "body": rel,
            "bytes": len(stored),
            "sha256": hashlib.sha256(stored).hexdigest(),
            "final": final,
        }
        if problem:
            entry["problem"] = problem
        if final_url:
            entry["final_url"] = final_url
        if redacted:
            entry["redacted"] = True
        line = redact(json.dumps(entry, ensure_ascii=False, sort_keys=True), secrets) + "\n"
        with open(self._index_path(), "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        return entry

    def _drop_from_checkpoint(self, response: ApiResponse) -> None:
        """Mark an archived body as unusable so a resumed run fetches it again."""
        if self.archive_dir is None or not response.archive_ref or self.replay:
            return
        index = self._index_path()
        if not index.is_file():
            return
        lines = []
        for entry in archive_entries(self.archive_dir):
            if entry.get("body") == response.archive_ref:
                entry["final"] = False
                entry["rejected"] = True
            lines.append(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        atomic_write_text(index, "".join(lines))


def archive_entries(archive_dir: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The index lines of an archive, in order; a last line cut off by a crash is ignored."""
    index = Path(archive_dir) / ARCHIVE_INDEX
    if not index.is_file():
        return []
    entries = []
    lines = index.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line))
        except ValueError:
            if number == len(lines):
                log.warning("%s: ignoring a cut-off last line %d", index, number)
                continue
            raise DataError(
                "archive index line is not JSON", path=str(index), line=number
            ) from None
    return entries


def read_archive_body(archive_dir: str | os.PathLike[str], entry: Mapping[str, Any]) -> bytes:
    """The raw body of one archived response, checked against its recorded sha256."""
    path = Path(archive_dir) / str(entry["body"])
    try:
        body = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DataError(f"archived body unreadable: {exc}", path=str(path)) from exc
    digest = entry.get("sha256")
    if digest and hashlib.sha256(body).hexdigest() != digest:
        raise DataError("archived body does not match its sha256", path=str(path))
    return body
