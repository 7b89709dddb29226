"""Where the full text of an included study is: a dropped PDF, or an open-access copy.

Reviewers need the report of every included study (PRISMA 2020 item 16a counts "reports
sought for retrieval" and "reports not retrieved"). This module answers "where is it?" for
one study at a time, in this order:

1. a PDF a reviewer put in the review folder, named by study id or record id
   (``fulltexts/<id with ':' replaced by '_'>.pdf``);
2. Unpaywall's best open-access location for the DOI (``GET /v2/{doi}?email=``; documented
   schema: https://unpaywall.org/data-format);
3. Europe PMC's ``resultType=core`` record (``isOpenAccess``, ``fullTextUrlList``, PMCID,
   ``license``), found by DOI, PMID or PMCID.

A record without DOI, PMID or PMCID gets status ``no identifier`` and no request is made.
Every request goes through :class:`reviewflow.sources.http.ApiSession`, so lookups are
archived and replayable like searches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from reviewflow.errors import SourceError
from reviewflow.normalize import normalize_doi, normalize_pmcid, normalize_pmid
from reviewflow.sources.http import ApiSession

__all__ = [
    "AVAILABILITY_COLUMNS",
    "EuropePmcLocator",
    "Location",
    "LocationStatus",
    "UnpaywallLocator",
    "find_local_pdf",
    "locate_fulltext",
    "parse_europepmc_core",
    "parse_unpaywall",
    "pdf_file_name",
]

log = logging.getLogger(__name__)


class LocationStatus:
    """Values of the ``status`` column of ``availability.csv``."""

    LOCAL = "local pdf"  # a reviewer dropped the PDF into the review folder
    OPEN_ACCESS = "open access"  # an open-access copy was found online
    NOT_OPEN_ACCESS = "not open access"  # the work is known, but no free copy was found
    NOT_FOUND = "not found"  # no source knows the identifier
    NO_IDENTIFIER = "no identifier"  # no DOI, PMID or PMCID: nothing to look up
    ERROR = "lookup failed"  # a source answered badly after retries
    NOT_LOOKED_UP = "not looked up"  # no source available (disabled, or nothing to replay)


@dataclass
class Location:
    """One row of ``results/fulltext/availability.csv``: where a study's report is."""

    study_id: str
    record_id: str
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    status: str = LocationStatus.NO_IDENTIFIER
    source: str = ""  # local | unpaywall | europepmc
    url: str = ""  # landing page or full-text page
    pdf_url: str = ""
    licence: str = ""
    host_type: str = ""  # publisher | repository (Unpaywall's terms); europepmc
    version: str = ""  # publishedVersion | acceptedVersion | submittedVersion
    local_path: str = ""
    note: str = ""

    def row(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}


#: Column order of ``availability.csv``.
AVAILABILITY_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Location))


def pdf_file_name(identifier: str) -> str:
    """The file name a reviewer gives a dropped PDF: ``':'`` is not allowed on Windows."""
    return identifier.replace(":", "_").replace("/", "_") + ".pdf"


def find_local_pdf(pdf_dir: str | Path | None, identifiers: list[str]) -> Path | None:
    """The first ``<pdf_dir>/<identifier>.pdf`` that exists (study id first, then records)."""
    if not pdf_dir:
        return None
    folder = Path(pdf_dir)
    if not folder.is_dir():
        return None
    for identifier in identifiers:
        candidate = folder / pdf_file_name(identifier)
        if candidate.is_file():
            return candidate
    return None


def parse_unpaywall(data: Mapping[str, Any]) -> dict[str, str]:
    """Best open-access location of an Unpaywall ``/v2/{doi}`` object (documented schema).

    ``is_oa`` false gives an empty ``url``; ``best_oa_location`` holds ``url``,
    ``url_for_pdf``, ``url_for_landing_page``, ``license``, ``host_type`` and ``version``.
    """
    if not data.get("is_oa"):
        return {"is_oa": "", "url": "", "pdf_url": "", "licence": "", "host_type": ""}
    best = data.get("best_oa_location") or {}
    if not best:
        locations = data.get("oa_locations") or []
        best = locations[0] if locations else {}
    return {
        "is_oa": "true",
        "url": str(best.get("url_for_landing_page") or best.get("url") or ""),
        "pdf_url": str(best.get("url_for_pdf") or ""),
        "licence": str(best.get("license") or ""),
        "host_type": str(best.get("host_type") or ""),
        "version": str(best.get("version") or ""),
    }


def _matches(result: Mapping[str, Any], doi: str, pmid: str, pmcid: str) -> bool:
    if doi and normalize_doi(result.get("doi")) == doi:
        return True
    if pmid and normalize_pmid(result.get("pmid")) == pmid:
        return True
    return bool(pmcid and normalize_pmcid(result.get("pmcid")) == pmcid)


def parse_europepmc_core(
    data: Mapping[str, Any], *, doi: str = "", pmid: str = "", pmcid: str = ""
) -> dict[str, str] | None:
    """The result of a ``resultType=core`` search that is the asked-for work, or None.

    Only a result whose DOI, PMID or PMCID equals the one asked for counts: a search can
    return other works, and a full text of the wrong paper is worse than none.
    """
    results = (data.get("resultList") or {}).get("result") or []
    match = next((r for r in results if _matches(r, doi, pmid, pmcid)), None)
    if match is None:
        return None
    urls = (match.get("fullTextUrlList") or {}).get("fullTextUrl") or []
    free = [u for u in urls if str(u.get("availabilityCode", "")).upper() in {"OA", "F"}]
    pdf = next((u for u in free if u.get("documentStyle") == "pdf"), None)
    page = next((u for u in free if u.get("documentStyle") == "html"), None) or (
        free[0] if free else None
    )
    is_oa = str(match.get("isOpenAccess", "")).upper() == "Y"
    return {
        "is_oa": "true" if is_oa or free else "",
        "pmcid": normalize_pmcid(match.get("pmcid")),
        "pmid": normalize_pmid(match.get("pmid")),
        "doi": normalize_doi(match.get("doi")),
        "url": str(page.get("url", "")) if page else "",
        "pdf_url": str(pdf.get("url", "")) if pdf else "",
        "licence": str(match.get("license") or ""),
        "host_type": "europepmc"
        if free and any(u.get("site") == "Europe_PMC" for u in free)
        else (str(free[0].get("site", "")) if free else ""),
        "availability": str(free[0].get("availability", "")) if free else "",
    }


def _is_not_found(exc: SourceError) -> bool:
    return "HTTP 404" in str(exc)


class UnpaywallLocator:
    """Unpaywall by DOI. Implemented against the documented schema (no recording exists)."""

    source = "unpaywall"
    default_base_url = "https://api.unpaywall.org"
    #: Unpaywall asks for at most 100,000 calls a day; one every 0.1 s is far below that.
    default_requests_per_second = 10.0

    def __init__(self, session: ApiSession, email: str) -> None:
        self.session = session
        self.email = email

    def lookup(self, doi: str) -> dict[str, str] | None:
        try:
            response = self.session.get(f"v2/{doi}", {"email": self.email})
        except SourceError as exc:
            if _is_not_found(exc):
                return None
            raise
        data = response.json()
        if not isinstance(data, Mapping):
            response.reject("Unpaywall answer is not a JSON object")
        return parse_unpaywall(data)


class EuropePmcLocator:
    """Europe PMC ``/search`` with ``resultType=core``, by DOI, PMID or PMCID."""

    source = "europepmc"
    default_base_url = "https://www.ebi.ac.uk/europepmc/webservices/rest"
    #: Europe PMC has no published hard limit; its guidance is to stay below ~10 per second.
    default_requests_per_second = 5.0

    def __init__(self, session: ApiSession) -> None:
        self.session = session

    @staticmethod
    def query(doi: str, pmid: str, pmcid: str) -> str:
        if doi:
            return f'DOI:"{doi}"'
        if pmcid:
            return f"PMCID:{pmcid}"
        return f"EXT_ID:{pmid} AND SRC:MED"

    def lookup(self, doi: str = "", pmid: str = "", pmcid: str = "") -> dict[str, str] | None:
        params = {
            "query": self.query(doi, pmid, pmcid),
            "resultType": "core",
            "format": "json",
            "pageSize": 5,
        }
        response = self.session.get("search", params)
        data = response.json()
        if not isinstance(data, Mapping) or "resultList" not in data:
            response.reject("Europe PMC answer has no resultList")
        return parse_europepmc_core(data, doi=doi, pmid=pmid, pmcid=pmcid)


def locate_fulltext(
    study_id: str,
    record: Mapping[str, str],
    *,
    member_record_ids: list[str] | None = None,
    pdf_dir: str | Path | None = None,
    unpaywall: Callable[[], UnpaywallLocator | None] | None = None,
    europepmc: Callable[[], EuropePmcLocator | None] | None = None,
) -> Location:
    """Where this study's report is. Locators are factories so no session is built early.

    A factory may return None (e.g. Unpaywall without a contact e-mail): that source is
    skipped. Building a session only when an identifier needs it keeps replay runs of
    reviews without identifiers free of any archive requirement.
    """
    record_id = str(record.get("record_id", ""))
    loc = Location(
        study_id=study_id,
        record_id=record_id,
        doi=normalize_doi(record.get("doi")),
        pmid=normalize_pmid(record.get("pmid")),
        pmcid=normalize_pmcid(record.get("pmcid")),
    )
    names = [study_id, record_id, *(member_record_ids or [])]
    local = find_local_pdf(pdf_dir, [n for n in dict.fromkeys(names) if n])
    if local is not None:
        loc.status, loc.source, loc.local_path = LocationStatus.LOCAL, "local", local.as_posix()
        return loc
    if not (loc.doi or loc.pmid or loc.pmcid):
        loc.status = LocationStatus.NO_IDENTIFIER
        return loc
    known = False
    asked = False
    try:
        upw = unpaywall() if (unpaywall and loc.doi) else None
        if upw is not None:
            asked = True
            found = upw.lookup(loc.doi)
            if found is not None:
                known = True
                if found.get("is_oa"):
                    _fill(loc, found, "unpaywall")
                    return loc
        epmc = europepmc() if europepmc else None
        if epmc is not None:
            asked = True
            found = epmc.lookup(loc.doi, loc.pmid, loc.pmcid)
            if found is not None:
                known = True
                loc.pmcid = loc.pmcid or found.get("pmcid", "")
                if found.get("is_oa"):
                    _fill(loc, found, "europepmc")
                    return loc
    except SourceError as exc:
        log.warning("full-text lookup for %s failed: %s", study_id, exc)
        loc.status, loc.note = LocationStatus.ERROR, str(exc)[:300]
        return loc
    if not asked:
        loc.status = LocationStatus.NOT_LOOKED_UP
    else:
        loc.status = LocationStatus.NOT_OPEN_ACCESS if known else LocationStatus.NOT_FOUND
    return loc


def _fill(loc: Location, found: Mapping[str, str], source: str) -> None:
    loc.status = LocationStatus.OPEN_ACCESS
    loc.source = source
    loc.url = found.get("url", "")
    loc.pdf_url = found.get("pdf_url", "")
    loc.licence = found.get("licence", "")
    loc.host_type = found.get("host_type", "")
    loc.version = found.get("version", "")
