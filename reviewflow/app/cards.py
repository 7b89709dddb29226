"""A study as the screening page shows it: fields, links, highlighted text, why it is shown.

Everything leaves the server as plain data (text split into marked and unmarked pieces);
the page builds its elements with ``textContent``, so nothing in a record is ever HTML.
"""

from __future__ import annotations

import re
from typing import Any

from reviewflow.app.book import Study
from reviewflow.screening.status import ScreeningStatus
from reviewflow.vocab import LIST_SEPARATOR

__all__ = ["highlight", "reason_text", "study_card", "study_links"]


def highlight(text: str, pattern: re.Pattern[str] | None) -> list[list[str]]:
    """``text`` as [piece, mark] pairs; mark is ``inc``, ``exc`` or ``""``."""
    if not text:
        return []
    if pattern is None:
        return [[text, ""]]
    pieces: list[list[str]] = []
    last = 0
    for match in pattern.finditer(text):
        if match.start() > last:
            pieces.append([text[last : match.start()], ""])
        pieces.append([match.group(0), "inc" if match.group("inc") else "exc"])
        last = match.end()
    if last < len(text):
        pieces.append([text[last:], ""])
    return pieces


def study_links(study: Study) -> list[dict[str, str]]:
    """DOI, PubMed and PMC links, and the record's own URL (opened in a new tab)."""
    links = []
    if study.doi:
        links.append({"label": f"doi:{study.doi}", "href": f"https://doi.org/{study.doi}"})
    if study.pmid:
        links.append(
            {
                "label": f"PMID {study.pmid}",
                "href": f"https://pubmed.ncbi.nlm.nih.gov/{study.pmid}/",
            }
        )
    if study.pmcid:
        links.append(
            {
                "label": study.pmcid,
                "href": f"https://pmc.ncbi.nlm.nih.gov/articles/{study.pmcid}/",
            }
        )
    if study.url.startswith(("https://", "http://")) and not links:
        links.append({"label": "record", "href": study.url})
    return links


def reason_text(
    why: str, status: ScreeningStatus | None, basis: str, position: int, left: int
) -> str:
    """Why this study is shown now, in the words a reviewer needs."""
    if why == "second":
        return (
            "Second screening: another reviewer has screened this study in their own file; "
            "decide it independently (their call is not shown)."
        )
    phase = status.phase if status is not None else "ranked"
    if phase == "sampling":
        return (
            f"Random sample: draw {position} of the {left} studies left at the switch. The "
            "stopping test needs studies drawn at random, not the model's picks."
        )
    if phase in ("stopped", "complete"):
        return (
            "Past the stop: the stop criterion is met, so screening may end here; this is "
            "the model's next pick if you go on."
        )
    if basis.startswith("file order"):
        return (
            "Not ranked yet: the first ranking is being computed; until then studies come "
            "in file order."
        )
    if basis.startswith("random"):
        return "Random start: nothing is included yet, so the model has nothing to learn from."
    if basis.startswith("similarity"):
        return "Ranked by similarity to the included studies (no exclusion to learn from yet)."
    return f"Ranked: the model's pick {position} of {left} studies nobody has screened."


def study_card(
    study: Study,
    *,
    why: str,
    reason: str,
    score: float | None,
    pattern: re.Pattern[str] | None,
    own: str = "",
    others: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The JSON the page renders for one study."""
    authors = [a for a in study.authors.split(LIST_SEPARATOR) if a.strip()]
    return {
        "study_id": study.study_id,
        "title": highlight(study.title or "(no title)", pattern),
        "abstract": highlight(study.abstract, pattern),
        "authors": authors,
        "year": study.year,
        "journal": study.journal,
        "keywords": study.keywords,
        "links": study_links(study),
        "sources": [s for s in study.sources.split(LIST_SEPARATOR) if s.strip()],
        "records": [r for r in study.source_record_ids.split(LIST_SEPARATOR) if r.strip()],
        "score": None if score is None else round(score, 4),
        "why": why,
        "reason": reason,
        "own": own,
        "others": others or [],
    }
