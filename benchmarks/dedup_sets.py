"""The labelled deduplication sets the benchmark scores, and how the added ones were built.

Five sets come from ``../shared/data/dedup/`` (bib-dedupe's data). Two more are public and
stored under ``benchmarks/data/dedup/`` (provenance: ``benchmarks/data/dedup/PROVENANCE.md``):

* ``asysd_test_set``: ASySD's ``labelled_test_set.csv`` (Windows-1252, 1,845 records). It
  flags each record ``unique`` (the copy a reviewer keeps) or ``duplicate`` but does not say
  of which record; :func:`build_asysd_truth` rebuilds the groups by joining every
  ``duplicate`` record to the ``unique`` record it agrees with most.
* ``colrev_dedupe``: CoLRev's ``tests/data/dedupe`` case (21 BibTeX records and the 19 the
  merge must leave); :func:`build_colrev` writes it as a bibliographic CSV with its truth.

``python benchmarks/dedup_sets.py`` rebuilds the derived files from the stored originals.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "dedup"
ADDED = ROOT / "benchmarks" / "data" / "dedup"


@dataclass(frozen=True)
class LabelledSet:
    """One labelled set: the records as a tool receives them and the true clustering."""

    name: str
    records: Path
    truth: Path
    encoding: str = "utf-8"


def labelled_sets() -> list[LabelledSet]:
    shared = [
        LabelledSet(name, SHARED / name / "records_pre_merged.csv", SHARED / name / "truth.csv")
        for name in ("special_cases", "stroke", "haematology", "cytology_screening", "neuroimaging")
    ]
    return [
        *shared,
        LabelledSet(
            "asysd_test_set",
            ADDED / "asysd_test_set" / "labelled_test_set.csv",
            ADDED / "asysd_test_set" / "truth.csv",
            encoding="cp1252",
        ),
        LabelledSet(
            "colrev_dedupe",
            ADDED / "colrev_dedupe" / "records.csv",
            ADDED / "colrev_dedupe" / "truth.csv",
        ),
    ]


def _na(value: str) -> str:
    return "" if value.strip() in ("", "NA") else value


def _number(value: str) -> str:
    match = re.search(r"\d+", value)
    return match.group(0).lstrip("0") if match else ""


def build_asysd_truth(folder: Path = ADDED / "asysd_test_set") -> dict[str, int]:
    """Write ``truth.csv`` (record_id, cluster_id) for ASySD's labelled test set.

    The file has 584 records labelled ``unique`` and 1,261 labelled ``duplicate``. Each
    ``duplicate`` joins the ``unique`` record scoring highest on: 4 x title similarity,
    DOI +-1.5 (when no other ``unique`` record carries that DOI), year, volume and first page +-0.5 each, 0.5 x journal word overlap and
    1 x similarity of the first 40 letters of the author list (fields missing on either side
    count 0). The cluster id is the ``unique`` record's id. Returns the number of assignments
    whose runner-up scored within 1.0 of the winner (checked by hand; see PROVENANCE.md).
    """
    from rapidfuzz import fuzz, process

    from reviewflow.normalize import normalize_doi, title_key

    with open(folder / "labelled_test_set.csv", encoding="cp1252", newline="") as handle:
        rows = list(csv.DictReader(handle))
    keys = []
    for row in rows:
        keys.append(
            {
                "id": row["record_id"],
                "flag": row["source"],
                "title": title_key(_na(row["title"])).replace(" ", ""),
                "doi": normalize_doi(_na(row["doi"])),
                "year": _na(row["year"]),
                "volume": _number(_na(row["volume"])),
                "page": _number(_na(row["pages"])),
                "journal": re.sub(r"[^a-z ]", "", _na(row["journal"]).lower()),
                "authors": re.sub(r"[^a-z]", "", _na(row["author"]).lower())[:40],
            }
        )
    unique = [k for k in keys if k["flag"] == "unique"]
    titles = [k["title"] for k in unique]
    # a DOI on several kept records is a supplement's or an issue's, not an article's
    doi_count = Counter(k["doi"] for k in unique if k["doi"])

    def agreement(a: dict[str, str], b: dict[str, str]) -> float:
        score = 4 * fuzz.ratio(a["title"], b["title"]) / 100
        if a["doi"] and b["doi"] and doi_count[b["doi"]] <= 1:
            score += 1.5 if a["doi"] == b["doi"] else -1.5
        for name in ("year", "volume", "page"):
            if a[name] and b[name]:
                score += 0.5 if a[name] == b[name] else -0.5
        if a["journal"] and b["journal"]:
            score += 0.5 * fuzz.token_set_ratio(a["journal"], b["journal"]) / 100
        if a["authors"] and b["authors"]:
            score += fuzz.ratio(a["authors"], b["authors"]) / 100
        return score

    cluster = {k["id"]: k["id"] for k in unique}
    close = 0
    for record in (k for k in keys if k["flag"] == "duplicate"):
        found = process.extract(record["title"], titles, scorer=fuzz.ratio, limit=8)
        candidates = {n for _, _, n in found}
        candidates |= {
            n for n, u in enumerate(unique) if record["doi"] and u["doi"] == record["doi"]
        }
        ranked = sorted(((agreement(record, unique[n]), n) for n in candidates), reverse=True)
        cluster[record["id"]] = unique[ranked[0][1]]["id"]
        if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < 1.0:
            close += 1
    with open(folder / "truth.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["record_id", "cluster_id"])
        for k in keys:
            writer.writerow([k["id"], cluster[k["id"]]])
    return {"records": len(keys), "groups": len(unique), "close_calls": close}


_BIB_COLUMNS = ("ID", "ENTRYTYPE", "author", "title", "year", "journal", "booktitle")
_BIB_COLUMNS += ("volume", "number", "pages", "doi")


def build_colrev(folder: Path = ADDED / "colrev_dedupe") -> dict[str, int]:
    """Write ``records.csv`` and ``truth.csv`` from CoLRev's dedupe test case.

    ``records.bib`` holds the records before deduplication, ``records_expected.bib`` after;
    an expected record whose ``colrev_origin`` lists the origins of several input records
    is their merge, so those input records form one true group.
    """
    import bibtexparser

    def entries(path: Path) -> list[dict[str, str]]:
        library = bibtexparser.parse_string(path.read_text(encoding="utf-8"))
        found = []
        for entry in library.entries:
            fields = {name: str(f.value) for name, f in entry.fields_dict.items()}
            fields["ID"], fields["ENTRYTYPE"] = entry.key, entry.entry_type
            found.append(fields)
        return found

    def origins(entry: dict[str, str]) -> set[str]:
        return {o.strip() for o in entry.get("colrev_origin", "").split(";") if o.strip()}

    before = entries(folder / "records.bib")
    after = entries(folder / "records_expected.bib")
    group_of = {origin: merged["ID"] for merged in after for origin in origins(merged)}
    with open(folder / "records.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(_BIB_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for entry in before:
            writer.writerow({c: re.sub(r"\s+", " ", entry.get(c, "")) for c in _BIB_COLUMNS})
    with open(folder / "truth.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["record_id", "cluster_id"])
        for entry in before:
            (group,) = {group_of[o] for o in origins(entry)}
            writer.writerow([entry["ID"], group])
    return {"records": len(before), "groups": len(after)}


def bib_shaped(data: LabelledSet, out: Path) -> Path:
    """The set as bib-dedupe reads it (``ID``, ``ENTRYTYPE``, ``author``...), UTF-8."""
    with open(data.records, encoding=data.encoding, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and "ID" in rows[0]:
        columns = list(rows[0])
        converted = rows
    else:
        columns = ["ID", "ENTRYTYPE", "author", "title", "year", "journal", "volume"]
        columns += ["number", "pages", "doi", "abstract", "isbn"]
        converted = [
            {
                "ID": row["record_id"],
                "ENTRYTYPE": "article",
                **{c: _na(row.get(c, "")) for c in columns[2:]},
            }
            for row in rows
        ]
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(converted)
    return out


if __name__ == "__main__":
    print("asysd_test_set:", build_asysd_truth())
    print("colrev_dedupe:", build_colrev())
