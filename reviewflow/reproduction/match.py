"""Finding a published review's included studies among the records of a run.

Identifiers decide first: a DOI, PMID, PMCID or OpenAlex id that a known include and a
record share is a match. Every known include then also goes through the deduplication
matcher (:func:`reviewflow.dedup.compare.compare_pair`, with the run's thresholds and its
guards against false merges) as if it were one more record, so records without the
identifier (an export with no DOI field) are found too.

A citation in a reference list carries less than a database record: often a title, a year
and a first author only, so the weighed evidence rarely reaches a merge. Where no hard guard
forbids the pair (other pages, an erratum, a differing number in the title) and one side has
no author list to compare, a match is accepted when the titles are at least ``sparse_title``
similar (``title_only`` without a year on both sides), the years agree where both give one,
and the title is long enough to identify a paper. The thresholds were chosen on the labelled
deduplication sets, one set left out at a time (``benchmarks/known_includes.py``,
``docs/reproduction.md``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from rapidfuzz import fuzz

from reviewflow.dedup.blocking import candidate_pairs
from reviewflow.dedup.compare import DUPLICATE, UNCERTAIN, compare_pair, incompatible
from reviewflow.dedup.model import MatchModel, default_model
from reviewflow.dedup.prepare import prepare_records
from reviewflow.reproduction.known import KnownInclude

__all__ = [
    "KnownMatch",
    "KnownMatches",
    "MatchSettings",
    "match_known_includes",
]

_ID_LABELS = {
    "doi": "same DOI",
    "pmid": "same PMID",
    "pmcid": "same PMCID",
    "openalex_id": "same OpenAlex id",
}

_MATCH_COLUMNS = (
    "record_id",
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "openalex_id",
    "s2_id",
    "entry_type",
    "publication_type",
    "abstract",
)


@dataclass(frozen=True)
class MatchSettings:
    """How a known include is matched: the dedup thresholds (None: the shipped model's),
    and whether a citation that gives nothing but a title (and year) may match on the title
    alone."""

    duplicate: float | None = None
    uncertain: float | None = None
    #: Title similarity a citation with no author list to compare needs when the years
    #: agree, and when there is no year either (title only); None: such a citation matches
    #: only what the matcher itself calls a duplicate. Both chosen on the labelled dedup
    #: sets with one set left out (docs/reproduction.md).
    sparse_title: float | None = 0.95
    title_only: float | None = 0.98
    #: Fewer title words than this identify no paper on their own ("Editorial", "Letter to
    #: the editor", "Hand hygiene"): such a citation needs an author or identifier.
    min_title_words: int = 5

    @classmethod
    def from_dedup_config(cls, dedup: Mapping[str, Any] | None) -> MatchSettings:
        thresholds = dict((dedup or {}).get("thresholds") or {})
        duplicate, uncertain = thresholds.get("duplicate"), thresholds.get("uncertain")
        return cls(
            duplicate=None if duplicate is None else float(duplicate),
            uncertain=None if uncertain is None else float(uncertain),
        )

    def model(self) -> MatchModel:
        """The dedup stage's model, with this run's thresholds where config sets them."""
        model = default_model()
        if self.duplicate is None and self.uncertain is None:
            return model
        return model.with_thresholds(
            model.merge_at if self.duplicate is None else self.duplicate,
            model.review_at if self.uncertain is None else self.uncertain,
            "config dedup.thresholds",
        )


@dataclass(frozen=True)
class KnownMatch:
    """One record a known include was found as, and the rule that decided."""

    record_id: str
    method: str
    score: float


@dataclass(frozen=True)
class KnownMatches:
    """Per known include: the records it was found as, and records the matcher could not
    settle (for a person to check when nothing was found)."""

    found: dict[str, list[KnownMatch]]
    possible: dict[str, list[KnownMatch]]


def _pseudo_record(known: KnownInclude) -> dict[str, str]:
    return {
        "record_id": f"known:{known.known_id}",
        "title": known.title,
        "authors": known.first_author,
        "year": known.year,
        "doi": known.doi,
        "pmid": known.pmid,
        "pmcid": known.pmcid,
        "openalex_id": known.openalex_id,
    }


def _title_similarity(prep: Any, record: int, citation: int) -> float:
    a, b = prep.title[record], prep.title[citation]
    if not a or not b:
        return 0.0
    return 1.0 if a == b else fuzz.ratio(a, b) / 100.0


def _sparse_match(prep: Any, record: int, citation: int, settings: MatchSettings) -> bool:
    """Accept a title match for a citation too thin for the matcher to settle: no author
    list on one side to compare, the same year where both give one."""
    years = (prep.year[record], prep.year[citation])
    threshold = settings.sparse_title if all(years) else settings.title_only
    return (
        threshold is not None
        and _title_similarity(prep, record, citation) >= threshold
        and len(prep.title[citation].split()) >= settings.min_title_words
        and not (prep.surnames[record] and prep.surnames[citation])
        and (not all(years) or years[0] == years[1])
    )


def match_known_includes(
    known: Sequence[KnownInclude],
    records: pd.DataFrame,
    settings: MatchSettings | None = None,
) -> KnownMatches:
    """Per ``known_id``, the records it was found as (none: not retrieved).

    ``records`` is a record table (``results/records/all_records.csv``). Matches by
    identifier come first in each list, then the matcher's, best score first.
    """
    settings = settings or MatchSettings()
    found: dict[str, dict[str, KnownMatch]] = {k.known_id: {} for k in known}
    possible: dict[str, dict[str, KnownMatch]] = {k.known_id: {} for k in known}
    frame = records.reindex(columns=list(_MATCH_COLUMNS)).fillna("").astype(str)
    index: dict[tuple[str, str], list[str]] = {}
    for name in _ID_LABELS:
        for record_id, value in zip(frame["record_id"], frame[name], strict=True):
            if value:
                index.setdefault((name, value), []).append(record_id)
    for item in known:
        for name, value in item.identifiers().items():
            for record_id in index.get((name, value), []):
                found[item.known_id].setdefault(
                    record_id, KnownMatch(record_id, _ID_LABELS[name], 1.0)
                )
    if known:
        pseudo = pd.DataFrame([_pseudo_record(k) for k in known]).reindex(
            columns=list(_MATCH_COLUMNS)
        )
        combined = pd.concat([frame, pseudo.fillna("")], ignore_index=True)
        n_records = len(frame)
        prep = prepare_records(combined)
        new = set(range(n_records, len(combined)))
        model = settings.model()
        for a, b in sorted(candidate_pairs(prep, only=new)):
            if a in new and b in new:
                continue
            record_pos, known_pos = (a, b) if b in new else (b, a)
            item = known[known_pos - n_records]
            result = compare_pair(prep, record_pos, known_pos, model)
            # a hard guard (other pages, an erratum, a differing number in the title...)
            # keeps even a thin citation apart; otherwise the title may settle it
            vetoed = result.outcome != DUPLICATE and bool(incompatible(prep, record_pos, known_pos))
            similarity = _title_similarity(prep, record_pos, known_pos)
            accepted = result.outcome == DUPLICATE or (
                not vetoed and _sparse_match(prep, record_pos, known_pos, settings)
            )
            record_id = str(combined.at[record_pos, "record_id"])
            if not accepted:
                if result.outcome == UNCERTAIN or (not vetoed and similarity >= 0.9):
                    short = len(prep.title[known_pos].split()) < settings.min_title_words
                    why = (
                        "the title alone is too short to identify a paper"
                        if short and not vetoed
                        else result.reason.split(": ", 1)[-1]
                    )
                    possible[item.known_id][record_id] = KnownMatch(
                        record_id, f"{why} (title similarity {similarity:.2f})", similarity
                    )
                continue
            method = (
                f"matcher: {result.reason}"
                if result.outcome == DUPLICATE
                else "matcher: title (the citation gives no author or locator to compare)"
            )
            found[item.known_id].setdefault(record_id, KnownMatch(record_id, method, result.score))

    def ordered(matches: dict[str, KnownMatch]) -> list[KnownMatch]:
        return sorted(
            matches.values(),
            key=lambda m: (not m.method.startswith("same "), -m.score, m.record_id),
        )

    assigned = _assign(found)
    return KnownMatches(
        found={k: ordered(m) for k, m in assigned.items()},
        possible={k: ordered(m)[:3] for k, m in possible.items() if not assigned[k]},
    )


def _assign(found: dict[str, dict[str, KnownMatch]]) -> dict[str, dict[str, KnownMatch]]:
    """Give a record claimed by several known includes to the one it matches best.

    Two citations with nearly the same title (a paper and its companion, ``behaviors`` and
    ``behaviours``) each match both records; each keeps the record it matches best. A known
    include left with nothing keeps all it matched: the ambiguity is then reported.
    """
    best: dict[str, float] = {}
    for matches in found.values():
        for record_id, match in matches.items():
            best[record_id] = max(best.get(record_id, 0.0), match.score)
    assigned = {}
    for known_id, matches in found.items():
        kept = {r: m for r, m in matches.items() if m.score >= best[r]}
        assigned[known_id] = kept or matches
    return assigned
