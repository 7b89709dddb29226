"""Studies as a reviewer cites them: "Surname et al. (Year)", with the full reference.

A study's own row (its representative record after deduplication) may lack authors, year or
journal that another of its records has (a CSV export with titles only, merged with the
PubMed record of the same paper): :func:`fill_from_members` takes each missing field from
the first member record that has it, so the report cites what the run actually holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from reviewflow.normalize import split_list

__all__ = ["citation_label", "fill_from_members", "reference"]

_FILLED = ("authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid")


def _surname(author: str) -> str:
    return author.split(",")[0].strip()


def citation_label(row: Mapping[str, Any]) -> str:
    """In-text citation: "Smith (2019)", "Smith and Jones (2019)", "Smith et al. (2019)";
    the start of the title when the study has no author (the report says why)."""
    authors = split_list(str(row.get("authors", "") or ""))
    year = str(row.get("year", "") or "").strip()
    if authors:
        surnames = [_surname(a) for a in authors]
        if len(surnames) == 1:
            lead = surnames[0]
        elif len(surnames) == 2:
            lead = f"{surnames[0]} and {surnames[1]}"
        else:
            lead = f"{surnames[0]} et al."
        return f"{lead} ({year or 'n.d.'})"
    words = str(row.get("title", "") or "").split()
    if not words:
        return str(row.get("study_id", "") or row.get("record_id", ""))
    start = " ".join(words[:6]).rstrip(".,:;")
    return (f"{start}…" if len(words) > 6 else start) + (f" ({year})" if year else "")


def _vancouver(author: str) -> str:
    """``Smith, John A`` -> ``Smith JA`` (the reference-list form)."""
    surname, _, given = author.partition(",")
    initials = "".join(part[0] for part in given.replace("-", " ").replace(".", " ").split())
    return f"{surname.strip()} {initials}".strip()


def reference(row: Mapping[str, Any]) -> dict[str, str]:
    """The parts of a full reference: authors (six, then et al.), year, title, journal."""
    authors = split_list(str(row.get("authors", "") or ""))
    shown = [_vancouver(a) for a in authors[:6]] + (["et al."] if len(authors) > 6 else [])
    doi = str(row.get("doi", "") or "")
    locator = "".join(
        part
        for part in (
            str(row.get("volume", "") or ""),
            f"({row['issue']})" if row.get("issue") else "",
            f":{row['pages']}" if row.get("pages") else "",
        )
    )
    return {
        "label": citation_label(row),
        "authors": ", ".join(shown),
        "year": str(row.get("year", "") or ""),
        "title": str(row.get("title", "") or "").strip().rstrip(".") or "(no title)",
        "journal": str(row.get("journal", "") or ""),
        "locator": locator,
        "doi": doi,
        "doi_url": f"https://doi.org/{doi}" if doi else "",
        "pmid": str(row.get("pmid", "") or ""),
        "id": str(row.get("study_id", "") or row.get("record_id", "")),
    }


def fill_from_members(studies: pd.DataFrame, records: pd.DataFrame | None) -> pd.DataFrame:
    """Each study row with missing bibliographic fields taken from its member records.

    Members are named by ``source_record_ids`` (the dedup stage's list); a field is taken
    from the first member, in that order, that has it.
    """
    if records is None or records.empty or "source_record_ids" not in studies.columns:
        return studies
    by_id = records.set_index("record_id")
    filled = studies.copy()
    for field in _FILLED:
        if field not in filled.columns:
            filled[field] = ""
    for index, row in filled.iterrows():
        members = [m for m in split_list(str(row.get("source_record_ids", ""))) if m in by_id.index]
        for field in _FILLED:
            if str(row.get(field, "") or "").strip() or field not in by_id.columns:
                continue
            for member in members:
                value = str(by_id.at[member, field] or "")
                if value.strip():
                    filled.at[index, field] = value
                    break
    return filled
