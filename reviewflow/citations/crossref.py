"""Crossref reference lists: backward citation tracking from the references publishers deposit.

Crossref's public API gives each work's ``reference`` list but not the works citing it
(cited-by is a members-only service), so this client chases backward only. Seeds are looked
up by DOI, many per request (``filter=doi:A,doi:B``, ORed by Crossref); a single seed is
fetched as ``/works/{doi}``, whose 404 ``Resource not found.`` marks it unresolved. The
references become records directly from the deposited metadata (DOI, title, first author,
year, journal), which costs no request per reference; dedup joins them to fuller records.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from reviewflow.citations.base import CitationClientBase
from reviewflow.citations.chase import Found, batched
from reviewflow.citations.seeds import Seed, SeedResolution
from reviewflow.errors import SourceError
from reviewflow.normalize import clean_text, normalize_doi
from reviewflow.sources.http import ApiSession

__all__ = ["CrossrefCitations", "reference_record"]

log = logging.getLogger(__name__)

#: DOIs per ``filter=doi:...`` request; Crossref serves up to 1000 rows a page.
BATCH_SIZE = 100


def reference_record(reference: Mapping[str, Any]) -> dict[str, Any]:
    """A record dict from one deposited reference (``{}`` when it has no DOI and no title)."""
    doi = normalize_doi(reference.get("DOI"))
    title = clean_text(reference.get("article-title") or reference.get("volume-title"))
    if not doi and not title:
        return {}
    author = clean_text(reference.get("author"))
    record: dict[str, Any] = {
        "record_id": doi,
        "doi": doi,
        "title": title,
        "authors": [author] if author else [],
        "year": reference.get("year") or "",
        "journal": reference.get("journal-title") or reference.get("series-title") or "",
        "volume": reference.get("volume") or "",
        "issue": reference.get("issue") or "",
        "pages": reference.get("first-page") or "",
        "issn": reference.get("ISSN") or "",
        "isbn": reference.get("ISBN") or "",
    }
    return record


class CrossrefCitations(CitationClientBase):
    """Backward citations from Crossref reference lists, through the shared session."""

    name = "crossref"
    passes_auth_params = True
    directions = ("backward",)

    def __init__(
        self,
        session: ApiSession,
        *,
        extra_params: Sequence[tuple[str, str]] = (),
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.batch_size = batch_size
        self.session = session
        self.extra_params = list(extra_params)
        self.skipped_references = 0

    def _lookup(self, dois: list[str]) -> tuple[dict[str, tuple[dict[str, Any], str]], str]:
        """Works by DOI (with the archived body they came from) and a reason for misses."""
        if len(dois) == 1:
            try:
                response = self.session.get(f"works/{dois[0]}", self.extra_params or None)
            except SourceError as exc:
                if "HTTP 404" in str(exc):
                    message = str(exc).split("HTTP 404:", 1)[1].split(" (request:")[0].strip()
                    return {}, f"not in Crossref (HTTP 404: {message})"
                raise
            item = dict((response.json() or {}).get("message") or {})
            item["_retrieved_at"] = response.retrieved_at
            found = {normalize_doi(item.get("DOI")): (item, f"{response.archive_ref}#0")}
            return found, "not in Crossref"
        params = [
            ("filter", ",".join(f"doi:{d}" for d in dois)),
            ("rows", str(len(dois))),
            *self.extra_params,
        ]
        response = self.session.get("works", params)
        items = ((response.json() or {}).get("message") or {}).get("items") or []
        found = {}
        for index, item in enumerate(items):
            item = {**item, "_retrieved_at": response.retrieved_at}
            found[normalize_doi(item.get("DOI"))] = (item, f"{response.archive_ref}#{index}")
        return found, "not in Crossref"

    def resolve(self, seeds: Sequence[Seed]) -> dict[str, SeedResolution]:
        resolutions: dict[str, SeedResolution] = {}
        with_doi = [s for s in seeds if s.doi and "," not in s.doi]
        dois = list(dict.fromkeys(s.doi for s in with_doi))
        found: dict[str, tuple[dict[str, Any], str]] = {}
        misses: dict[str, str] = {}
        for batch in batched(dois, self.batch_size):
            works, reason = self._lookup(batch)
            found.update(works)
            misses.update({doi: reason for doi in batch if doi not in works})
        for seed in seeds:
            if seed.doi in found:
                work, ref = found[seed.doi]
                resolutions[seed.id] = SeedResolution(
                    native_id=seed.doi, status="resolved", work={**work, "_raw_ref": ref}
                )
            elif seed.doi:
                resolutions[seed.id] = SeedResolution(reason=misses.get(seed.doi, "not looked up"))
            else:
                resolutions[seed.id] = SeedResolution(reason="no DOI to look up")
        return resolutions

    def expected_count(self, resolution: SeedResolution, direction: str) -> int | None:
        return len(resolution.work.get("reference") or [])

    def chase(self, resolved: Mapping[str, SeedResolution], direction: str) -> Iterator[Found]:
        """The seeds' deposited references; the lookup already fetched them (no request)."""
        if direction != "backward":
            return
        for seed_id, res in resolved.items():
            work = res.work
            raw_ref = str(work.get("_raw_ref", ""))
            retrieved = str(work.get("_retrieved_at", ""))
            for index, reference in enumerate(work.get("reference") or []):
                record = reference_record(reference)
                if not record:
                    self.skipped_references += 1
                    continue
                record.update(
                    source=self.name,
                    raw_ref=f"{raw_ref}/reference/{index}",
                    retrieved_at=retrieved,
                )
                yield Found(seeds=[seed_id], record=record)
