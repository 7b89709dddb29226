"""The methods section as a reviewer writes it, built from the audit records (PRISMA 2020
items 6-9, 13 and PRISMA-S items 1-16).

Each function turns one stage's audit record (and the few tables beside it) into what the
template prints: every search line with its database, platform, the query as sent, what the
database made of it, filters, date limits, date run, hits and records, and a visible flag
when a line was cut short; citation tracking as a table; deduplication, screening, full
text and extraction in sentences. Audit keys a stage adds later are shown under "also
recorded", never dropped and never printed as raw Python values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow.prisma import SOURCE_NAMES
from reviewflow.report.words import count, is_blank, join_words, percent, plural, shown
from reviewflow.screening.stopping import STOPPERS, StopSettings, recall_words, to_go_words
from reviewflow.vocab import Stage

__all__ = [
    "citation_summary",
    "dedup_summary",
    "extraction_summary",
    "fulltext_summary",
    "screening_summary",
    "search_lines",
]

Cite = Callable[[int, Sequence[Mapping[str, Any]]], Any]

#: Platforms of the API sources, for the "database and platform" of PRISMA-S item 1.
PLATFORMS = {
    "pubmed": "NCBI E-utilities (ESearch, EFetch)",
    "europepmc": "Europe PMC REST API",
    "openalex": "OpenAlex API (/works)",
    "crossref": "Crossref REST API (/works)",
    "semanticscholar": "Semantic Scholar Graph API (bulk search)",
}

#: Search audit keys printed in their own row; anything else goes under "also recorded".
_SEARCH_KEYS = {
    "base_url",
    "capped_by_max_records",
    "database",
    "date_from",
    "date_run",
    "date_searched",
    "date_to",
    "hits_reported",
    "query",
    "query_sent",
    "query_translation",
    "ranking_note",
    "records_retrieved",
    "replay",
    "requests_made",
    "resumed_requests",
    "search_field",
    "search_id",
    "shortfall",
    "warnings",
    "file",
    "format",
    "format_given",
    "import_id",
    "database_in_file",
    "platform",
    "notes",
    "exported_at",
    "kind",
}


def _details(audit: Mapping[str, Any]) -> dict[str, Any]:
    return dict(audit.get("details") or {})


def _search_entry(audit: Mapping[str, Any]) -> dict[str, Any]:
    return dict((audit.get("parameters") or {}).get("search") or {})


def _param_lines(params: Mapping[str, Any]) -> str:
    return "\n".join(f"{k}={v}" for k, v in params.items() if not is_blank(v))


def derived_query(source: str, entry: Mapping[str, Any]) -> str:
    """The request parameters a search sends, rebuilt from its config entry, for audit
    records written before the search stage recorded ``query_sent`` itself. OpenAlex and
    Crossref searches defined by filters alone have their filter as the query."""
    query = str(entry.get("query", "") or "")
    filters = dict(entry.get("filters") or {})
    date_from, date_to = entry.get("date_from"), entry.get("date_to")
    if source == "openalex":
        from reviewflow.sources.openalex import openalex_filter

        return _param_lines(
            {"search": query, "filter": openalex_filter(filters, date_from, date_to)}
        )
    if source == "crossref":
        container = str(filters.pop("container", "")).strip("/")
        parts = [f"{k}:{v}" for k, v in filters.items()]
        parts += [f"from-pub-date:{date_from}"] if date_from else []
        parts += [f"until-pub-date:{date_to}"] if date_to else []
        route = f"GET /{container}/works" if container else "GET /works"
        return "\n".join(
            [route, *(_param_lines({"query": query, "filter": ",".join(parts)}).splitlines())]
        )
    if source == "pubmed":
        return _param_lines({"term": query, **filters})
    if source == "europepmc":
        return _param_lines({"query": query, **filters})
    if source == "semanticscholar":
        return _param_lines({"query": query, **filters})
    return query


def _date_limits(details: Mapping[str, Any], entry: Mapping[str, Any]) -> str:
    start = details.get("date_from", entry.get("date_from"))
    end = details.get("date_to", entry.get("date_to"))
    if is_blank(start) and is_blank(end):
        return "none"
    if is_blank(end):
        return f"published from {start}"
    if is_blank(start):
        return f"published up to {end}"
    return f"published {start} to {end}"


def _run_date(audit: Mapping[str, Any]) -> str:
    details = _details(audit)
    finished = str(audit.get("finished", ""))[:10]
    for key in ("date_run", "date_searched"):
        value = str(details.get(key, "") or "")
        if value:
            return value[:10] + (" (replayed from the archive)" if details.get("replay") else "")
    if details.get("replay"):
        return f"not recorded in the archive (replayed {finished})"
    if audit.get("stage") == Stage.IMPORT:
        return f"not recorded (export imported {finished})"
    return finished


def _capped(audit: Mapping[str, Any], hits: Any, records: int) -> str:
    details = _details(audit)
    entry = _search_entry(audit)
    limit = entry.get("max_records")
    capped = details.get("capped_by_max_records")
    if capped is None:
        capped = bool(limit) and isinstance(hits, int) and hits > records
    if not capped:
        return ""
    of = f" of {count(hits)} hits" if not is_blank(hits) else ""
    return f"cut by max_records = {count(limit)}: {count(records)}{of} retrieved"


def _shortfall(details: Mapping[str, Any]) -> str:
    gap = details.get("shortfall")
    if not isinstance(gap, Mapping) or is_blank(gap):
        return ""
    text = f"received {count(gap.get('received'))} of {count(gap.get('expected'))} records"
    if gap.get("allowed") is True:
        text += " (accepted: the line allows a shortfall)"
    return text


def _also_recorded(details: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (key.replace("_", " "), shown(value))
        for key, value in sorted(details.items())
        if key not in _SEARCH_KEYS and not is_blank(value) and not isinstance(value, list)
    ]


def search_lines(
    audits: Sequence[Mapping[str, Any]],
    imports: Sequence[Mapping[str, Any]],
    cite: Cite,
) -> list[dict[str, Any]]:
    """Every search line and export (PRISMA-S items 1-13), and exports still awaited."""
    lines: list[dict[str, Any]] = []
    for audit in audits:
        stage = audit.get("stage")
        if stage not in (Stage.SEARCH, Stage.IMPORT):
            continue
        details = _details(audit)
        entry = _search_entry(audit)
        counts = audit.get("counts") or {}
        key = next((k for k in ("records_out", "records", "hits") if k in counts), "records_out")
        records = int(counts.get(key, 0))
        line_id = Path(str(audit["path"])).parent.name
        source = str(entry.get("source") or details.get("database") or "").lower()
        hits = details.get("hits_reported", counts.get("hits_reported"))
        if stage == Stage.SEARCH:
            query = str(details.get("query_sent") or "") or derived_query(source, entry)
            query_note = "" if details.get("query_sent") else "rebuilt from the search parameters"
            platform = PLATFORMS.get(source, "")
            where = str(details.get("base_url", ""))
            how = "API search"
        else:
            query = str(details.get("query", "") or "")
            query_note = ""
            platform = str(details.get("platform", "") or "")
            where = str(details.get("file", ""))
            how = "export imported"
        warnings = details.get("warnings") or []
        lines.append(
            {
                "id": line_id,
                "database": SOURCE_NAMES.get(source, "") or str(details.get("database") or line_id),
                "platform": platform,
                "where": where,
                "how": how,
                "query": query,
                "query_note": query_note,
                "translation": str(details.get("query_translation", "") or ""),
                "search_field": str(details.get("search_field", "") or ""),
                "filters": shown({k: v for k, v in (entry.get("filters") or {}).items()}),
                "date_limits": _date_limits(details, entry) if stage == Stage.SEARCH else "",
                "date_run": _run_date(audit),
                "hits": count(hits) if not is_blank(hits) else "",
                "records": (records, [{"audit": audit["path"], "key": f"counts.{key}"}]),
                "capped": _capped(audit, hits, records) if stage == Stage.SEARCH else "",
                "shortfall": _shortfall(details),
                "warnings": [shown(w) for w in warnings] if isinstance(warnings, list) else [],
                "ranking_note": str(details.get("ranking_note", "") or ""),
                "notes": str(entry.get("notes") or details.get("notes") or ""),
                "also": _also_recorded(details),
                "status": "run",
            }
        )
    for export in imports:
        if not export.get("awaiting_export"):
            continue
        lines.append(
            {
                "id": str(export["id"]),
                "database": str(export.get("database", "")),
                "platform": str(export.get("platform", "")),
                "where": str(export.get("path", "")),
                "how": "export needed",
                "query": str(export.get("query", "") or ""),
                "query_note": "",
                "translation": "",
                "search_field": "",
                "filters": "",
                "date_limits": "",
                "date_run": str(export.get("date_searched", "") or "not run yet"),
                "hits": "",
                "records": "",
                "capped": "",
                "shortfall": "",
                "warnings": [],
                "ranking_note": "",
                "notes": str(export.get("notes", "") or ""),
                "also": [],
                "status": "export needed",
            }
        )
    order = {"API search": 0, "export imported": 1, "export needed": 2}
    lines.sort(key=lambda line: (order[line["how"]], line["database"], line["id"]))
    for line in lines:  # footnotes numbered in reading order
        if line["records"]:
            line["records"] = cite(*line["records"])
    return lines


def citation_summary(
    audit: Mapping[str, Any] | None,
    table: Sequence[Mapping[str, Any]],
    seeds: pd.DataFrame | None,
) -> dict[str, Any] | None:
    """Citation tracking (PRISMA-S item 11) as sentences, a seeds table and a results table."""
    if audit is None:
        return None
    params = audit.get("parameters") or {}
    counts = audit.get("counts") or {}
    directions = [str(d) for d in params.get("directions") or []]
    sources = [SOURCE_NAMES.get(str(s), str(s)) for s in params.get("sources") or []]
    rounds = int(counts.get("rounds", 0) or 0)
    depth = params.get("depth")
    words = {
        "backward": "backward (the references of each seed)",
        "forward": "forward (works citing it)",
    }
    text = (
        f"Citation tracking chased {plural(int(counts.get('seeds', 0) or 0), 'seed')} "
        f"{join_words(words.get(d, d) for d in directions)} in {join_words(sources)}, "
        f"in {plural(rounds, 'round')}"
    )
    if depth and rounds < int(depth):
        text += f" (up to {depth} allowed; a later round had no newly included record to chase)"
    text += "."
    earliest, latest = params.get("published_from"), params.get("published_to")
    if earliest or latest:
        limits = (
            f"from {earliest} to {latest}"
            if earliest and latest
            else f"from {earliest} on"
            if earliest
            else f"up to {latest}"
        )
        outside = sum(
            int(n or 0) for key, n in counts.items() if "_outside_years_round" in str(key)
        )
        text += (
            f" Works found were kept when published {limits} (works without a year were kept"
            f" for screening); {plural(outside, 'work')} published outside them"
            f" {'was' if outside == 1 else 'were'} left out."
        )
    ways = {
        str(row.get("seed", "")): str(row.get("directions", ""))
        for row in (seeds.to_dict("records") if seeds is not None else [])
        if str(row.get("directions", "") or "")
    }
    if ways:
        verb = "was" if len(ways) == 1 else "were"
        text += f" {plural(len(ways), 'seed')} {verb} chased only the ways config names for {'it' if len(ways) == 1 else 'them'}."
    short = int(counts.get("lists_short", 0) or 0)
    if short:
        text += (
            f" {plural(short, 'reference or citing list')} paged out before the count its"
            " index announced and " + ("was" if short == 1 else "were") + " accepted as"
            " received (citations.allow_shortfall; each is named in the audit)."
        )
    if params.get("from_included") is False:
        text += " Only the seeds below were chased, not the studies screening included."
    elif params.get("from_included"):
        text += " Studies included at screening were chased as well as the seeds."
    seed_rows = []
    if seeds is not None and not seeds.empty:
        for row in seeds.to_dict("records"):
            seed_rows.append(
                {
                    "seed": str(row.get("seed", "")),
                    "origin": {"config": "named in config", "included": "included study"}.get(
                        str(row.get("origin", "")), str(row.get("origin", ""))
                    ),
                    "round": str(row.get("round", "")),
                    "directions": str(row.get("directions", "") or "as configured"),
                    "status": " ".join(
                        x for x in (str(row.get("status", "")), str(row.get("reason", ""))) if x
                    ),
                    "note": str(row.get("note", "")),
                }
            )
    unresolved = int(counts.get("seeds_unresolved", 0) or 0)
    if unresolved:
        text += f" {plural(unresolved, 'seed')} could not be resolved (see the seeds table)."
    return {"text": text, "seeds": seed_rows, "table": list(table), "path": audit["path"]}


def dedup_summary(audit: Mapping[str, Any] | None, cite: Cite) -> dict[str, Any] | None:
    """Deduplication in sentences, every number linked to its audit key."""
    if audit is None:
        return None
    counts = audit.get("counts") or {}
    params = audit.get("parameters") or {}
    path = audit["path"]

    def n(key: str) -> Any:
        return cite(int(counts.get(key, 0) or 0), [{"audit": path, "key": f"counts.{key}"}])

    reasons = [
        (
            reason.removeprefix("merged: "),
            cite(int(v), [{"audit": path, "key": f"reasons.{reason}"}]),
        )
        for reason, v in sorted((audit.get("reasons") or {}).items(), key=lambda kv: -kv[1])
    ]
    thresholds = params.get("thresholds") or {}
    method = (
        "Records were compared within blocks sharing an identifier, the start or end of the "
        "title, first author and year, or volume and first page; identical DOIs, PMIDs or "
        "other identifiers merge, and titles merge from a similarity of "
        f"{shown(thresholds.get('duplicate', 0.95))} when authors, year and venue agree, "
        "after guards against merging errata, comments, part numbers, protocols and "
        "conference abstracts with full papers. Pairs from a similarity of "
        f"{shown(thresholds.get('uncertain', 0.85))} that the rules cannot decide are listed "
        "for a person."
    )
    return {
        "records_in": n("records_in"),
        "duplicates": n("duplicates_removed"),
        "studies": n("studies_out"),
        "uncertain": n("uncertain_pairs"),
        "manual": n("manual_decisions_applied"),
        "reasons": reasons,
        "method": method,
        "path": path,
        "finished": audit.get("finished", ""),
    }


def _kappa(value: Any) -> list[str]:
    if not isinstance(value, Mapping):
        return []
    found = []
    for key, kappa in value.items():
        if key.startswith("n_"):
            continue
        n = value.get(f"n_{key}")
        text = f"{key}: {shown(kappa) if kappa is not None else 'undefined'}"
        found.append(text + (f" over {plural(int(n), 'study', 'studies')}" if n else ""))
    return found


def _share(value: Any) -> float | None:
    """A recorded share (0-1) as a float, None when blank or not a number."""
    if is_blank(value) or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def screening_summary(
    audit: Mapping[str, Any] | None,
    progress: pd.DataFrame | None,
    cite: Cite,
    reviewers: int,
) -> dict[str, Any] | None:
    """Screening in words: how much was screened, whether the stopping rule is met, the
    estimated recall and its bound, what remains; kappa only with two or more reviewers."""
    if audit is None:
        return None
    counts = audit.get("counts") or {}
    details = dict(audit.get("details") or {})
    # A stop status recorded as one mapping (screened, relevant found, estimate, bound,
    # criterion, met, remaining) is read under the flat names used below.
    status = details.pop("stop_status", None)
    if isinstance(status, Mapping):
        for short, flat in (
            ("estimate", "estimated_recall"),
            ("bound", "recall_lower_bound"),
            ("met", "stop_criterion_met"),
            ("criterion", "stop_criterion"),
            ("remaining", "remaining"),
            ("relevant_found", "relevant_found"),
        ):
            if short in status and is_blank(details.get(flat)):
                details[flat] = status[short]
    params = audit.get("parameters") or {}
    stopping = params.get("stopping") or {}
    path = audit["path"]

    def n(key: str) -> Any:
        return cite(int(counts.get(key, 0) or 0), [{"audit": path, "key": f"counts.{key}"}])

    last = progress.iloc[-1].to_dict() if progress is not None and not progress.empty else {}
    rule = str(details.get("stop_rule") or stopping.get("rule") or "")
    met = details.get("stop_criterion_met")
    if isinstance(met, str):
        met = met.lower() == "true"
    target_value = _share(stopping.get("recall_target", last.get("recall_target")))
    confidence_value = _share(stopping.get("confidence", last.get("confidence")))
    target = percent(target_value, 0)
    confidence = percent(confidence_value, 0)
    estimate = _share(details.get("estimated_recall", last.get("estimated_recall")))
    bound = _share(details.get("recall_lower_bound", last.get("recall_lower_bound")))
    remaining = int(details.get("remaining") or counts.get("awaiting", 0) or 0)
    raw_to_go = details.get("records_to_go", last.get("records_to_go"))
    to_go = None if raw_to_go is None or is_blank(raw_to_go) else int(float(raw_to_go))
    stopper = STOPPERS.get(rule)
    criterion = details.get("stop_criterion")
    if is_blank(criterion) and stopper is not None and isinstance(stopping, Mapping):
        # an audit of an earlier version may record only the keys its config set
        criterion = stopper.criterion(StopSettings.from_raw(stopping, check=False))
    stop = f"Stopping rule {rule}: {stopper.title}" if stopper else "Stopping rule: "
    if stopper is None:
        stop += rule or "none named"
    if target:
        stop += f", target recall {target}" + (f" at {confidence} confidence" if confidence else "")
    stop += ". "
    if not is_blank(criterion):
        stop += f"Stop when {criterion}. "
    if estimate is not None or bound is not None or stopper is not None:
        words = recall_words(
            certifies=bool(stopper and stopper.certifies),
            met=bool(met),
            estimate=estimate,
            bound=bound,
            recall_target=target_value,
            confidence=confidence_value,
        )
        stop += words + " "
    if met:
        stop += (
            "The criterion is met: the records left unscreened may be set aside "
            f"({count(remaining)} records; PRISMA counts them as marked ineligible by "
            "automation tools)."
        )
    else:
        stop += f"The criterion is not met yet, so screening goes on; {count(remaining)} "
        stop += "records have not been screened."
        if "records_to_go" in details or "records_to_go" in last:
            stop += " " + to_go_words(to_go, remaining)
    phase = str(details.get("phase") or last.get("phase") or "")
    switched = details.get("switched_at")
    if is_blank(switched):
        switched = last.get("switched_at")
    if phase == "ranked":
        phase_text = "Records are offered in the model's ranked order"
        after = stopping.get("switch_after_consecutive_irrelevant")
        share = stopping.get("switch_after_fraction")
        if stopper is not None and stopper.needs_sample and (after or share):
            conditions = []
            if after:
                conditions.append(f"{after} irrelevant records in a row")
            if share:
                conditions.append(f"{percent(share, 0)} of the records screened")
            phase_text += f"; random sampling starts after {join_words(conditions, 'or')}"
            phase_text += " (not reached yet)." if is_blank(switched) else "."
        else:
            phase_text += ", and the stopping rule reads the records screened in that order."
    elif phase:
        phase_text = f"Screening is in its {phase} phase"
        phase_text += (
            f", which began after {count(switched)} records." if not is_blank(switched) else "."
        )
    else:
        phase_text = ""
    model = params.get("model") or {}
    resolved = params.get("model_resolved") or {}
    model_text = ""
    if model or resolved:
        name = str(model.get("name", "") if isinstance(model, Mapping) else model)
        ranker = str(resolved.get("name", "") if isinstance(resolved, Mapping) else "")
        model_text = f"Ranking model: preset {name}" if name else "Ranking model"
        model_text += f" ({ranker})." if ranker and ranker != name else "."
    kappa = _kappa(details.get("kappa")) if reviewers >= 2 else []
    known = {
        "estimated_recall",
        "recall_lower_bound",
        "stop_criterion_met",
        "stop_rule",
        "phase",
        "switched_at",
        "kappa",
        "p_value",
        "score_basis",
        "remaining",
        "records_to_go",
        "stop_criterion",
    }
    also = [
        (k.replace("_", " "), shown(v))
        for k, v in sorted(details.items())
        if k not in known and not is_blank(v)
    ]
    if not is_blank(details.get("p_value")):
        also.insert(0, ("p value of the stopping test", shown(details["p_value"])))
    return {
        "screened": n("screened"),
        "studies_in": n("studies_in"),
        "included": n("included"),
        "excluded": n("excluded"),
        "maybe": int(counts.get("maybe", 0) or 0),
        "conflicts": int(counts.get("conflicts", 0) or 0),
        "awaiting": n("awaiting"),
        "next_batch": int(counts.get("next_batch", 0) or 0),
        "stop": stop,
        "met": bool(met),
        "phase": phase_text,
        "model": model_text,
        "kappa": kappa,
        "reviewers": reviewers,
        "also": also,
        "path": path,
    }


#: How each progress.csv column is shown: percentages, yes/no, plain counts.
_PROGRESS_FORMAT: dict[str, Callable[[Any], str]] = {
    "estimated_recall": percent,
    "recall_lower_bound": percent,
    "recall_target": lambda v: percent(v, 0),
    "confidence": lambda v: percent(v, 0),
    "stop_criterion_met": shown,
    "consecutive_irrelevant_met": shown,
    "fraction_screened_met": shown,
    "p_value": shown,
    "switched_at": lambda v: count(v) if not is_blank(v) else "not yet",
}


def formatted_table(frame: pd.DataFrame | None, columns: Sequence[str]) -> list[list[str]]:
    """Rows of a CSV table with every cell as text a reader understands ("—" when empty)."""
    if frame is None:
        return []
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for column in columns:
            value = record.get(column, "")
            text = _PROGRESS_FORMAT.get(column, count)(value)
            cells.append(text or "—")
        rows.append(cells)
    return rows


def fulltext_summary(
    assess: Mapping[str, Any] | None, locate: Mapping[str, Any] | None, cite: Cite
) -> dict[str, Any] | None:
    """Full-text retrieval and assessment in sentences, with the exclusion reasons."""
    audit = assess or locate
    if audit is None:
        return None
    counts = audit.get("counts") or {}
    path = audit["path"]

    def n(key: str, *fallbacks: str) -> Any:
        for k in (key, *fallbacks):
            if k in counts:
                return cite(int(counts[k] or 0), [{"audit": path, "key": f"counts.{k}"}])
        return cite(0, [{"audit": path, "key": f"counts.{key}", "absent": True}])

    reasons = [
        (
            reason.removeprefix("excluded: "),
            cite(int(v), [{"audit": path, "key": f"reasons.{reason}"}]),
        )
        for reason, v in sorted((audit.get("reasons") or {}).items())
    ]
    availability = ""
    if locate is not None:
        found = {
            k.replace("_", " "): int(v)
            for k, v in (locate.get("counts") or {}).items()
            if k not in ("reports_sought", "studies") and int(v or 0)
        }
        availability = join_words(f"{count(v)} {k}" for k, v in found.items())
    pending = int(counts.get("awaiting_fulltext_decision", 0) or 0)
    return {
        "sought": n("reports_sought", "sought"),
        "not_retrieved": n("reports_not_retrieved", "not_retrieved"),
        "assessed": n("reports_assessed", "assessed"),
        "excluded": n("reports_excluded", "excluded"),
        "included": n("studies_included", "included"),
        "reports_included": n("reports_included", "studies_included", "included"),
        "pending": pending,
        "reasons": reasons,
        "availability": availability,
        "path": path,
    }


def extraction_summary(
    dataset: Mapping[str, Any] | None, audit: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """Data items and how they were collected (PRISMA 2020 items 9-10), from the form and
    the import of the filled workbook."""
    if dataset is None:
        return None
    form = dataset.get("form") or {}
    groups = []
    for group in form.get("groups") or []:
        fields = group.get("fields") or []
        groups.append(
            {
                "label": str(group.get("label") or group.get("id", "")),
                "per": "one row per study"
                if group.get("per") == "study"
                else "one row per configuration",
                "fields": len(fields),
                "required": sum(1 for f in fields if f.get("required")),
                "coded": sum(
                    1 for f in fields if f.get("type") in ("choice", "multichoice", "boolean")
                ),
            }
        )
    counts = dataset.get("counts") or {}
    source = dataset.get("source") or {}
    return {
        "groups": groups,
        "included": int(counts.get("studies_included", 0) or 0),
        "extracted": int(counts.get("studies_extracted", 0) or 0),
        "awaiting": list(dataset.get("awaiting_extraction") or []),
        "not_reported": str(form.get("not_reported", "") or ""),
        "components": len(dataset.get("theory_components") or []),
        "source": str(source.get("path", "") or ""),
        "sha256": str(source.get("sha256", "") or "")[:12],
        "path": (audit or {}).get("path", ""),
    }
