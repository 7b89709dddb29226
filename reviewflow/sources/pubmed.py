"""PubMed through NCBI E-utilities: ESearch on the history server, EFetch in batches.

Requests go through :class:`~reviewflow.sources.http.ApiSession` (so they are rate limited,
retried, archived and replayable); Biopython's ``Bio.Entrez`` parser reads every body.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from reviewflow.errors import SourceError
from reviewflow.sources.base import Source, env_value, full_date, query_pairs
from reviewflow.sources.http import ApiResponse

log = logging.getLogger(__name__)

__all__ = [
    "PubMedSource",
    "esearch_warnings",
    "parse_entrez_xml",
    "parse_pubmed_article",
    "plan_windows",
]

#: Date range searched when a search line gives no dates (PubMed's oldest records are from
#: the 1780s; ``mindate`` needs a value once the range is split).
EARLIEST = "1000-01-01"
LATEST = "3000-12-31"


def _close_dtd_files() -> None:
    """Make Biopython read each DTD into memory and close the file at once.

    ``Bio.Entrez.Parser.DataHandler.open_dtd_file`` returns open files that are never
    closed (a ResourceWarning per DTD and per parse); wrapping it once keeps the parser's
    behaviour (same DTD bytes, same lookup order) without the leak.
    """
    from Bio.Entrez.Parser import DataHandler

    if getattr(DataHandler.open_dtd_file, "_reviewflow_closes", False):
        return
    original = DataHandler.open_dtd_file

    def open_dtd_file(self: Any, filename: str) -> Any:
        handle = original(self, filename)  # type: ignore[no-untyped-call]
        if handle is None:
            return None
        with handle:
            return io.BytesIO(handle.read())

    open_dtd_file._reviewflow_closes = True  # type: ignore[attr-defined]
    DataHandler.open_dtd_file = open_dtd_file  # type: ignore[method-assign]


def parse_entrez_xml(response: ApiResponse) -> Any:
    """Parse an E-utilities XML body with ``Bio.Entrez.read``; bad XML names the request."""
    from Bio import Entrez
    from Bio.Entrez import Parser

    _close_dtd_files()
    try:
        return Entrez.read(io.BytesIO(response.body))  # type: ignore[no-untyped-call]
    except (Parser.ValidationError, Parser.CorruptedXMLError, Parser.NotXMLError) as exc:
        response.reject(f"malformed E-utilities XML ({type(exc).__name__}: {exc})")
    except Exception as exc:  # expat errors surface as several types
        response.reject(f"malformed E-utilities XML ({type(exc).__name__}: {exc})")
    raise AssertionError("unreachable")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return str(value)


def _attr(value: Any, name: str) -> str:
    return str(getattr(value, "attributes", {}).get(name, ""))


def _pubmed_year(journal_issue: Mapping[str, Any]) -> str:
    date = journal_issue.get("PubDate") or {}
    return str(date.get("Year") or str(date.get("MedlineDate") or "")[:4])


def _pubmed_author(author: Mapping[str, Any]) -> str:
    if author.get("CollectiveName"):
        return str(author["CollectiveName"])
    last = str(author.get("LastName") or "")
    given = str(author.get("ForeName") or author.get("Initials") or "")
    return f"{last}, {given}" if last and given else last


def parse_pubmed_article(article: Mapping[str, Any]) -> dict[str, Any]:
    """One ``PubmedArticle`` (as ``Bio.Entrez.read`` returns it) as a record dict (id = PMID)."""
    if "BookDocument" in article:
        book = article["BookDocument"]
        pmid = str(book.get("PMID") or "")
        return {
            "record_id": pmid,
            "title": _text(book.get("ArticleTitle") or book.get("Book", {}).get("BookTitle")),
            "abstract": _text((book.get("Abstract") or {}).get("AbstractText")),
            "pmid": pmid,
            "entry_type": "book",
            "url": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else "",
        }
    citation = article.get("MedlineCitation") or {}
    data = article.get("PubmedData") or {}
    art = citation.get("Article") or {}
    journal = art.get("Journal") or {}
    issue = journal.get("JournalIssue") or {}
    pmid = str(citation.get("PMID") or "")
    sections = []
    for part in (art.get("Abstract") or {}).get("AbstractText") or []:
        label = _attr(part, "Label")
        sections.append(f"{label}: {part}" if label else str(part))
    ids = {_attr(i, "IdType"): str(i) for i in data.get("ArticleIdList") or []}
    doi = next(
        (str(e) for e in art.get("ELocationID") or [] if _attr(e, "EIdType") == "doi"),
        ids.get("doi", ""),
    )
    pagination = art.get("Pagination") or {}
    pages = pagination.get("MedlinePgn") or pagination.get("StartPage") or ""
    keywords = [str(k) for group in citation.get("KeywordList") or [] for k in group]
    return {
        "record_id": pmid,
        "title": _text(art.get("ArticleTitle")),
        "abstract": " ".join(sections),
        "authors": [_pubmed_author(a) for a in art.get("AuthorList") or []],
        "year": _pubmed_year(issue),
        "journal": _text(journal.get("Title")),
        "volume": _text(issue.get("Volume")),
        "issue": _text(issue.get("Issue")),
        "pages": _text(pages),
        "doi": doi,
        "pmid": pmid,
        "pmcid": ids.get("pmc", ""),
        "issn": _text(journal.get("ISSN")),
        "keywords": keywords,
        "publication_type": "; ".join(str(p) for p in art.get("PublicationTypeList") or []),
        "language": "; ".join(str(lang) for lang in art.get("Language") or []),
        "url": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else "",
    }


class PubMedSource(Source):
    """PubMed: ESearch with ``usehistory=y`` then EFetch (XML) in batches from the WebEnv.

    NCBI allows 3 requests a second without an API key and 10 with one
    (``NCBI_API_KEY``); ``NCBI_EMAIL`` identifies the user as NCBI asks. Both are sent,
    never archived. EFetch returns up to 10,000 records per request, but one search's history
    serves only its first 9,999: a search with more hits is split into publication-date
    windows of fewer (:func:`plan_windows`), each fetched from its own ESearch, and records
    are kept once by PMID.
    """

    name = "pubmed"
    body_format = "xml"
    search_fields = ("term",)
    default_base_url = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    default_requests_per_second = 3.0
    max_page_size = 10000
    secret_params = ("api_key", "email")
    #: records one ESearch's history serves (EFetch refuses ``retstart`` past 9,998)
    history_limit = 9999

    def __init__(self, session: Any) -> None:
        super().__init__(session)
        default_interval = 1.0 / self.default_requests_per_second
        if env_value("NCBI_API_KEY") and abs(session.min_interval - default_interval) < 1e-9:
            session.min_interval = 1.0 / 10  # the documented limit with a key

    def auth_params(self) -> dict[str, str]:
        params = {"tool": "reviewflow"}
        if env_value("NCBI_EMAIL"):
            params["email"] = env_value("NCBI_EMAIL")
        if env_value("NCBI_API_KEY"):
            params["api_key"] = env_value("NCBI_API_KEY")
        return params

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
        self.choose_search_field(search_field)
        params: dict[str, Any] = {"db": "pubmed", "term": query, "usehistory": "y", "retmax": 0}
        params.update(filters or {})
        first = full_date(date_from, start=True) if date_from else EARLIEST
        last = full_date(date_to, start=False) if date_to else LATEST
        window = (date.fromisoformat(first), date.fromisoformat(last))
        dated = bool(date_from or date_to)
        self.query_sent = query_pairs(self._dated(params, window if dated else None))
        result, response = self._esearch(params, window if dated else None)
        self.hits = int(result.get("Count") or 0)
        if self.hits == 0:
            return
        wanted = self.hits if max_records is None else min(self.hits, max_records)
        seen: set[str] = set()
        if wanted <= self.history_limit:
            yield from self._fetch_history(result, response, wanted, seen)
            return
        # PubMed serves only the first 9,999 records of one search from the history server:
        # split the publication dates until every window holds fewer, as NCBI's EDirect does
        windows = plan_windows(
            lambda w: int(self._esearch(params, w)[0].get("Count") or 0),
            window,
            self.hits,
            self.history_limit,
        )
        found = sum(count for _, count in windows)
        if found < self.hits:
            self.shortfall_reasons.append(
                f"date windows {first}..{last} hold {found} of the {self.hits} records: "
                f"{self.hits - found} have no publication date PubMed can place in them"
            )
        for part, count in windows:
            if len(seen) >= wanted or count == 0:
                continue
            part_result, part_response = self._esearch(params, part)
            yield from self._fetch_history(
                part_result, part_response, min(wanted, len(seen) + count), seen
            )

    @staticmethod
    def _dated(params: Mapping[str, Any], window: tuple[date, date] | None) -> dict[str, Any]:
        query = dict(params)
        if window is not None:
            query.setdefault("datetype", "pdat")  # a search line may choose edat (updates)
            query["mindate"] = window[0].strftime("%Y/%m/%d")
            query["maxdate"] = window[1].strftime("%Y/%m/%d")
        return query

    def _esearch(
        self, params: Mapping[str, Any], window: tuple[date, date] | None
    ) -> tuple[Any, ApiResponse]:
        query = self._dated(params, window)
        response = self.session.get("esearch.fcgi", {**query, **self.auth_params()})
        result = parse_entrez_xml(response)
        if "ERROR" in result:
            response.reject(f"ESearch error: {result['ERROR']}")
        if self.query_translation is None and result.get("QueryTranslation"):
            self.query_translation = str(result["QueryTranslation"])
        self.check_warnings(esearch_warnings(result), response)
        return result, response

    def _fetch_history(
        self, result: Any, response: ApiResponse, wanted: int, seen: set[str]
    ) -> Iterator[dict[str, Any]]:
        """EFetch batches from one ESearch's WebEnv until ``seen`` holds ``wanted`` records.

        A batch with no record not already in ``seen`` (empty, or the last batch again)
        before ``wanted`` is reached is asked for again, as :meth:`Source.paged` does for
        cursor pages; what still falls short is left to the search stage to report.
        """
        web_env, query_key = result.get("WebEnv"), result.get("QueryKey")
        if not web_env or not query_key:
            response.reject("ESearch answer without WebEnv/QueryKey (history server)")
        retstart = 0
        attempts = 0
        held: ApiResponse | None = None
        while len(seen) < wanted:
            fetch = {
                "db": "pubmed",
                "WebEnv": web_env,
                "query_key": query_key,
                "retstart": retstart,
                "retmax": self.next_page_size(len(seen), wanted),
                "retmode": "xml",
            }
            request = {**fetch, **self.auth_params()}
            page = self.session.get("efetch.fcgi", request)
            if held is not None:
                held.set_aside()
                held = None
            parsed = parse_entrez_xml(page)
            if not hasattr(parsed, "get"):
                page.reject("EFetch answer is not a PubmedArticleSet")
            articles = list(parsed.get("PubmedArticle") or [])
            articles += list(parsed.get("PubmedBookArticle") or [])
            before = len(seen)
            fresh = []
            batch_ids: set[str] = set()
            for index, article in enumerate(articles):
                record = parse_pubmed_article(article)
                if record["record_id"] in seen or record["record_id"] in batch_ids:
                    continue
                batch_ids.add(record["record_id"])
                fresh.append((index, record))
            if fresh:  # a batch with nothing new is set aside, not counted as duplicates
                self.duplicates += len(articles) - len(fresh)
            for index, record in fresh[: max(0, wanted - len(seen))]:
                seen.add(record["record_id"])
                yield self.provenance(record, page, index)
            if len(seen) >= wanted:
                return
            if len(seen) > before:
                retstart += len(articles)
                attempts = 0
                continue
            what = "was empty" if not articles else "held no new record"
            attempts += 1
            if attempts > self.session.max_retries or not self.session.can_answer(
                "efetch.fcgi", request
            ):
                self.shortfall_reasons.append(
                    f"EFetch at retstart {retstart} {what} ({attempts} "
                    f"time{'s' if attempts > 1 else ''}) after {len(seen)} of {wanted} records"
                )
                return
            held = page
            wait = min(self.session.backoff * 2 ** (attempts - 1), 120.0)
            log.warning(
                "pubmed: EFetch at retstart %d %s after %d of %d records; asking again, "
                "%d of %d, in %.1f s",
                retstart, what, len(seen), wanted, attempts, self.session.max_retries, wait,
            )  # fmt: skip
            if not self.session.replay:
                self.session.sleep(wait)


#: ESearch list entries that do not change what was searched: PubMed says "No items
#: found." whenever Count is 0, which the count already tells.
_SAID_BY_THE_COUNT = frozenset({"no items found."})


def esearch_warnings(result: Mapping[str, Any]) -> list[str]:
    """ESearch ``ErrorList`` and ``WarningList`` entries as ``"Kind: term"`` texts.

    ``PhraseNotFound`` (a term that matches nothing, e.g. a mistyped MeSH heading),
    ``FieldNotFound`` (an unknown ``[tag]``), ``QuotedPhraseNotFound``, ``PhraseIgnored``
    (a stop word dropped) and ``OutputMessage`` all mean PubMed ran something other than
    the query as written.
    """
    found: list[str] = []
    for group in ("ErrorList", "WarningList"):
        entries = result.get(group) or {}
        for kind, terms in dict(entries).items():
            for term in terms or []:
                text = " ".join(str(term).split())
                if kind == "OutputMessage" and text.lower() in _SAID_BY_THE_COUNT:
                    continue
                found.append(f"{kind}: {text}")
    return found


def plan_windows(
    count: Callable[[tuple[date, date]], int],
    window: tuple[date, date],
    total: int,
    limit: int,
) -> list[tuple[tuple[date, date], int]]:
    """Date windows of ``window`` (publication date unless the search sets ``datetype``), in
    date order, each holding at most ``limit``.

    ``count`` asks PubMed how many records a window holds (one ESearch). A window over the
    limit is halved; halves that together hold more than their parent mean the counts
    cannot be trusted (the search is changing, or the server answers something else), and
    one day over the limit cannot be split: both stop with a :class:`SourceError` rather
    than fetch an incomplete set.
    """
    if total <= limit:
        return [(window, total)]
    start, end = window
    if start >= end:
        raise SourceError(
            f"{total} records published on {start.isoformat()} alone: more than the "
            f"{limit} PubMed serves per search; narrow the query",
            source="pubmed",
        )
    middle = start + (end - start) // 2
    left, right = (start, middle), (middle + timedelta(days=1), end)
    n_left, n_right = count(left), count(right)
    if n_left + n_right > total:
        raise SourceError(
            f"date windows {left[0]}..{left[1]} and {right[0]}..{right[1]} hold "
            f"{n_left} + {n_right} records, more than the {total} of the whole search: "
            "the counts cannot be trusted, no records were fetched",
            source="pubmed",
        )
    return plan_windows(count, left, n_left, limit) + plan_windows(count, right, n_right, limit)
