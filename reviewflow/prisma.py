"""PRISMA 2020 flow diagram: every number computed from the stages' audit records, then drawn.

:func:`prisma_counts` turns the audit records of a run into the boxes of the PRISMA 2020 flow
diagram (Page et al. 2021, BMJ 372:n71; box texts as in the PRISMA2020 R package,
Haddaway et al. 2022). Each box carries its number *and* where it came from (audit file and
key), so a reader can trace any number in the report back to the stage that produced it.
Nothing is typed in: a stage that did not run has no box, a stage that ran and found nothing
has a box with 0.

Audit keys read (first one present wins; ``n`` below means an integer count):

========================  ======================================================================
box                        audit record (stage) and key
========================  ======================================================================
databases, registers       ``search`` audits: ``counts.records_out`` (or ``records``/``hits``),
                           name from ``details.database``/``parameters.source``; ``import``
                           audits likewise (``parameters.database``). A source whose
                           ``details.kind`` (or ``parameters.kind``) is ``register`` counts as
                           a register; ``found_by`` ``citation``/``other`` go to other methods.
citation searching         ``citations`` audit: ``counts.records_backward`` / ``records_forward``
                           (or ``backward``/``forward``), else ``counts.records_out``
duplicates                 ``dedup`` audit: ``counts.duplicates_removed``, else
                           ``records_in - studies_out``
automation                 ``screening`` audit: ``counts.excluded_by_automation``, else
                           ``counts.awaiting`` when ``details.stop_criterion_met`` is true (the
                           records the stopping rule left unscreened); while it is not met,
                           ``awaiting`` is shown as records awaiting screening
screened / excluded        ``screening`` audit: ``counts.screened``, ``counts.excluded``
sought / not retrieved     ``fulltext`` audit (``assess_fulltexts``, else ``locate_fulltexts``): ``counts.reports_sought``,
                           ``counts.reports_not_retrieved``
assessed / excluded        ``fulltext`` audit of ``assess_fulltexts``: ``counts.reports_assessed``,
                           ``counts.excluded``, the reasons from ``reasons`` (``excluded: <label>``)
included                   ``fulltext`` audit: ``counts.included`` (``studies_included``,
                           ``reports_included`` when reports and studies differ)
previous version           config ``update.previous_review`` (``studies_included``,
                           ``reports_included``, ``source``)
========================  ======================================================================
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewflow.audit import StageAudit, load_audits
from reviewflow.errors import DataError
from reviewflow.io import atomic_write_json
from reviewflow.vocab import Stage

__all__ = [
    "BOX_TEXT",
    "audits_at",
    "draw_prisma",
    "load_counts",
    "ordered_boxes",
    "prisma_counts",
    "svg_with_tooltips",
    "run_count_prisma",
    "run_draw_prisma",
]

log = logging.getLogger(__name__)

#: Box texts of the PRISMA 2020 template, as worded by the PRISMA2020 R package
#: (``inst/extdata/PRISMA.csv``) so the diagram reads like every other PRISMA 2020 figure.
BOX_TEXT: dict[str, str] = {
    "previous_header": "Previous studies",
    # The template for new reviews says "studies"; the updated-review form "new studies".
    "studies_header": "Identification of studies via databases and registers",
    "other_studies_header": "Identification of studies via other methods",
    "newstud_header": "Identification of new studies via databases and registers",
    "other_header": "Identification of new studies via other methods",
    "identified": "Records identified from:",
    "databases": "Databases",
    "registers": "Registers",
    "removed": "Records removed before screening:",
    "duplicates": "Duplicate records removed",
    "excluded_automatic": "Records marked as ineligible by automation tools",
    "excluded_other": "Records removed for other reasons",
    "records_screened": "Records screened",
    "records_excluded": "Records excluded",
    # Not template boxes: shown inside the box above them while a review is in progress.
    "records_awaiting": "Records awaiting screening",
    "reports_awaiting": "Reports awaiting a full-text decision",
    "reports_sought": "Reports sought for retrieval",
    "reports_not_retrieved": "Reports not retrieved",
    "reports_assessed": "Reports assessed for eligibility",
    "reports_excluded": "Reports excluded:",
    "studies_included": "Studies included in review",
    "reports_included": "Reports of included studies",
    "new_studies": "New studies included in review",
    "new_reports": "Reports of new included studies",
    "previous_studies": "Studies included in previous version of review",
    "previous_reports": "Reports of studies included in previous version of review",
    "total_studies": "Total studies included in review",
    "total_reports": "Reports of total included studies",
    "citations_results": "Citation searching",
    "identification": "Identification",
    "screening": "Screening",
    "included": "Included",
}

_REGISTER_KINDS = {"register", "registry", "trial_register"}
_OTHER_FOUND_BY = {"citation", "other"}


@dataclass
class _Box:
    label: str
    n: int
    sources: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "n": int(self.n), "sources": self.sources}


def _lookup(audit: Mapping[str, Any], section: str, keys: Sequence[str]) -> tuple[int, str] | None:
    values = audit.get(section) or {}
    for key in keys:
        if key in values and values[key] is not None:
            value = values[key]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise DataError(
                    f"expected a count, found {value!r}", path=audit.get("path"), field=key
                )
            return int(value), f"{section}.{key}"
    return None


def _count(audit: Mapping[str, Any], *keys: str) -> tuple[int, dict[str, Any]]:
    """The first of ``keys`` present in ``counts``; absent means the stage counted none."""
    found = _lookup(audit, "counts", keys)
    path = audit.get("path", "")
    if found is None:
        log.warning("%s: none of counts.%s present; counted as 0", path, "/".join(keys))
        return 0, {"audit": path, "key": f"counts.{keys[0]}", "absent": True}
    return found[0], {"audit": path, "key": found[1]}


def _text(audit: Mapping[str, Any], *keys: str) -> str:
    for section in ("details", "parameters"):
        values = audit.get(section) or {}
        for key in keys:
            value = values.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def _by_stage(audits: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for audit in audits:
        grouped.setdefault(str(audit.get("stage", "")), []).append(audit)
    return grouped


def _one(grouped: Mapping[str, list[Mapping[str, Any]]], stage: str, rule: str | None = None):
    """The latest audit of a stage (and rule); ``None`` when that stage did not run."""
    found = [a for a in grouped.get(stage, []) if rule is None or a.get("rule") == rule]
    if not found:
        return None
    return sorted(found, key=lambda a: (a.get("finished", ""), a.get("path", "")))[-1]


#: Display names of the API sources (search audits name them by their config key).
SOURCE_NAMES: dict[str, str] = {
    "pubmed": "PubMed",
    "europepmc": "Europe PMC",
    "openalex": "OpenAlex",
    "crossref": "Crossref",
    "semanticscholar": "Semantic Scholar",
}


def _source_name(audit: Mapping[str, Any]) -> str:
    name = _text(audit, "database", "source_name", "source", "platform")
    name = SOURCE_NAMES.get(name.lower(), name)
    if not name:
        name = (
            _text(audit, "id", "search_id", "import_id") or Path(audit.get("path", "")).parent.name
        )
    return name


def _import_kinds(config: Mapping[str, Any]) -> dict[str, str]:
    """``imports[].kind`` by import id: an export of a reference manager library or a
    website is not a database search, and PRISMA counts it under other methods."""
    return {
        str(entry.get("id", "")): str(entry.get("kind", "") or "")
        for entry in config.get("imports") or []
    }


def _identification(grouped, boxes, layout, config: Mapping[str, Any]) -> None:
    databases: dict[str, _Box] = {}
    registers: dict[str, _Box] = {}
    other: dict[str, _Box] = {}
    import_kinds = _import_kinds(config)
    for stage in (Stage.SEARCH, Stage.IMPORT):
        for audit in grouped.get(stage, []):
            n, source = _count(audit, "records_out", "records", "hits")
            name = _source_name(audit)
            kind = _text(audit, "kind").lower()
            if not kind and stage == Stage.IMPORT:
                kind = import_kinds.get(_text(audit, "import_id"), "")
                if not kind:
                    kind = import_kinds.get(Path(audit.get("path", "")).parent.name, "")
            found_by = _text(audit, "found_by").lower()
            if kind == "other":
                found_by = "other"
            if found_by in _OTHER_FOUND_BY:
                target = other
            elif kind in _REGISTER_KINDS:
                target = registers
            else:
                target = databases
            box = target.setdefault(name, _Box(name, 0))
            box.n += n
            box.sources.append(source)
    citations = _one(grouped, Stage.CITATIONS)
    if citations is not None:
        backward = _lookup(citations, "counts", ("records_backward", "backward"))
        forward = _lookup(citations, "counts", ("records_forward", "forward"))
        path = citations.get("path", "")
        if backward is None and forward is None:
            n, source = _count(citations, "records_out", "records")
            other["citations"] = _Box(BOX_TEXT["citations_results"], n, [source])
        else:
            for direction, found in (("backward", backward), ("forward", forward)):
                n, key = found if found is not None else (0, f"counts.records_{direction}")
                other[f"citations_{direction}"] = _Box(
                    f"{BOX_TEXT['citations_results']} ({direction})",
                    n,
                    [{"audit": path, "key": key}],
                )
    for prefix, group, listing in (
        ("database", databases, "databases"),
        ("register", registers, "registers"),
        ("other", other, "other_methods"),
    ):
        layout[listing] = []
        for name in sorted(group):
            box_id = f"{prefix}:{name}"
            boxes[box_id] = group[name]
            layout[listing].append(box_id)
    if databases or registers:
        # The template always shows both lines: "Registers (n = 0)" says none was searched.
        boxes["database_results"] = _total(
            BOX_TEXT["databases"], [databases[k] for k in sorted(databases)]
        )
        boxes["register_results"] = _total(
            BOX_TEXT["registers"], [registers[k] for k in sorted(registers)]
        )
        if not registers:
            boxes["register_results"].sources = [
                {"audit": "config", "key": "no search line or import of kind register"}
            ]
    if other:
        boxes["other_results"] = _total("Other methods", [other[k] for k in sorted(other)])


def _total(label: str, parts: Sequence[_Box]) -> _Box:
    return _Box(label, sum(p.n for p in parts), [s for p in parts for s in p.sources])


def previous_version(previous_runs: Sequence[str]) -> dict[str, Any] | None:
    """The previous version of the review, from the latest earlier run's full-text audit."""
    for run in reversed(list(previous_runs)):
        path = Path(run) / "fulltext" / "assess_fulltexts.audit.json"
        if not path.is_file():
            continue
        audit = json.loads(path.read_text(encoding="utf-8"))
        found = {}
        keys = {}
        for key, candidates in (
            ("studies_included", ("studies_included", "included")),
            ("reports_included", ("reports_included", "studies_included", "included")),
        ):
            hit = _lookup(audit, "counts", candidates)
            if hit is not None:
                found[key], keys[key] = hit
        return {
            **found,
            "source": f"reviewflow run {Path(run).parent.name}",
            "audit": path.as_posix(),
            "keys": keys,
        }
    return None


def prisma_counts(
    audits: Iterable[Mapping[str, Any]], config: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Every PRISMA 2020 box as ``{"label", "n", "sources": [{"audit", "key"}]}``.

    ``audits`` are records as returned by :func:`reviewflow.audit.load_audits` (each with
    its ``path``). The result's ``layout`` says which optional parts exist: per-database
    lines, registers, other methods, full-text exclusion reasons, the previous version.
    """
    config = config or {}
    grouped = _by_stage(audits)
    boxes: dict[str, _Box] = {}
    layout: dict[str, Any] = {}
    _identification(grouped, boxes, layout, config)
    # An update run (PRISMA 2020 updated-review flow) counts only what is new in this run:
    # the stages write those counts as ``new_*`` (``studies_new`` for dedup).
    update_runs = list((config.get("update") or {}).get("previous_runs") or [])
    layout["update"] = bool(update_runs)

    def keys(*names: str) -> tuple[str, ...]:
        return tuple(f"new_{n}" for n in names) + names if update_runs else names

    dedup = _one(grouped, Stage.DEDUP)
    new_studies = _lookup(dedup, "counts", ("studies_new",)) if dedup is not None else None
    if dedup is not None and update_runs and new_studies is not None:
        # Identified in this run but not new: duplicates of each other or of records an
        # earlier version of the review already had.
        identified = [
            boxes[b]
            for b in ("database_results", "register_results", "other_results")
            if b in boxes
        ]
        boxes["duplicates"] = _Box(
            BOX_TEXT["duplicates"],
            max(sum(b.n for b in identified) - new_studies[0], 0),
            [s for b in identified for s in b.sources]
            + [{"audit": dedup.get("path", ""), "key": new_studies[1], "subtracted": True}],
        )
    elif dedup is not None:
        found = _lookup(dedup, "counts", ("duplicates_removed", "duplicates"))
        path = dedup.get("path", "")
        if found is not None:
            boxes["duplicates"] = _Box(
                BOX_TEXT["duplicates"], found[0], [{"audit": path, "key": found[1]}]
            )
        else:
            n_in, s_in = _count(dedup, "records_in")
            n_out, s_out = _count(dedup, "studies_out", "records_out", "studies")
            boxes["duplicates"] = _Box(BOX_TEXT["duplicates"], n_in - n_out, [s_in, s_out])

    screening = _one(grouped, Stage.SCREENING)
    if screening is not None:
        path = screening.get("path", "")
        auto = _lookup(screening, "counts", ("excluded_by_automation", "excluded_automatic"))
        awaiting = _lookup(screening, "counts", keys("awaiting"))
        stopped = (screening.get("details") or {}).get("stop_criterion_met") is True
        if auto is None and stopped and awaiting is not None:
            # The stopping rule was met: the records left unscreened are set aside by it.
            auto = (awaiting[0], f"{awaiting[1]} (details.stop_criterion_met = true)")
        elif awaiting is not None and awaiting[0]:
            boxes["records_awaiting"] = _Box(
                BOX_TEXT["records_awaiting"], awaiting[0], [{"audit": path, "key": awaiting[1]}]
            )
        if auto is not None:
            boxes["excluded_automatic"] = _Box(
                BOX_TEXT["excluded_automatic"], auto[0], [{"audit": path, "key": auto[1]}]
            )
        for box_id, names in (
            ("records_screened", keys("records_screened", "screened")),
            ("records_excluded", keys("records_excluded", "excluded")),
        ):
            n, source = _count(screening, *names)
            boxes[box_id] = _Box(BOX_TEXT[box_id], n, [source])

    assess = _one(grouped, Stage.FULLTEXT, "assess_fulltexts") or _one(grouped, Stage.FULLTEXT)
    locate = _one(grouped, Stage.FULLTEXT, "locate_fulltexts")
    retrieval = next(
        (
            a
            for a in (assess, locate)
            if a is not None and "reports_sought" in (a.get("counts") or {})
        ),
        assess or locate,
    )
    if retrieval is not None:
        for box_id, names in (
            ("reports_sought", keys("reports_sought", "sought")),
            ("reports_not_retrieved", keys("reports_not_retrieved", "not_retrieved")),
        ):
            n, source = _count(retrieval, *names)
            boxes[box_id] = _Box(BOX_TEXT[box_id], n, [source])
    layout["fulltext_reasons"] = []
    if assess is not None:
        for box_id, candidates in (
            ("reports_assessed", keys("reports_assessed", "assessed")),
            ("reports_excluded", keys("reports_excluded", "excluded")),
            ("new_studies", keys("studies_included", "included")),
            ("new_reports", keys("reports_included", "studies_included", "included")),
        ):
            n, source = _count(assess, *candidates)
            boxes[box_id] = _Box(BOX_TEXT[box_id].rstrip(":"), n, [source])
        path = assess.get("path", "")
        pending = _lookup(assess, "counts", ("awaiting_fulltext_decision",))
        if pending is not None and pending[0]:
            boxes["reports_awaiting"] = _Box(
                BOX_TEXT["reports_awaiting"], pending[0], [{"audit": path, "key": pending[1]}]
            )
        details = assess.get("details") or {}
        if update_runs and isinstance(details.get("new_reasons"), dict):
            reasons, section = details["new_reasons"], "details.new_reasons"
        else:
            reasons, section = assess.get("reasons") or {}, "reasons"
        for reason, n in sorted(reasons.items()):
            label = reason.split(":", 1)[1].strip() if reason.startswith("excluded:") else reason
            box_id = f"reason:{label}"
            boxes[box_id] = _Box(label, int(n), [{"audit": path, "key": f"{section}.{reason}"}])
            layout["fulltext_reasons"].append(box_id)

    previous = (config.get("update") or {}).get("previous_review") or previous_version(update_runs)
    layout["previous"] = bool(previous)
    if previous:
        origin = str(previous.get("source", "config update.previous_review"))
        for box_id, key in (
            ("previous_studies", "studies_included"),
            ("previous_reports", "reports_included"),
        ):
            if key in previous:
                boxes[box_id] = _Box(
                    BOX_TEXT[box_id],
                    int(previous[key]),
                    [
                        {
                            "audit": previous.get("audit", "config"),
                            "key": previous.get("keys", {}).get(
                                key, f"update.previous_review.{key}"
                            ),
                            "source": origin,
                        }
                    ],
                )
        for total_id, new_id, prev_id in (
            ("total_studies", "new_studies", "previous_studies"),
            ("total_reports", "new_reports", "previous_reports"),
        ):
            parts = [boxes[b] for b in (new_id, prev_id) if b in boxes]
            if parts:
                boxes[total_id] = _Box(
                    BOX_TEXT[total_id],
                    sum(p.n for p in parts),
                    [s for p in parts for s in p.sources],
                )
    layout["other"] = bool(layout.get("other_methods"))
    # The updated-review form (previous version shown, or an update run) speaks of "new"
    # studies; a review's first version says "Studies included in review".
    layout["updated_form"] = bool(update_runs) or bool(previous)
    if not layout["updated_form"]:
        for box_id, text in (
            ("new_studies", "studies_included"),
            ("new_reports", "reports_included"),
        ):
            if box_id in boxes:
                boxes[box_id].label = BOX_TEXT[text]
    return {
        "review": str((config.get("review") or {}).get("id", "")),
        "boxes": {box_id: box.as_dict() for box_id, box in boxes.items()},
        "layout": layout,
    }


# --- drawing ---------------------------------------------------------------------------

#: Colours of the PRISMA2020 R package's defaults (Goldenrod1 title, Gainsboro side
#: columns, LightSteelBlue2 phase bars), so the figure looks like the familiar template.
_YELLOW = "#ffc125"
_GREY = "#dcdcdc"
_BLUE = "#bcd2ee"
_FONT_SIZE = 8.0
_WRAP = 46
_BOX_W = 2.9
_GAP_X = 0.5
_GAP_Y = 0.32
_LINE_H = _FONT_SIZE * 1.29 / 72
_PAD = 0.09


def _fmt(n: int) -> str:
    return f"{n:,}"


def _wrap(text: str, indent: str = "") -> list[str]:
    """Wrapped lines that never break inside "(n = 123)"."""
    glued = text.replace("(n = ", "(n\u00a0=\u00a0")
    lines = textwrap.wrap(glued, _WRAP, initial_indent=indent, subsequent_indent=indent + "  ")
    return [line.replace("\u00a0", " ") for line in lines] or [""]


def _n_line(
    boxes: Mapping[str, Any], box_id: str, label: str | None = None, indent: str = ""
) -> list[str]:
    box = boxes[box_id]
    return _wrap(f"{label or box['label']} (n = {_fmt(box['n'])})", indent)


def _block(boxes: Mapping[str, Any], box_id: str) -> list[str]:
    """A one-count box: its label, then ``(n = …)`` on its own line as in the template."""
    return [*_wrap(boxes[box_id]["label"]), f"(n = {_fmt(boxes[box_id]['n'])})"]


def _identified_lines(counts: Mapping[str, Any]) -> list[str]:
    boxes, layout = counts["boxes"], counts["layout"]
    lines = [BOX_TEXT["identified"]]
    for total_id, listing in (("database_results", "databases"), ("register_results", "registers")):
        if total_id not in boxes:
            continue
        lines += _n_line(boxes, total_id, indent="  ")
        if len(layout.get(listing, [])) > 1:
            for box_id in layout[listing]:
                lines += _n_line(boxes, box_id, indent="    ")
    if len(lines) == 1:
        lines += [f"  {BOX_TEXT['databases']} (n = 0)", f"  {BOX_TEXT['registers']} (n = 0)"]
    return lines


def _other_lines(counts: Mapping[str, Any]) -> list[str]:
    boxes, layout = counts["boxes"], counts["layout"]
    lines = [BOX_TEXT["identified"]]
    for box_id in layout.get("other_methods", []):
        lines += _n_line(boxes, box_id, indent="  ")
    lines += [""] + _wrap(
        "Pooled with the database and register records for deduplication and screening"
    )
    return lines


def _removed_lines(boxes: Mapping[str, Any]) -> list[str]:
    lines = [BOX_TEXT["removed"]]
    for box_id in ("duplicates", "excluded_automatic", "excluded_other"):
        if box_id in boxes:
            lines += _n_line(boxes, box_id, indent="  ")
    return lines


def _excluded_lines(counts: Mapping[str, Any]) -> list[str]:
    boxes, layout = counts["boxes"], counts["layout"]
    lines = [f"{BOX_TEXT['reports_excluded']} (n = {_fmt(boxes['reports_excluded']['n'])})"]
    for box_id in layout.get("fulltext_reasons", []):
        lines += _n_line(boxes, box_id, indent="  ")
    return lines


def _included_lines(boxes: Mapping[str, Any], studies: str, reports: str) -> list[str]:
    lines = _block(boxes, studies)
    if reports in boxes:
        lines += _block(boxes, reports)
    return lines


def _height(lines: Sequence[str]) -> float:
    return len(lines) * _LINE_H + 2 * _PAD


def _layout_rows(counts: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows of the diagram, top to bottom; each maps a column to the lines of its box."""
    boxes, layout = counts["boxes"], counts["layout"]
    rows: list[dict[str, Any]] = []
    ident: dict[str, Any] = {"phase": "identification", "main": _identified_lines(counts)}
    ident["ids"] = {
        "main": ["database_results", "register_results"]
        + layout.get("databases", [])
        + layout.get("registers", []),
        "right": ["duplicates", "excluded_automatic", "excluded_other"],
        "other": list(layout.get("other_methods", [])),
        "previous": ["previous_studies", "previous_reports"],
    }
    if any(b in boxes for b in ("duplicates", "excluded_automatic", "excluded_other")):
        ident["right"] = _removed_lines(boxes)
    if layout.get("other"):
        ident["other"] = _other_lines(counts)
    if layout.get("previous") and "previous_studies" in boxes:
        ident["previous"] = _included_lines(boxes, "previous_studies", "previous_reports")
    rows.append(ident)
    for main_id, right_id, right in (
        ("records_screened", "records_excluded", None),
        ("reports_sought", "reports_not_retrieved", None),
        ("reports_assessed", "reports_excluded", _excluded_lines),
    ):
        if main_id not in boxes:
            continue
        row: dict[str, Any] = {"phase": "screening", "main": _block(boxes, main_id)}
        pending = {"records_screened": "records_awaiting", "reports_assessed": "reports_awaiting"}
        row["ids"] = {
            "main": [main_id, pending.get(main_id, "")],
            "right": [right_id, *layout.get("fulltext_reasons", [])] if right else [right_id],
        }
        if pending.get(main_id) in boxes:
            row["main"] += _n_line(boxes, pending[main_id])
        if right_id in boxes:
            row["right"] = right(counts) if right else _block(boxes, right_id)
        rows.append(row)
    if "new_studies" in boxes:
        rows.append(
            {
                "phase": "included",
                "main": _included_lines(boxes, "new_studies", "new_reports"),
                "ids": {"main": ["new_studies", "new_reports"]},
            }
        )
    if "total_studies" in boxes:
        rows.append(
            {
                "phase": "included",
                "main": _included_lines(boxes, "total_studies", "total_reports"),
                "ids": {"main": ["total_studies", "total_reports"]},
                "total": True,
            }
        )
    return rows


def ordered_boxes(counts: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Box ids in the order the diagram reads (top to bottom), with an indent level."""
    layout = counts["layout"]
    order: list[tuple[str, int]] = [("previous_studies", 0), ("previous_reports", 0)]
    for total, listing in (
        ("database_results", "databases"),
        ("register_results", "registers"),
        ("other_results", "other_methods"),
    ):
        order += [(total, 0)] + [(b, 1) for b in layout.get(listing, [])]
    order += [
        (b, 0)
        for b in (
            "duplicates",
            "excluded_automatic",
            "excluded_other",
            "records_screened",
            "records_awaiting",
            "records_excluded",
            "reports_sought",
            "reports_not_retrieved",
            "reports_assessed",
            "reports_awaiting",
            "reports_excluded",
        )
    ]
    order += [(b, 1) for b in layout.get("fulltext_reasons", [])]
    order += [(b, 0) for b in ("new_studies", "new_reports", "total_studies", "total_reports")]
    seen = {b for b, _ in order}
    order += [(b, 0) for b in sorted(counts["boxes"]) if b not in seen]
    return [(b, depth) for b, depth in order if b in counts["boxes"]]


def _gid(counts: Mapping[str, Any], row: Mapping[str, Any], column: str) -> str:
    """An SVG id naming the boxes a drawn box shows, by position in ``sorted(boxes)``.

    :func:`svg_with_tooltips` reads it back to attach each box's sources as a tooltip.
    """
    index = {box_id: i for i, box_id in enumerate(sorted(counts["boxes"]))}
    found = [str(index[b]) for b in row.get("ids", {}).get(column, []) if b in index]
    return "prisma-box-" + "-".join(found) if found else ""


_GID = re.compile(r'<g id="(prisma-box-[0-9-]+?)(-text)?">')


def svg_with_tooltips(svg: str, counts: Mapping[str, Any]) -> str:
    """The diagram's SVG with a ``<title>`` on every box naming the audit keys behind it."""
    ordered = sorted(counts["boxes"])

    def title(match: re.Match[str]) -> str:
        lines = []
        for i in match.group(1).removeprefix("prisma-box-").split("-"):
            box = counts["boxes"][ordered[int(i)]]
            where = "; ".join(f"{s.get('audit', '')}: {s.get('key', '')}" for s in box["sources"])
            lines.append(f"{box['label']} (n = {box['n']:,}) from {where}")
        return f"{match.group(0)}<title>{html.escape(chr(10).join(lines))}</title>"

    return _GID.sub(title, svg)


def draw_prisma(
    counts: Mapping[str, Any],
    out_svg: str | os.PathLike[str],
    out_pdf: str | os.PathLike[str] | None = None,
    out_png: str | os.PathLike[str] | None = None,
) -> None:
    """Draw the PRISMA 2020 flow diagram of ``counts`` (from :func:`prisma_counts`).

    The layout follows the template: phase bars on the left, databases and registers in the
    main column with removals and exclusions to its right, other methods in a grey column on
    the right, previous studies (updated reviews) in a grey column on the left. Text stays
    text in the SVG (searchable, selectable); outputs are byte-stable for equal counts.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    layout = counts["layout"]
    rows = _layout_rows(counts)
    previous = any("previous" in r for r in rows)
    updated = bool(layout.get("updated_form", layout.get("update") or layout.get("previous")))
    other = any("other" in r for r in rows)
    x_side = 0.12
    x_prev = 0.62
    x_main = x_prev + (_BOX_W + _GAP_X if previous else 0)
    x_right = x_main + _BOX_W + _GAP_X
    x_other = x_right + _BOX_W + _GAP_X
    width = (x_other + _BOX_W if other else x_right + _BOX_W) + 0.15
    header_h = 0.36
    heights = [max(_height(v) for k, v in r.items() if isinstance(v, list)) for r in rows]
    height = 0.15 + header_h + _GAP_Y + sum(heights) + _GAP_Y * (len(rows) - 1) + 0.15

    with plt.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "reviewflow-prisma",
            "font.family": "DejaVu Sans",
            "font.size": _FONT_SIZE,
        }
    ):
        fig = plt.figure(figsize=(width, height))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(height, 0)
        ax.axis("off")

        def box(
            x: float,
            y: float,
            w: float,
            h: float,
            lines: Sequence[str],
            *,
            fill: str = "white",
            edge: str = "black",
            rounded: bool = False,
            center: bool = False,
            gid: str = "",
            bold: bool = False,
        ) -> None:
            style = "round,pad=0,rounding_size=0.08" if rounded else "square,pad=0"
            patch = FancyBboxPatch(
                (x, y), w, h, boxstyle=style, facecolor=fill, edgecolor=edge, linewidth=0.8
            )
            if gid:
                patch.set_gid(gid)
            ax.add_patch(patch)
            if center:
                label = ax.text(
                    x + w / 2,
                    y + h / 2,
                    "\n".join(lines),
                    ha="center",
                    va="center",
                    fontweight="bold" if bold else "normal",
                    linespacing=1.25,
                )
            else:
                label = ax.text(
                    x + _PAD, y + _PAD, "\n".join(lines), ha="left", va="top", linespacing=1.25
                )
            if gid:
                label.set_gid(f"{gid}-text")

        def arrow(start: tuple[float, float], end: tuple[float, float]) -> None:
            ax.add_patch(
                FancyArrowPatch(
                    start,
                    end,
                    arrowstyle="-|>",
                    mutation_scale=9,
                    linewidth=0.8,
                    color="black",
                    shrinkA=0,
                    shrinkB=0,
                )
            )

        y = 0.15
        box(
            x_main,
            y,
            x_right + _BOX_W - x_main,
            header_h,
            [BOX_TEXT["newstud_header" if updated else "studies_header"]],
            fill=_YELLOW,
            edge=_YELLOW,
            rounded=True,
            center=True,
            bold=True,
        )
        if other:
            box(
                x_other,
                y,
                _BOX_W,
                header_h,
                _wrap(BOX_TEXT["other_header" if updated else "other_studies_header"]),
                fill=_GREY,
                edge=_GREY,
                rounded=True,
                center=True,
                bold=True,
            )
        if previous:
            box(
                x_prev,
                y,
                _BOX_W,
                header_h,
                [BOX_TEXT["previous_header"]],
                fill=_GREY,
                edge=_GREY,
                rounded=True,
                center=True,
                bold=True,
            )
        y += header_h + _GAP_Y
        placed: list[dict[str, float]] = []
        for row, h in zip(rows, heights, strict=True):
            pos: dict[str, float] = {"y": y, "h": h}
            main_h = _height(row["main"])
            box(x_main, y, _BOX_W, main_h, row["main"], gid=_gid(counts, row, "main"))
            pos["main_h"] = main_h
            if "right" in row:
                right_h = _height(row["right"])
                box(x_right, y, _BOX_W, right_h, row["right"], gid=_gid(counts, row, "right"))
                arrow(
                    (x_main + _BOX_W, y + min(main_h, right_h) / 2),
                    (x_right, y + min(main_h, right_h) / 2),
                )
            if "other" in row:
                other_h = _height(row["other"])
                box(
                    x_other,
                    y,
                    _BOX_W,
                    other_h,
                    row["other"],
                    fill=_GREY,
                    edge=_GREY,
                    gid=_gid(counts, row, "other"),
                )
                pos["other_bottom"] = y + other_h
            if "previous" in row:
                prev_h = _height(row["previous"])
                box(
                    x_prev,
                    y,
                    _BOX_W,
                    prev_h,
                    row["previous"],
                    fill=_GREY,
                    edge=_GREY,
                    gid=_gid(counts, row, "previous"),
                )
                pos["prev_bottom"] = y + prev_h
            placed.append(pos)
            y += h + _GAP_Y
        for upper, lower in zip(placed, placed[1:], strict=False):
            arrow(
                (x_main + _BOX_W / 2, upper["y"] + upper["main_h"]),
                (x_main + _BOX_W / 2, lower["y"]),
            )
        if other and len(placed) > 1 and "other_bottom" in placed[0]:
            # Records found by other methods join the database records after identification
            # (they are deduplicated and screened with them), so their line meets the main
            # flow below the identification row, not the "removed before screening" box.
            join_y = placed[0]["y"] + placed[0]["h"] + _GAP_Y / 2
            mid_x = x_other + _BOX_W / 2
            ax.plot(
                [mid_x, mid_x], [placed[0]["other_bottom"], join_y], color="black", linewidth=0.8
            )
            arrow((mid_x, join_y), (x_main + _BOX_W / 2, join_y))
        if previous and rows[-1].get("total"):
            total = placed[-1]
            mid_y = total["y"] + total["main_h"] / 2
            ax.plot(
                [x_prev + _BOX_W / 2] * 2,
                [placed[0]["prev_bottom"], mid_y],
                color="black",
                linewidth=0.8,
            )
            arrow((x_prev + _BOX_W / 2, mid_y), (x_main, mid_y))
        for phase in ("identification", "screening", "included"):
            idx = [i for i, r in enumerate(rows) if r["phase"] == phase]
            if not idx:
                continue
            top = placed[idx[0]]["y"]
            bottom = placed[idx[-1]]["y"] + placed[idx[-1]]["h"]
            ax.add_patch(
                FancyBboxPatch(
                    (x_side, top),
                    0.32,
                    bottom - top,
                    boxstyle="round,pad=0,rounding_size=0.08",
                    facecolor=_BLUE,
                    edgecolor=_BLUE,
                )
            )
            ax.text(
                x_side + 0.16,
                (top + bottom) / 2,
                BOX_TEXT[phase],
                rotation=90,
                ha="center",
                va="center",
                fontweight="bold",
            )
        del layout
        Path(out_svg).parent.mkdir(parents=True, exist_ok=True)
        _save(fig, out_svg, "svg", {"Date": None})
        if out_pdf:
            _save(fig, out_pdf, "pdf", {"CreationDate": None, "ModDate": None})
        if out_png:
            _save(fig, out_png, "png", {}, dpi=200)
        plt.close(fig)


def _save(
    fig: Any, path: str | os.PathLike[str], fmt: str, metadata: dict[str, Any], **kw: Any
) -> None:
    from io import BytesIO

    from reviewflow.io import atomic_write_bytes

    buffer = BytesIO()
    fig.savefig(buffer, format=fmt, metadata=metadata, **kw)
    atomic_write_bytes(path, buffer.getvalue())


def load_counts(path: str | os.PathLike[str]) -> dict[str, Any]:
    import json

    try:
        counts = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"unreadable PRISMA counts: {exc}", path=str(path)) from exc
    if not isinstance(counts, dict) or "boxes" not in counts or "layout" not in counts:
        raise DataError("not a PRISMA counts file (no 'boxes'/'layout')", path=str(path))
    return counts


def audits_at(paths: Sequence[str | os.PathLike[str]]) -> list[dict[str, Any]]:
    """The audit records at ``paths`` (the rule's declared inputs), nothing else under results/.

    They come back in the order of ``paths`` (process order, as the rule declares them),
    not in the order the jobs happened to start, so a cluster run and a local run number
    the report's footnotes alike.
    """
    order = list(dict.fromkeys(Path(p).as_posix() for p in paths))
    wanted = set(order)
    found: dict[str, dict[str, Any]] = {}
    for root in sorted({Path(p).parent for p in paths}):
        for audit in load_audits(root):
            if audit["path"] in wanted:
                found[audit["path"]] = audit
    missing = sorted(wanted - set(found))
    if missing:
        raise DataError("audit record missing", path=missing[0])
    return [found[path] for path in order]


def run_count_prisma(
    *,
    audit_paths: Sequence[str | os.PathLike[str]],
    config: Mapping[str, Any],
    out_counts: str | os.PathLike[str],
    audit_path: str | os.PathLike[str],
) -> dict[str, Any]:
    """Rule ``count_prisma``: the counts of every PRISMA box with the audit key behind each."""
    with StageAudit(
        audit_path,
        stage=Stage.PRISMA,
        rule="count_prisma",
        inputs=audit_paths,
        outputs=[out_counts],
    ) as audit:
        counts = prisma_counts(audits_at(audit_paths), config)
        atomic_write_json(out_counts, counts)
        for box_id, box in counts["boxes"].items():
            audit.counts[box_id] = box["n"]
        audit.details["previous_version"] = counts["layout"]["previous"]
    return counts


def run_draw_prisma(
    *,
    counts_path: str | os.PathLike[str],
    out_svg: str | os.PathLike[str],
    out_pdf: str | os.PathLike[str],
    out_png: str | os.PathLike[str],
) -> None:
    """Rule ``draw_prisma``: the diagram drawn from ``counts.json`` alone."""
    draw_prisma(load_counts(counts_path), out_svg, out_pdf, out_png)
