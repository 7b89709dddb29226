"""The one HTTP layer of every remote source: rate limit, retries, archive, replay and resume.

Every client (search, citations, full-text lookups) talks to its API through
:class:`ApiSession`, so that:

* requests are spaced to the source's documented rate limit;
* 429, 5xx, broken connections and truncated bodies are retried with exponential backoff
  that honours ``Retry-After`` (the only retry loop in the package, :meth:`ApiSession._send`);
* other 4xx answers raise :class:`~reviewflow.errors.SourceError` with the API's own message;
* every request (method, path, parameters without secrets, time, status) and its raw body
  is archived under ``archive_dir`` (``requests.jsonl`` + ``bodies/000001.json.gz``), so a
  run can be audited byte for byte;
* ``replay=True`` serves every request from that archive and never touches the network;
* a live session whose ``archive_dir`` already holds an archive (an interrupted run) serves
  the requests it already has from there and only sends the missing ones: the archive of
  completed pages is the checkpoint, so a search stopped at page 37 resumes at page 37.

Archive format (one JSON object per line of ``requests.jsonl``)::

    {"seq": 1, "method": "GET", "path": "works", "params": [["filter", "..."]],
     "json": null, "url": "https://api.openalex.org/works?filter=...", "time": "...Z",
     "status": 200, "content_type": "application/json", "body": "bodies/000001.json.gz",
     "bytes": 12345, "sha256": "...", "final": true}

``final`` is false for answers with a retriable status (429, 5xx: retried, or given up on)
and for bodies a client rejected as unparseable: they stay in the archive for the audit,
and replay and resume skip them, so a resumed run asks for those pages again.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import hashlib
import json
import logging
import os
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from reviewflow.errors import DataError, SourceError
from reviewflow.io import atomic_write_bytes, atomic_write_text

__all__ = [
    "ARCHIVE_INDEX",
    "ApiResponse",
    "ApiSession",
    "archive_entries",
    "read_archive_body",
]

log = logging.getLogger(__name__)

#: Name of the request index inside an archive folder.
ARCHIVE_INDEX = "requests.jsonl"

#: Statuses worth another try: rate limited, or the server (or a proxy) failing for a moment.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

#: Longest wait between attempts, whatever ``Retry-After`` asks for (seconds).
MAX_BACKOFF = 120.0

_EXTENSIONS = (("json", "json"), ("xml", "xml"), ("html", "html"), ("text", "txt"))

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
    """The error text an API put in its body (JSON ``message``/``error`` or the start of it)."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:300]
    if isinstance(data, dict):
        for key in ("message", "error", "detail", "errorMessage", "msg"):
            value = data.get(key)
            if value:
                if isinstance(value, list | dict):
                    return json.dumps(value, ensure_ascii=False)[:300]
                return str(value)[:300]
    return text[:300]


class ApiResponse:
    """One answer of an API: status, raw bytes, a few headers, and where it came from.

    ``url`` has secret parameters removed, so it can go into logs and error messages.
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
    ) -> None:
        self.source = source
        self.status = status
        self.body = body
        self.headers = dict(headers)
        self.url = url
        self.retrieved_at = retrieved_at
        #: archive body file (``bodies/000003.json.gz``) the body is stored in, or ``""``.
        self.archive_ref = archive_ref
        self.from_archive = from_archive
        self._on_bad_body = on_bad_body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; a body that is not JSON is an error naming source and request."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            self.reject(f"malformed JSON in response body ({exc})")
            raise AssertionError("unreachable") from exc

    def reject(self, reason: str) -> None:
        """Give up on this body: it is dropped from a resume checkpoint, then an error raised.

        Clients call this when a body they fetched cannot be parsed (malformed XML, a page
        without the fields the API documents), so the next run asks for it again instead of
        resuming from a bad page.
        """
        if self._on_bad_body is not None:
            self._on_bad_body(self)
        raise SourceError(reason, source=self.source, url=self.url)

    def __repr__(self) -> str:
        return f"ApiResponse({self.source!r}, status={self.status}, url={self.url!r})"


class ApiSession:
    """HTTP for one remote source: rate-limited, retried, archived, replayable, resumable.

    ``secret_params`` are query parameter names (``api_key``) sent to the API but never
    written to the archive, a log or an error message; secret headers (``x-api-key``) are
    never archived at all. Matching in replay and resume is on (method, path, parameters
    without secrets, JSON body); identical repeated requests are served in recorded order.
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
        self._http = session
        #: requests answered (from the network or the archive), one per call of get/post.
        self.requests_made = 0
        #: HTTP requests actually sent, retries included.
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

    def get(self, path: str, params: ParamsLike = None) -> ApiResponse:
        return self._request("GET", path, params=params, payload=None)

    def post(self, path: str, *, json: Any = None, params: ParamsLike = None) -> ApiResponse:
        return self._request("POST", path, params=params, payload=json)

    def public_url(self, path: str, params: ParamsLike = None) -> str:
        """The full request URL with secret parameters removed (for logs and audits)."""
        return self._url(path, self._public_pairs(_param_pairs(params)))

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

    def _request(self, method: str, path: str, *, params: ParamsLike, payload: Any) -> ApiResponse:
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
                url=url,
            )
        return self._send(method, path, pairs, public, payload, url)

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
        )
        self._raise_for_status(response)
        return response

    def _wait_for_rate_limit(self) -> None:
        wait = self._last_sent + self.min_interval - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last_sent = time.monotonic()

    def _send(
        self,
        method: str,
        path: str,
        pairs: list[tuple[str, str]],
        public: list[tuple[str, str]],
        payload: Any,
        url: str,
    ) -> ApiResponse:
        """Send with retries: the package's one retry loop (429/5xx/connection/truncation)."""
        if self._http is None:
            self._http = requests.Session()
        full_url = f"{self.base_url}/{path.lstrip('/')}" if path else self.base_url
        attempt = 0
        while True:
            attempt += 1
            self._wait_for_rate_limit()
            self.network_requests += 1
            started = _utc_now()
            problem: str
            wait: float | None = None
            try:
                raw = self._http.request(
                    method,
                    full_url,
                    params=pairs or None,
                    json=payload,
                    headers=self.headers,
                    timeout=self.timeout,
                )
                body = raw.content
                expected = raw.headers.get("Content-Length")
                encoded = raw.headers.get("Content-Encoding", "identity") != "identity"
                if expected is not None and not encoded and int(expected) != len(body):
                    raise requests.exceptions.ChunkedEncodingError(
                        f"truncated body: {len(body)} of {expected} bytes"
                    )
            except requests.exceptions.RequestException as exc:
                problem = f"{type(exc).__name__}: {exc}"
                problem = problem.replace(full_url, url)
                for name, value in pairs:
                    if name in self.secret_params:
                        problem = problem.replace(value, "***")
            else:
                content_type = raw.headers.get("Content-Type", "")
                retry = raw.status_code in RETRY_STATUSES and attempt <= self.max_retries
                entry = self._archive(
                    method, path, public, payload, url, started, raw.status_code,
                    content_type, body, final=raw.status_code not in RETRY_STATUSES,
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
                )
                if not retry:
                    if raw.status_code in RETRY_STATUSES:
                        message = _api_message(body) or "(empty body)"
                        raise SourceError(
                            f"gave up after {attempt} attempts: HTTP {raw.status_code}: {message}",
                            source=self.source,
                            url=url,
                        )
                    self._raise_for_status(response)
                    return response
                problem = f"HTTP {raw.status_code}"
                wait = _retry_after(raw.headers.get("Retry-After"))
            if attempt > self.max_retries:
                raise SourceError(
                    f"gave up after {attempt} attempts: {problem}", source=self.source, url=url
                )
            if wait is None:
                wait = self.backoff * 2 ** (attempt - 1)
            wait = min(wait, MAX_BACKOFF)
            log.warning(
                "%s: %s; retry %d of %d in %.1f s (%s)",
                self.source, problem, attempt, self.max_retries, wait, url,
            )  # fmt: skip
            self.sleep(wait)

    def _raise_for_status(self, response: ApiResponse) -> None:
        if response.status < 400:
            return
        message = _api_message(response.body) or "(empty body)"
        raise SourceError(
            f"HTTP {response.status}: {message}", source=self.source, url=response.url
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
    ) -> dict[str, Any]:
        """Write the body (gzip, fixed mtime) then append its index line; return the line."""
        if self.archive_dir is None:
            return {}
        self._seq += 1
        ext = _extension(content_type)
        rel = f"bodies/{self._seq:06d}.{ext}.gz"
        target = self.archive_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, gzip.compress(body, mtime=0))
        entry = {
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
            "bytes": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
            "final": final,
        }
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
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
