"""What every database client is: the ``Source`` base class the search stage calls."""

from __future__ import annotations

import calendar
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import requests

from reviewflow.sources.http import ApiSession

__all__ = ["Source", "env_value", "full_date"]


def env_value(name: str) -> str:
    """A secret or contact address from the environment ("" when unset), never from config."""
    return os.environ.get(name, "").strip()


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


class Source(ABC):
    """A bibliographic database reached through its API.

    The search stage (:func:`reviewflow.sources.stage.run_search_stage`) and ``reviewflow
    search`` build one with :meth:`from_settings` and iterate :meth:`search`; citation
    tracking and full-text lookups reuse the same session (``self.session``) and the
    module-level ``parse_*`` functions of each client.

    Class attributes say what the API documents, so config only has to override them:
    ``default_base_url``, ``default_requests_per_second`` (the documented limit, or a polite
    share of it) and ``max_page_size`` (the largest page the API serves, which keeps the
    number of requests at its minimum, hits / page size).
    """

    name: ClassVar[str]
    default_base_url: ClassVar[str]
    default_requests_per_second: ClassVar[float]
    max_page_size: ClassVar[int]
    #: query parameters that carry secrets: sent, never archived or logged.
    secret_params: ClassVar[tuple[str, ...]] = ()

    def __init__(self, session: ApiSession) -> None:
        self.session = session
        #: the number of hits the database reported for the last search (None before one).
        self.hits: int | None = None

    @classmethod
    def default_headers(cls) -> dict[str, str]:
        """Request headers (User-Agent, API keys from the environment); never archived."""
        from reviewflow import __version__

        return {"User-Agent": f"reviewflow/{__version__}"}

    @classmethod
    def from_settings(
        cls,
        settings: Mapping[str, Any] | None = None,
        *,
        archive_dir: str | os.PathLike[str] | None = None,
        replay: bool = False,
        session: requests.Session | None = None,
    ) -> Source:
        """A client configured from a ``sources.<name>`` config block (all keys optional)."""
        settings = dict(settings or {})
        api = ApiSession(
            cls.name,
            settings.get("base_url") or cls.default_base_url,
            archive_dir=archive_dir,
            replay=replay,
            requests_per_second=float(
                settings.get("requests_per_second") or cls.default_requests_per_second
            ),
            max_retries=int(settings.get("max_retries", 5)),
            timeout=float(settings.get("timeout", 60)),
            secret_params=cls.secret_params,
            headers=cls.default_headers(),
            session=session,
        )
        client = cls(api)
        if settings.get("page_size"):
            client.page_size = int(settings["page_size"])
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
    ) -> Iterator[dict[str, Any]]:
        """Every record the query finds, page by page, as dicts for ``normalize_record``.

        ``query`` is in the database's own syntax; ``date_from``/``date_to`` are
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` publication-date bounds; ``filters`` are
        the API's own filter parameters. Each dict has ``record_id`` set to the native id
        (PMID, W-id, DOI, paperId, Europe PMC ``SRC:id``; the stage prefixes the search id),
        ``source``, ``retrieved_at`` and ``raw_ref`` (archived body file ``#`` index).
        Sets :attr:`hits` once the first page is in.
        """
