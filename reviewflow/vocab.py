"""The project's vocabulary in one place: record fields, decision labels, stage names.

Every table reviewflow writes uses these names, so a column means the same thing in every
stage's output and every decision file.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "BIBLIOGRAPHIC_FIELDS",
    "EXTRA_FIELD",
    "IDENTIFIER_FIELDS",
    "LIST_SEPARATOR",
    "PROVENANCE_FIELDS",
    "RECORD_FIELDS",
    "Decision",
    "Direction",
    "FoundBy",
    "PrismaCount",
    "Stage",
    "TraceStatus",
]

#: Multi-valued fields (authors, keywords, ISSNs, merged source ids) are stored as one cell,
#: values joined by this separator; no bibliographic value we have seen contains "; " inside
#: one author name or keyword once names are normalised.
LIST_SEPARATOR = "; "

#: Identifier columns, normalised by :mod:`reviewflow.normalize` (lower-case bare DOI,
#: digits-only PMID, ``PMC``-prefixed PMCID, ``W``-prefixed OpenAlex id, Semantic Scholar
#: 40-hex paperId).
IDENTIFIER_FIELDS: tuple[str, ...] = (
    "doi",
    "pmid",
    "pmcid",
    "openalex_id",
    "s2_id",
)

#: What a reviewer needs to judge and cite a record.
BIBLIOGRAPHIC_FIELDS: tuple[str, ...] = (
    "title",
    "abstract",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    *IDENTIFIER_FIELDS,
    "issn",
    "isbn",
    "keywords",
    "publication_type",
    "entry_type",
    "language",
    "url",
)

#: Where a record came from. ``raw_ref`` points at the raw record it was parsed from
#: (``file#index`` for exports, ``archive-file#index`` for API responses) so that any value
#: can be traced back to the bytes a database sent.
PROVENANCE_FIELDS: tuple[str, ...] = (
    "source",
    "search_id",
    "retrieved_at",
    "raw_ref",
    "found_by",
    "citation_seed",
    "citation_direction",
    "citation_round",
)

#: What the source said that no field above holds: a JSON object of the source's own
#: field names and values (RIS ``N1``, EndNote ``custom3``, WoS ``CR``, a CSV column), so
#: nothing an export carried is thrown away unseen. ``""`` when everything was mapped.
EXTRA_FIELD = "extra"

#: Column order of every record table (``records.csv``).
RECORD_FIELDS: tuple[str, ...] = (
    "record_id",
    *BIBLIOGRAPHIC_FIELDS,
    *PROVENANCE_FIELDS,
    EXTRA_FIELD,
)


class FoundBy(StrEnum):
    """How a record entered the review; PRISMA 2020 counts each in its own column."""

    DATABASE = "database"  # a database search run through an API
    IMPORT = "import"  # an export file from a database without a free API
    CITATION = "citation"  # forward or backward citation tracking
    OTHER = "other"  # hand-added records (websites, experts, ...)


class Direction(StrEnum):
    """Citation-tracking direction, as PRISMA 2020 and CoLRev name it."""

    BACKWARD = "backward"  # the references of a seed
    FORWARD = "forward"  # the works citing a seed


class Decision(StrEnum):
    """A screener's call on one record."""

    INCLUDE = "include"
    EXCLUDE = "exclude"
    MAYBE = "maybe"
    #: Not a call but a correction: takes back the same reviewer's latest standing decision
    #: on the record (what the screening app's undo appends; history is never rewritten).
    UNDO = "undo"


class Stage(StrEnum):
    """Stage names as they appear in audit records and ``reviewflow audit``."""

    IMPORT = "import"
    SEARCH = "search"
    CITATIONS = "citations"
    COLLECT = "collect"
    DEDUP = "dedup"
    SCREENING = "screening"
    FULLTEXT = "fulltext"
    EXTRACTION = "extraction"
    SYNTHESIS = "synthesis"
    PRISMA = "prisma"
    REPRODUCTION = "reproduction"
    REPORT = "report"


class PrismaCount(StrEnum):
    """The audit count behind each box of the PRISMA 2020 flow diagram: one key per box.

    Every stage whose numbers reach the diagram declares the members it writes (the
    ``*_COUNTS`` tuple beside its rule, e.g. ``reviewflow.sources.stage.SEARCH_COUNTS``);
    :class:`reviewflow.audit.StageAudit` refuses to finish a stage without them, and
    :mod:`reviewflow.prisma.counts` reads exactly these keys: a missing one is an error,
    never a 0. The values are the keys of the audit records' ``counts``.
    """

    #: search_database, import_records: one line under Databases / Registers / other methods
    RECORDS_IDENTIFIED = "records_out"
    #: chase_citations: other methods, "Citation searching" by direction
    CITATIONS_BACKWARD = "records_backward"
    CITATIONS_FORWARD = "records_forward"
    #: deduplicate_records: "Duplicate records removed"
    DUPLICATES_REMOVED = "duplicates_removed"
    #: screen_records: "Records screened", "Records excluded", and the records still
    #: unscreened (awaiting screening, or set aside by the stopping rule once it is met)
    RECORDS_SCREENED = "screened"
    RECORDS_EXCLUDED = "excluded"
    RECORDS_AWAITING = "awaiting"
    #: assess_fulltexts: the "reports" boxes and "Studies included in review"
    REPORTS_SOUGHT = "reports_sought"
    REPORTS_NOT_RETRIEVED = "reports_not_retrieved"
    REPORTS_ASSESSED = "reports_assessed"
    REPORTS_EXCLUDED = "reports_excluded"
    REPORTS_AWAITING = "awaiting_fulltext_decision"
    STUDIES_INCLUDED = "studies_included"
    REPORTS_INCLUDED = "reports_included"
    #: An update run (the PRISMA 2020 updated-review flow) counts what is new in this run:
    #: deduplicate_records' studies none of whose records an earlier run had, and the
    #: screening and full-text boxes for those studies only.
    STUDIES_NEW = "studies_new"
    NEW_RECORDS_SCREENED = "new_screened"
    NEW_RECORDS_EXCLUDED = "new_excluded"
    NEW_RECORDS_AWAITING = "new_awaiting"
    NEW_REPORTS_SOUGHT = "new_reports_sought"
    NEW_REPORTS_NOT_RETRIEVED = "new_reports_not_retrieved"
    NEW_REPORTS_ASSESSED = "new_reports_assessed"
    NEW_REPORTS_EXCLUDED = "new_reports_excluded"
    NEW_STUDIES_INCLUDED = "new_studies_included"
    NEW_REPORTS_INCLUDED = "new_reports_included"


class TraceStatus(StrEnum):
    """Where a study of a published review stands in this run (results/reproduction/).

    The first five are losses: the run will not include the study unless a person changes a
    decision or a search; the others are still on their way.
    """

    NOT_RETRIEVED = "not retrieved"  # no search line, export or citation round found it
    MERGED = "merged"  # deduplication joined it with another known include
    EXCLUDED_TITLE_ABSTRACT = "excluded at title/abstract"
    FULLTEXT_NOT_RETRIEVED = "full text not retrieved"
    EXCLUDED_FULLTEXT = "excluded at full text"
    AWAITING_SCREENING = "awaiting screening"
    AWAITING_FULLTEXT = "awaiting full-text decision"
    AWAITING_EXTRACTION = "awaiting extraction"
    INCLUDED = "included"

    @property
    def lost(self) -> bool:
        return self in _LOST

    @property
    def stage(self) -> str:
        """The stage a study with this status stopped at (or waits in)."""
        return _STATUS_STAGE[self]


_LOST = frozenset(list(TraceStatus)[:5])
_STATUS_STAGE = {
    TraceStatus.NOT_RETRIEVED: "search",
    TraceStatus.MERGED: "dedup",
    TraceStatus.EXCLUDED_TITLE_ABSTRACT: "screening",
    TraceStatus.AWAITING_SCREENING: "screening",
    TraceStatus.FULLTEXT_NOT_RETRIEVED: "fulltext",
    TraceStatus.EXCLUDED_FULLTEXT: "fulltext",
    TraceStatus.AWAITING_FULLTEXT: "fulltext",
    TraceStatus.AWAITING_EXTRACTION: "extraction",
    TraceStatus.INCLUDED: "included",
}
