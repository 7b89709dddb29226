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
