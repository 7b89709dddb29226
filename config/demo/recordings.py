"""Build the demo's archives from recorded API responses (cassettes, saved bodies).

The demo review replays real responses that other projects recorded for their own tests.
:func:`archive_from_recordings` (a search) and :func:`archive_citations_from_recordings`
(citation tracking) run reviewflow's own clients against those recordings (served
in-process by :class:`RecordingAdapter`, no network) and keep what the clients archived, so
the archive holds the requests reviewflow really sends and the bytes the databases really
answered. Each archive line also names the request the response was recorded for
(``recorded_request``) and its recording time, so nobody mistakes one for the other.

This is a tool of the demo, not of the product: the build scripts beside it
(``archive/build_demo_archive.py``, ``update/build_update_archive.py``) import it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
from requests.adapters import BaseAdapter

from reviewflow.io import atomic_write_text
from reviewflow.sources.base import SourceSettings
from reviewflow.sources.http import ARCHIVE_INDEX, archive_entries

__all__ = [
    "IGNORED_PARAMS",
    "Recording",
    "RecordingAdapter",
    "archive_citations_from_recordings",
    "archive_from_recordings",
    "recordings_from_index",
]

#: Parameters that do not decide which recorded answer fits a request: page sizes, field
#: lists, contact addresses and keys, which our clients choose differently from the
#: library that made the recording.
IGNORED_PARAMS = frozenset(
    {
        "mailto", "email", "tool", "api_key", "per-page", "per_page", "rows", "pageSize",
        "limit", "offset", "fields", "select", "retmax", "retstart", "format", "resultType",
        "retmode", "rettype",
    }
)  # fmt: skip


@dataclass
class Recording:
    """One recorded exchange: the request as recorded and the raw answer."""

    method: str
    url: str
    body: bytes
    status: int = 200
    content_type: str = "application/json"
    recorded_at: str = ""
    origin: str = ""
    #: how the recording's source describes the request (verbatim), when ``url`` was
    #: reduced to what identifies the answer.
    recorded_url: str = ""
    uses: int = 0


def recordings_from_index(
    folder: str | os.PathLike[str], include: Sequence[int] | None = None
) -> list[Recording]:
    """Recordings from a cassette's extracted ``requests.json`` index (in recorded order)."""
    folder = Path(folder)
    index = json.loads((folder / "requests.json").read_text(encoding="utf-8"))
    positions = list(include) if include is not None else list(range(len(index)))
    found = []
    for position in positions:
        entry = index[position]
        recorded = entry.get("recorded_at") or ""
        if recorded and "T" not in recorded:
            recorded = recorded.replace(" ", "T") + "Z"
        found.append(
            Recording(
                method=str(entry.get("method") or "GET").upper(),
                url=entry["url"],
                body=(folder / entry["file"]).read_bytes(),
                status=int(entry.get("status") or 200),
                content_type=entry.get("content_type") or "application/json",
                recorded_at=recorded,
                origin=f"{folder.name}/{entry['file']}",
            )
        )
    return found


class RecordingAdapter(BaseAdapter):
    """A ``requests`` transport answering from recordings, matched by path and key params.

    A recording fits a request when the paths end the same way (the API's base path may
    differ) and every recorded parameter outside ``ignore`` has the same value in the
    request. Identical requests get the fitting recordings in recorded order.
    """

    def __init__(
        self, recordings: Iterable[Recording], *, ignore: Iterable[str] = IGNORED_PARAMS
    ) -> None:
        super().__init__()
        self.recordings = list(recordings)
        self.ignore = frozenset(ignore)
        #: recording used for each request, in order (for provenance).
        self.served: list[Recording] = []

    def _fits(self, recording: Recording, method: str, path: str, params: set[Any]) -> bool:
        parts = urlsplit(recording.url)
        if recording.method != method:
            return False
        recorded_path = parts.path.rstrip("/")
        if not (recorded_path.endswith(path.rstrip("/")) or path.endswith(recorded_path)):
            return False
        wanted = [p for p in parse_qsl(parts.query, keep_blank_values=True)]
        return all(p in params for p in wanted if p[0] not in self.ignore)

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        parts = urlsplit(request.url or "")
        params = set(parse_qsl(parts.query, keep_blank_values=True))
        method = (request.method or "GET").upper()
        fits = [r for r in self.recordings if self._fits(r, method, parts.path, params)]
        response = requests.Response()
        response.url = request.url or ""
        response.request = request
        if not fits:
            response.status_code = 404
            response._content = json.dumps(
                {"message": f"no recording for {method} {request.url}"}
            ).encode()
            response.headers["Content-Type"] = "application/json"
            return response
        recording = next((r for r in fits if r.uses == 0), fits[-1])
        recording.uses += 1
        self.served.append(recording)
        response.status_code = recording.status
        response._content = recording.body
        response.headers["Content-Type"] = recording.content_type
        response.headers["Content-Length"] = str(len(recording.body))
        return response

    def close(self) -> None:
        return None


#: Parameters dropped from recorded URLs before they go into an archive.
SECRET_PARAMS = frozenset({"mailto", "email", "api_key", "key", "token_key"})


def _without_secrets(url: str) -> str:
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = [(k, v) for k, v in kept if k not in SECRET_PARAMS]
    return parts._replace(query=urlencode(kept)).geturl()


def archive_from_recordings(
    source: str,
    recordings: Sequence[Recording],
    archive_dir: str | os.PathLike[str],
    *,
    query: str,
    date_from: str | None = None,
    date_to: str | None = None,
    filters: Mapping[str, Any] | None = None,
    max_records: int | None = None,
    settings: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Run ``source``'s search against ``recordings`` and archive it into ``archive_dir``.

    Each archive line gets the recording's time as ``time`` (so replayed records carry the
    date the database answered, ``""`` where the recording has none), and
    ``recorded_request`` / ``recorded_file`` naming the exchange it came from. Returns a
    summary (hits, records, requests) for the provenance note.
    """
    from reviewflow.sources import SOURCES

    target = Path(archive_dir)
    if target.exists():
        shutil.rmtree(target)
    adapter = RecordingAdapter(recordings)
    http = requests.Session()
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    fast = dataclasses.replace(SourceSettings.of(settings), requests_per_second=1000.0)
    client = SOURCES[source].from_settings(fast, archive_dir=target, session=http)
    records = list(
        client.search(
            query, date_from=date_from, date_to=date_to, filters=filters, max_records=max_records
        )
    )
    entries = archive_entries(target)
    lines = []
    for entry, recording in zip(entries, adapter.served, strict=True):
        entry["time"] = recording.recorded_at
        if recording.recorded_url:  # the recording's own description, kept verbatim
            entry["recorded_request"] = recording.recorded_url
        else:
            entry["recorded_request"] = f"{recording.method} {_without_secrets(recording.url)}"
        entry["recorded_file"] = recording.origin
        lines.append(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
    atomic_write_text(target / ARCHIVE_INDEX, "".join(lines))
    return {
        "source": source,
        "query": query,
        "hits": client.hits or 0,
        "records": len(records),
        "requests": client.session.requests_made,
        "files": [r.origin for r in adapter.served],
    }


def archive_citations_from_recordings(
    recordings: Sequence[Recording],
    archive_dir: str | os.PathLike[str],
    *,
    seeds: Sequence[object],
    citations: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Chase ``seeds`` against recorded answers and keep what our clients archived.

    The citation counterpart of :func:`archive_from_recordings` (same in-process transport,
    same provenance fields on every archive line); ``citations`` is a ``citations`` block.
    """
    from reviewflow.citations.stage import CitationSettings, chase_citations, make_clients

    settings = CitationSettings.from_raw({**dict(citations or {}), "seeds": list(seeds)})
    target = Path(archive_dir)
    if target.exists():
        shutil.rmtree(target)
    adapter = RecordingAdapter(recordings)
    http = requests.Session()
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    fast = {name: {"requests_per_second": 1000} for name in settings.sources}
    clients = make_clients(settings.sources, fast, target, False, session=http)
    result, _ = chase_citations(
        settings.seeds,
        clients=clients,
        directions=settings.directions,
        depth=settings.depth,
        from_included=False,
        max_per_seed=settings.max_per_seed,
    )
    served = iter(adapter.served)
    for client in clients:
        folder = target / client.name
        lines = []
        for entry in archive_entries(folder):
            recording = next(served)
            entry["time"] = recording.recorded_at
            entry["recorded_request"] = f"{recording.method} {_without_secrets(recording.url)}"
            entry["recorded_file"] = recording.origin
            lines.append(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        atomic_write_text(folder / ARCHIVE_INDEX, "".join(lines))
    return {
        "records": len(result.records),
        "requests": sum(c.requests_made for c in clients),
        "counts": result.counts,
        "files": [r.origin for r in adapter.served],
    }
