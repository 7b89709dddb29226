"""One record per study: the most complete value of every field, every source id kept.

Each database gets something right that another gets wrong (one has the abstract, another
the PMID, a third the full author list), so a study takes each field from the member that
has it best rather than keeping one member whole. The member lists (``source_record_ids``)
keep every merge reversible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from reviewflow.dedup.prepare import clean_title
from reviewflow.normalize import join_list, split_list
from reviewflow.vocab import PROVENANCE_FIELDS, RECORD_FIELDS

__all__ = ["STUDY_EXTRA_COLUMNS", "member_order", "merge_cluster", "study_id_for"]

STUDY_EXTRA_COLUMNS = ("study_id", "source_record_ids", "sources", "n_records", "first_seen")


def _earliest_run(labels: Sequence[str]) -> str:
    """The run a study was first seen in: ``initial`` (a review's first run) before dates."""
    present = [label for label in labels if label]
    return min(present, key=lambda v: (v != "initial", v)) if present else ""


_LONGEST = {"abstract", "journal"}
_UNION = {"keywords", "issn", "isbn"}


def member_order(
    rows: Sequence[Mapping[str, str]], source_priority: Sequence[str] = ()
) -> list[int]:
    """Positions of a cluster's members, preferred first: by source priority, then record id."""
    rank = {name: n for n, name in enumerate(source_priority)}
    return sorted(
        range(len(rows)),
        key=lambda k: (rank.get(rows[k].get("source", ""), len(rank)), rows[k]["record_id"]),
    )


def study_id_for(
    ordered_ids: Sequence[str], previous_study_ids: set[str] | frozenset[str] = frozenset()
) -> str:
    """Stable study id: a member already used as a study id before, else the first member."""
    for record_id in ordered_ids:
        if record_id in previous_study_ids:
            return record_id
    return ordered_ids[0]


def _pages_score(value: str) -> tuple[int, int]:
    return ("-" in value, len(value))  # a range beats a first page only


def merge_cluster(
    rows: Sequence[Mapping[str, str]],
    *,
    source_priority: Sequence[str] = (),
    previous_study_ids: set[str] | frozenset[str] = frozenset(),
) -> dict[str, str]:
    """The study row of one cluster (record-model columns + :data:`STUDY_EXTRA_COLUMNS`)."""
    order = member_order(rows, source_priority)
    ordered = [rows[k] for k in order]
    ids = [r["record_id"] for r in ordered]
    study: dict[str, str] = {}
    for field in RECORD_FIELDS:
        values = [str(r.get(field, "") or "") for r in ordered]
        present = [v for v in values if v]
        if field == "record_id" or not present:
            study[field] = ""
        elif field == "title":
            # the fullest title, judged without database notes ("[Review] [45 refs]")
            study[field] = max(present, key=lambda v: len(clean_title(v)))
        elif field in _LONGEST:
            study[field] = max(present, key=len)
        elif field == "authors":
            study[field] = max(present, key=lambda v: (len(split_list(v)), len(v)))
        elif field == "pages":
            study[field] = max(present, key=_pages_score)
        elif field in _UNION or field in PROVENANCE_FIELDS:
            seen: list[str] = []
            for value in present:
                for item in split_list(value) if field in _UNION else [value]:
                    if item not in seen:
                        seen.append(item)
            study[field] = join_list(seen)
        else:
            study[field] = present[0]
    study_id = study_id_for(ids, previous_study_ids)
    study["record_id"] = study_id
    study["study_id"] = study_id
    study["source_record_ids"] = join_list(ids)
    study["sources"] = join_list(
        dict.fromkeys(r.get("source", "") for r in ordered if r.get("source"))
    )
    study["n_records"] = str(len(ids))
    study["first_seen"] = _earliest_run([str(r.get("first_seen", "") or "") for r in ordered])
    return study


def studies_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    columns = list(RECORD_FIELDS) + list(STUDY_EXTRA_COLUMNS)
    return pd.DataFrame(rows, columns=columns, dtype=object).fillna("")
