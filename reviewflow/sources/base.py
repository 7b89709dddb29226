"""What every database client is: the ``Source`` base class the search stage calls.

It also holds what keeps a search whole: the one paging loop (:meth:`Source.paged`) that
compares what came back with what the database reported, asks again for a page that ends
the paging too early, and says why when the records still fall short; and the check of
database warnings (:meth:`Source.check_warnings`) that stops a search the database changed.
"""

from __future__ import annotations

import calendar
import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import requests

from reviewflow.errors import ConfigError, SourceError
from reviewflow.logs import register_secret
from reviewflow.settings import Settings
from reviewflow.sources.http import MAX_BACKOFF, ApiResponse, ApiSession, short_url

__all__ = [
    "PAGING_PARAMS",
    "Page",
    "Source",
    "SourceSettings",
    "SourcesSettings",
    "env_value",
    "full_date",
    "query_pairs",
    "warning_allowed",
]

log = logging.getLogger(__name__)


def env_value(name: str) -> str:
    """A secret or contact address from the environment ("" when unset), never from config.

    The value is registered with :func:`reviewflow.logs.register_secret`, so no log line,
    error message or archive ever shows it.
    """
    value = os.environ.get(name, "").strip()
    register_secret(value)
    return value


def full_date(value: str, *, start: bool) -> str:
    """``YYYY`` or ``YYYY-MM`` widened to the first (``start``) or last day it covers."""
    value = str(value)
    if len(value) == 4:
        return f"{value}-01-01" if start else f"{value}-12-31"
    if len(value) == 7:
        if start:
            return f"{value}-01"
        year, month = int(value[:4]), int(value[5:7])
        return f"{value}-{calendar.monthrange(year, month)[1]:02d}"
    return value


def warning_allowed(warning: str, allowed: Sequence[str]) -> bool:
    """Whether config accepts ``warning`` ("Kind: detail"): by kind, or the exact warning."""
    kind = warning.split(":", 1)[0].strip().lower()
    text = " ".join(warning.lower().split())
    for entry in allowed:
        wanted = " ".join(str(entry).lower().split())
        if wanted in (kind, text):
            return True
    return False


@dataclass(frozen=True)
class SourceSettings(Settings):
    """A ``sources.<name>`` block: how one API is reached (search, citations, full text).

    ``base_url`` and ``requests_per_second`` of None mean the client's own documented
    defaults; ``page_size`` None means the largest page the API serves.
    """

    SCHEMA: ClassVar[str] = "schemas/sources.schema.yaml#/$defs/source"

    base_url: str | None
    requests_per_second: float | None
    max_retries: int
    timeout: float
    page_size: int | None

    def session(
        self,
        source: str,
        *,
        default_base_url: str,
        default_requests_per_second: float,
        archive_dir: str | os.PathLike[str] | None,
        replay: bool = False,
        secret_params: tuple[str, ...] = (),
        headers: Mapping[str, str] | None = None,
        session: requests.Session | None = None,
        expect: str | None = "json",
    ) -> ApiSession:
        """The one way an :class:`ApiSession` is made: these settings over the API's own
        defaults, the reviewflow User-Agent, archive and replay as the stage runs."""
        from reviewflow import __version__

        return ApiSession(
            source,
            self.base_url or default_base_url,
            archive_dir=archive_dir,
            replay=replay,
            requests_per_second=self.requests_per_second or default_requests_per_second,
            max_retries=self.max_retries,
            timeout=self.timeout,
            secret_params=secret_params,
            headers={"User-Agent": f"reviewflow/{__version__}", **dict(headers or {})},
            session=session,
            expect=expect,
        )

    @classmethod
    def of(cls, settings: Mapping[str, Any] | SourceSettings | None) -> SourceSettings:
        """Settings as given, or a mapping filled with the schema's defaults (code building
        its own settings, e.g. a test server at 1000 requests/s: not bounded by the schema)."""
        if isinstance(settings, SourceSettings):
            return settings
        return cls.from_raw(settings or {}, source="sources.<name>", check=False)


@dataclass(frozen=True)
class SourcesSettings(Settings):
    """``sources``: where replayed answers are archived, and how each API is reached."""

    SCHEMA: ClassVar[str] = "schemas/sources.schema.yaml"

    archive_dir: str
    pubmed: SourceSettings
    europepmc: SourceSettings
    openalex: SourceSettings
    crossref: SourceSettings
    semanticscholar: SourceSettings
    unpaywall: SourceSettings

    def of(self, name: str) -> SourceSettings:
        """The block of one API by its config name (``searches[].source``)."""
        found = getattr(self, name, None)
        if not isinstance(found, SourceSettings):
            raise ConfigError(f"no sources.{name} block. Available options: {_SOURCE_NAMES}")
        return found


_SOURCE_NAMES = "pubmed, europepmc, openalex, crossref, semanticscholar, unpaywall"


@dataclass
class Page:
    """One page of a paged answer, as :meth:`Source.paged` needs it.

    ``next`` is what asks for the following page (a cursor, a token), None when the API
    gives none; ``path`` and ``params`` are the request, so that the loop can tell whether
    asking again can bring an answer (in replay, only if the run being replayed asked).
    """

    response: ApiResponse
    items: list[Any]
    total: int | None
    next: Any
    path: str
    params: Mapping[str, Any] | Sequence[tuple[str, Any]]


class Source(ABC):
    """A bibliographic database reached through its API.

    The search stage (:func:`reviewflow.sources.stage.run_search_stage`) and ``reviewflow
    search`` build one with :meth:`from_settings` and iterate :meth:`search`; citation
    tracking and full-text lookups reuse the same session (``self.session``) and the
    module-level ``parse_*`` functions of each client.

    Class attributes say what the API documents, so config only has to override them:
    ``default_base_url``, ``default_requests_per_second`` (the documented limit, or a polite
    share of it), ``max_page_size`` (the largest page the API serves, which keeps the
    number of requests at its minimum, hits / page size), ``body_format`` (what every
    answer must parse as), ``search_fields`` (where the query text can go, the default
    first) and ``ranking_note`` (what a reader of the report must know about the order).
    """

    name: ClassVar[str]
    default_base_url: ClassVar[str]
    default_requests_per_second: ClassVar[float]
    max_page_size: ClassVar[int]
    #: query parameters that carry secrets: sent, never archived or logged.
    secret_params: ClassVar[tuple[str, ...]] = ()
    #: the body format of every answer (``json`` or ``xml``); anything else is retried.
    body_format: ClassVar[str] = "json"
    #: where the query text can be sent, the default first (see the search line's
    #: ``search_field``).
    search_fields: ClassVar[tuple[str, ...]] = ("query",)
    #: a caveat on the order results come in, shown with every search of this source.
    ranking_note: ClassVar[str | None] = None

    def __init__(self, session: ApiSession) -> None:
        self.session = session
        #: the number of hits the database reported for the last search (None before one).
        self.hits: int | None = None
        #: records the database returned more than once (dropped by the paging loop).
        self.duplicates = 0
        #: why the records fell short of the hits, one line per page given up on.
        self.shortfall_reasons: list[str] = []
        #: database warnings config accepted (``"PhraseNotFound: abcXYZ"``).
        self.warnings: list[str] = []
        #: warnings config accepts for this search line (kinds or exact warnings).
        self.allow_warnings: tuple[str, ...] = ()
        #: the query and filters exactly as sent, without paging or contact parameters.
        self.query_sent: list[tuple[str, str]] = []
        #: what the database says it searched (PubMed's QueryTranslation), if it says.
        self.query_translation: str | None = None
        #: the parameter the query text went in (OpenAlex ``search`` or a filter).
        self.search_field: str | None = None

    @classmethod
    def default_headers(cls) -> dict[str, str]:
        """Request headers (User-Agent, API keys from the environment); never archived."""
        from reviewflow import __version__

        return {"User-Agent": f"reviewflow/{__version__}"}

    @classmethod
    def from_settings(
        cls,
        settings: Mapping[str, Any] | SourceSettings | None = None,
        *,
        archive_dir: str | os.PathLike[str] | None = None,
        replay: bool = False,
        session: requests.Session | None = None,
    ) -> Source:
        """A client configured from a ``sources.<name>`` block (see :meth:`SourceSettings.of`)."""
        settings = SourceSettings.of(settings)
        api = settings.session(
            cls.name,
            default_base_url=cls.default_base_url,
            default_requests_per_second=cls.default_requests_per_second,
            archive_dir=archive_dir,
            replay=replay,
            secret_params=cls.secret_params,
            headers=cls.default_headers(),
            session=session,
            expect=cls.body_format,
        )
        client = cls(api)
        if settings.page_size:
            client.page_size = settings.page_size
        return client

    @property
    def base_url(self) -> str:
        return self.session.base_url

    #: page size from config (``sources.<name>.page_size``), else :attr:`max_page_size`.
    page_size: int | None = None

    def next_page_size(self, fetched: int, max_records: int | None) -> int:
        """The page to ask for: the largest allowed, cut to what ``max_records`` still needs."""
        size = min(self.page_size or self.max_page_size, self.max_page_size)
        if max_records is not None:
            size = min(size, max(max_records - fetched, 1))
        return size

    def auth_params(self) -> dict[str, str]:
        """Query parameters from the environment (keys, polite-pool addresses); secret."""
        return {}

    def choose_search_field(self, wanted: str | None) -> str:
        """The search field a line asks for, checked against what this API offers."""
        field_name = wanted or self.search_fields[0]
        if field_name not in self.search_fields:
            raise ConfigError(
                f"{self.name} has no search field {field_name!r}. Available options: "
                + ", ".join(self.search_fields)
            )
        self.search_field = field_name
        return field_name

    def expected_records(self, max_records: int | None) -> int:
        """What a complete search returns: every hit reported, or ``max_records`` of them."""
        hits = self.hits or 0
        return hits if max_records is None else min(hits, max_records)

    def check_warnings(self, found: Sequence[str], response: ApiResponse) -> None:
        """Stop on database warnings config does not accept; keep the accepted ones.

        A warning means the database searched something other than the query as written
        (a phrase it dropped, a field it does not know): the records would silently belong
        to another search. ``found`` are ``"Kind: detail"`` texts.
        """
        refused = []
        for warning in found:
            if warning_allowed(warning, self.allow_warnings):
                if warning not in self.warnings:
                    self.warnings.append(warning)
                    log.warning("%s: accepted database warning: %s", self.name, warning)
            else:
                refused.append(warning)
        if not refused:
            return
        said = f" It searched: {self.query_translation}." if self.query_translation else ""
        listing = "; ".join(refused)
        accept = ", ".join(f'"{w}"' for w in refused)
        raise SourceError(
            f"the database changed the search: {listing}.{said} Fix the query, or accept "
            f"with allow_warnings: [{accept}] on this search line",
            source=self.name,
            url=short_url(response.url),
        )

    def page_records(
        self,
        items: list[Any],
        parse: Callable[[Any], dict[str, Any]],
        response: Any,
        fetched: int,
        max_records: int | None,
    ) -> Iterator[dict[str, Any]]:
        """One page's items parsed and stamped, no more than ``max_records`` in all."""
        room = len(items) if max_records is None else max(0, max_records - fetched)
        for index, item in enumerate(items[:room]):
            yield self.provenance(parse(item), response, index)

    def paged(
        self,
        fetch: Callable[[Any, int], Page],
        parse: Callable[[Any], dict[str, Any]],
        first: Any,
        max_records: int | None,
    ) -> Iterator[dict[str, Any]]:
        """Every record of a cursor-paged search, checked against the hits reported.

        ``fetch(cursor, size)`` asks for one page. Paging ends once the reported hits (or
        ``max_records``) are in. A page that would end it earlier is asked for again, with
        the session's backoff, up to ``max_retries`` times: a page with no records that
        were not already received (empty, or the previous page over again) is set aside
        in the archive once the next answer is in; a page without a way to the next one
        is asked for again for its cursor. What still falls short is left to the search
        stage, which compares records and hits; :attr:`shortfall_reasons` says where.
        """
        cursor = first
        seen: set[str] = set()
        fetched = 0
        attempts = 0
        want_next = False
        held: ApiResponse | None = None
        while max_records is None or fetched < max_records:
            page = fetch(cursor, self.next_page_size(fetched, max_records))
            if held is not None:  # the retried answer takes the suspicious one's place
                held.set_aside()
                held = None
            if self.hits is None:
                self.hits = int(page.total or 0)
            fresh: list[tuple[int, dict[str, Any]]] = []
            again = 0
            keys: set[str] = set()
            for index, item in enumerate(page.items):
                record = parse(item)
                key = str(record.get("record_id") or "")
                if key and (key in seen or key in keys):
                    again += 1
                    continue
                if key:
                    keys.add(key)
                fresh.append((index, record))
            if max_records is not None:
                fresh = fresh[: max(0, max_records - fetched)]
            new = len(fresh)
            if new:  # a page with nothing new is set aside, not counted as duplicates
                self.duplicates += again
            for index, record in fresh:
                key = str(record.get("record_id") or "")
                if key:
                    seen.add(key)
                fetched += 1
                yield self.provenance(record, page.response, index)
            expected = self.expected_records(max_records)
            if fetched >= expected:
                return
            if page.next is not None and (new or want_next):
                cursor, attempts, want_next = page.next, 0, False
                continue
            if not page.items:
                what = "came back empty"
            elif not new:
                what = "repeated records already received"
            else:
                what = "gave no cursor for the next page"
            attempts += 1
            if attempts > self.session.max_retries or not self.session.can_answer(
                page.path, page.params
            ):
                self.shortfall_reasons.append(
                    f"the page at {short_url(page.response.url, 120)} {what} "
                    f"({attempts} time{'s' if attempts > 1 else ''}) after {fetched} of "
                    f"{expected} records"
                )
                return
            want_next = want_next or page.next is None
            if not new:
                held = page.response
            self.pause(attempts, f"page {what} after {fetched} of {expected} records", page)

    def pause(self, attempt: int, problem: str, page: Page) -> None:
        """Wait before asking again for a page (nothing to wait for in replay)."""
        wait = min(self.session.backoff * 2 ** (attempt - 1), MAX_BACKOFF)
        log.warning(
            "%s: %s; asking again, %d of %d, in %.1f s (%s)",
            self.name, problem, attempt, self.session.max_retries, wait,
            short_url(page.response.url),
        )  # fmt: skip
        if not self.session.replay:
            self.session.sleep(wait)

    def provenance(self, record: dict[str, Any], response: Any, index: int) -> dict[str, Any]:
        """Stamp a parsed record with where its bytes are: source, time, archive body#index."""
        record["source"] = self.name
        record["retrieved_at"] = response.retrieved_at
        ref = response.archive_ref or response.url
        record["raw_ref"] = f"{ref}#{index}"
        return record

    @abstractmethod
    def search(
        self,
        query: str,
        *,
        date_from: str | None = None,
        date_to: str | None = None,
        filters: Mapping[str, Any] | None = None,
        max_records: int | None = None,
        search_field: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every record the query finds, page by page, as dicts for ``normalize_record``.

        ``query`` is in the database's own syntax; ``date_from``/``date_to`` are
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` publication-date bounds; ``filters`` are
        the API's own filter parameters; ``search_field`` is where the query text goes
        (one of :attr:`search_fields`, None for the first). Each dict has ``record_id`` set
        to the native id (PMID, W-id, DOI, paperId, Europe PMC ``SRC:id``; the stage
        prefixes the search id), ``source``, ``retrieved_at`` and ``raw_ref`` (archived
        body file ``#`` index). Sets :attr:`hits` once the first page is in, and
        :attr:`query_sent` before the first request.
        """


#: Parameters that page or identify the caller: not part of the query as sent.
PAGING_PARAMS = frozenset(
    {
        "cursor", "cursorMark", "token", "per-page", "rows", "pageSize", "retmax", "retstart",
        "format", "usehistory", "WebEnv", "query_key", "retmode", "fields", "tool",
    }
)  # fmt: skip


def query_pairs(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The query-defining parameters of a request, in order, as text (see ``query_sent``)."""
    return [
        (str(k), "true" if v is True else "false" if v is False else str(v))
        for k, v in params.items()
        if k not in PAGING_PARAMS and v is not None
    ]
