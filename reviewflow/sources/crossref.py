"""Crossref REST ``/works`` search: query and filters with deep cursor paging, 1000 a page."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from reviewflow.sources.base import Page, Source, env_value, query_pairs

__all__ = ["CROSSREF_RANKING_NOTE", "CrossrefSource", "parse_crossref_item"]


def _first(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value or "")


def _crossref_year(item: Mapping[str, Any]) -> str:
    for key in ("issued", "published", "published-print", "published-online", "created"):
        parts = (item.get(key) or {}).get("date-parts") or []
        if parts and parts[0] and parts[0][0]:
            return str(parts[0][0])
    return ""


def _crossref_author(author: Mapping[str, Any]) -> str:
    family, given = author.get("family") or "", author.get("given") or ""
    if family:
        return f"{family}, {given}" if given else family
    return str(author.get("name") or "")


def parse_crossref_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """One Crossref work (``message.items[]`` or ``message``) as a record dict (id = DOI)."""
    doi = str(item.get("DOI") or "")
    return {
        "record_id": doi.lower(),
        "title": _first(item.get("title")),
        "abstract": item.get("abstract") or "",
        "authors": [_crossref_author(a) for a in item.get("author") or []],
        "year": _crossref_year(item),
        "journal": _first(item.get("container-title")),
        "volume": item.get("volume") or "",
        "issue": item.get("issue") or "",
        "pages": item.get("page") or "",
        "doi": doi,
        "issn": "; ".join(item.get("ISSN") or []),
        "isbn": "; ".join(item.get("ISBN") or []),
        "keywords": list(item.get("subject") or []),
        "publication_type": item.get("type") or "",
        "language": item.get("language") or "",
        "url": item.get("URL") or "",
    }


#: What a reader must know about a Crossref search: its order is a relevance ranking that
#: moves. Two cursor sessions of the same query, recorded minutes apart, return the same
#: first page in a different order and second pages that differ by one work (tied scores).
CROSSREF_RANKING_NOTE = (
    "Crossref returns works in relevance order, and that ranking changes over time (new "
    "works, re-scored metadata, ties broken differently): a search capped by max_records "
    "can return a different set when it is run again"
)


class CrossrefSource(Source):
    """Crossref works: ``query`` (free text), ``filter`` and cursor paging.

    ``rows`` may be at most 1000; cursors (``cursor=*``) page past the 10,000-offset limit.
    The public pool allows 50 requests a second (fewer for deep paging); we stay well
    under. A contact address in ``CROSSREF_MAILTO`` selects the polite pool. The filter
    ``container: members/98`` searches one container route (``/members/98/works``,
    ``/journals/<issn>/works``, ``/funders/<id>/works``) instead of ``/works``. Crossref
    keeps one cursor value for a whole session, so a repeated page is told by its works,
    not by its cursor; an answer whose ``status`` is not ``ok`` (``validation-failure``)
    is a database warning.
    """

    name = "crossref"
    default_base_url = "https://api.crossref.org"
    default_requests_per_second = 5.0
    max_page_size = 1000
    secret_params = ("mailto",)
    search_fields = ("query", "query.bibliographic")
    ranking_note = CROSSREF_RANKING_NOTE

    def auth_params(self) -> dict[str, str]:
        mailto = env_value("CROSSREF_MAILTO")
        return {"mailto": mailto} if mailto else {}

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
        where = self.choose_search_field(search_field)
        filters = dict(filters or {})
        container = str(filters.pop("container", "")).strip("/")
        path = f"{container}/works" if container else "works"
        parts = [f"{key}:{value}" for key, value in filters.items()]
        if date_from:
            parts.append(f"from-pub-date:{date_from}")
        if date_to:
            parts.append(f"until-pub-date:{date_to}")
        base: dict[str, Any] = {}
        if query:
            base[where] = query
        if parts:
            base["filter"] = ",".join(parts)
        self.query_sent = ([("route", f"/{path}")] if container else []) + query_pairs(base)

        def fetch(cursor: str, size: int) -> Page:
            params = {**base, "rows": size, "cursor": cursor}
            response = self.session.get(path, {**params, **self.auth_params()})
            data = response.json()
            message = data.get("message") if isinstance(data, dict) else None
            if isinstance(data, dict) and data.get("status") not in (None, "ok"):
                kind = data.get("message-type") or data.get("status")
                self.check_warnings([f"{kind}: {_crossref_problem(message)}"], response)
            items = message.get("items") if isinstance(message, dict) else None
            if not isinstance(items, list):
                response.reject("not a Crossref works list (no 'message.items')")
            assert isinstance(message, dict) and isinstance(items, list)
            return Page(
                response=response,
                items=items,
                total=int(message.get("total-results") or 0),
                next=message.get("next-cursor") or None,
                path=path,
                params={**params, **self.auth_params()},
            )

        yield from self.paged(fetch, parse_crossref_item, "*", max_records)


def _crossref_problem(message: Any) -> str:
    """The text of a Crossref failure ``message`` (a list of ``{type, value, message}``)."""
    if isinstance(message, list):
        texts = [
            str(m.get("message") or m.get("type") or "") for m in message if isinstance(m, dict)
        ]
        return "; ".join(t for t in texts if t) or "no message"
    return str(message or "no message")
