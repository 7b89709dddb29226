"""Rendering the review report: methods as run, PRISMA diagram, synthesis, included studies.

Everything in the report is read from the run's own files: the audit records (what each
stage ran, with which parameters, how many records), the PRISMA counts, the synthesis
tables and the included studies. Every PRISMA number carries a tooltip and a footnote
naming the audit record and key it came from. Figures are inlined (SVG) or embedded as
data URIs, so the report is one file that can be archived or sent as it is.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow import __version__
from reviewflow.audit import StageAudit, utc_now
from reviewflow.errors import DataError
from reviewflow.io import atomic_write_text, read_csv_table, table_rows
from reviewflow.paths import REPORT
from reviewflow.prisma import audits_at, load_counts, ordered_boxes, svg_with_tooltips
from reviewflow.report.cite import fill_from_members, reference
from reviewflow.report.methods import (
    citation_summary,
    dedup_summary,
    extraction_summary,
    formatted_table,
    fulltext_summary,
    screening_summary,
    search_lines,
)
from reviewflow.report.words import join_words
from reviewflow.settings import ReportSettings, ReviewSettings, one_or_many
from reviewflow.synthesis.settings import LogicModelSettings
from reviewflow.vocab import Stage, TraceStatus

__all__ = [
    "GENERATED_MARK",
    "ReportConfig",
    "ReportInputs",
    "find_chromium",
    "html_to_pdf",
    "render_report",
    "run_report_stage",
]

log = logging.getLogger(__name__)

#: The one element of the report that says when it was written: the only bytes a replay of
#: the same run changes, so ``reviewflow replay-check`` masks exactly this element.
GENERATED_MARK = re.compile(r'<time class="generated" datetime="[^"]*">[^<]*</time>')


@dataclass(frozen=True)
class ReportConfig:
    """What the report reads from config besides the run's files: the review, the report
    block, the imports (those awaiting an export are listed), the logic model settings its
    caption describes and the screening decision files (how many reviewers)."""

    review: ReviewSettings
    report: ReportSettings
    imports: tuple[Mapping[str, Any], ...] = ()
    logic_model: LogicModelSettings | None = None
    screening_decisions: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ReportConfig:
        """From a validated config (or the blocks ``rules/common.smk`` passes the rule)."""
        if "logic_model" in config:
            logic_model, decisions = config["logic_model"], config["screening_decisions"]
        else:
            logic_model = config["synthesis"]["logic_model"]
            block = config["screening"]
            decisions = block["decisions"] if "decisions" in block else []
        return cls(
            review=ReviewSettings.from_config(config["review"]),
            report=ReportSettings.from_config(config["report"]),
            imports=tuple(config["imports"]),
            logic_model=LogicModelSettings.from_config(logic_model),
            screening_decisions=one_or_many(decisions),
        )


#: Chromium flags for a machine without network or display: nothing phones home, no GPU,
#: a throw-away profile.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class Footnotes:
    """Numbered sources: ``cite`` renders a number with a tooltip and a link to its note."""

    def __init__(self) -> None:
        self.notes: list[dict[str, Any]] = []
        self._index: dict[str, int] = {}

    def cite(self, value: Any, sources: Sequence[Mapping[str, Any]]) -> str:
        from markupsafe import Markup

        text = "; ".join(
            f"{s.get('audit', '')}: {s.get('key', '')}"
            + (" (absent: counted as 0)" if s.get("absent") else "")
            for s in sources
        )
        if text not in self._index:
            self.notes.append({"id": f"src-{len(self.notes) + 1}", "text": text})
            self._index[text] = len(self.notes)
        k = self._index[text]
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        return Markup(
            f'<span class="count" title="from {html.escape(text)}">{html.escape(shown)}</span>'
            f'<a class="fn" href="#src-{k}">[{k}]</a>'
        )


def _inline_svg(path: str | os.PathLike[str] | None, css_class: str, label: str) -> str:
    """An SVG file as markup to inline: no XML prolog or DOCTYPE, scalable, labelled."""
    if not path or not Path(path).is_file():
        return ""
    text = Path(path).read_text(encoding="utf-8")
    text = re.sub(r"<\?xml[^>]*\?>\s*", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    return text.replace(
        "<svg ", f'<svg class="{css_class}" role="img" aria-label="{html.escape(label)}" ', 1
    )


def _data_uri(path: str | os.PathLike[str] | None, mime: str) -> str:
    if not path or not Path(path).is_file():
        return ""
    return f"data:{mime};base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _read_table(path: str | os.PathLike[str] | None) -> pd.DataFrame | None:
    if not path or not Path(path).is_file():
        return None
    try:
        return read_csv_table(path)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read table: {exc}", path=str(path)) from exc
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _read_json(path: str | os.PathLike[str] | None) -> dict[str, Any] | None:
    if not path or not Path(path).is_file():
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON: {exc.msg}", path=str(path), line=exc.lineno) from exc
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class ReportInputs:
    """The run's files the report reads besides the audit records; any may be missing (a
    stage that has not run yet), and the report then says so instead of failing."""

    counts: str | os.PathLike[str] | None = None
    prisma_svg: str | os.PathLike[str] | None = None
    synthesis: str | os.PathLike[str] | None = None
    logic_model_png: str | os.PathLike[str] | None = None
    included: str | os.PathLike[str] | None = None
    progress: str | os.PathLike[str] | None = None
    thresholds: str | os.PathLike[str] | None = None
    dataset: str | os.PathLike[str] | None = None
    extraction_audit: str | os.PathLike[str] | None = None
    records: str | os.PathLike[str] | None = None
    reproduction: str | os.PathLike[str] | None = None
    known_includes: str | os.PathLike[str] | None = None
    seeds: str | os.PathLike[str] | None = None

    @classmethod
    def in_results(cls, results: str | os.PathLike[str]) -> ReportInputs:
        """The files of a results folder that exist (for ``reviewflow report``): those rule
        ``write_report`` reads (:data:`reviewflow.paths.REPORT`)."""
        paths = REPORT.under(results)
        names = {f.name: f.name for f in fields(cls)}
        names.update(prisma_svg="prisma", logic_model_png="logic_model")
        found = {
            k: getattr(paths, v) for k, v in names.items() if Path(getattr(paths, v)).is_file()
        }
        return cls(**found)

    def files(self) -> list[str | os.PathLike[str]]:
        return [getattr(self, f.name) for f in fields(self) if getattr(self, f.name)]


def _prisma_rows(counts: Mapping[str, Any], notes: Footnotes) -> list[dict[str, Any]]:
    rows = []
    for box_id, depth in ordered_boxes(counts):
        box = counts["boxes"][box_id]
        rows.append(
            {
                "id": box_id,
                "label": box["label"],
                "depth": depth,
                "n": notes.cite(int(box["n"]), box.get("sources", [])),
            }
        )
    return rows


#: The columns of progress.csv a reader of the report needs; the CSV keeps the rest.
PROGRESS_COLUMNS = (
    "batch",
    "records_screened",
    "included_so_far",
    "phase",
    "estimated_recall",
    "recall_lower_bound",
    "p_value",
    "stop_criterion_met",
    "records_to_go",
    "consecutive_irrelevant_met",
    "fraction_screened_met",
)


def _progress_columns(progress: pd.DataFrame | None) -> list[str]:
    if progress is None:
        return []
    chosen = [c for c in PROGRESS_COLUMNS if c in progress.columns]
    return chosen or list(progress.columns)


def _latest(audits: Sequence[Mapping[str, Any]], stage: str, rule: str | None = None):
    chosen = [a for a in audits if a.get("stage") == stage and (rule is None or a["rule"] == rule)]
    return chosen[-1] if chosen else None


def _studies(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    refs = [reference(row) for row in table_rows(frame)]
    return sorted(refs, key=lambda r: (r["label"].lower(), r["title"].lower()))


def _not_synthesised(
    included: pd.DataFrame | None, dataset: Mapping[str, Any] | None
) -> list[dict[str, str]]:
    """Included studies the synthesis does not use, and why (PRISMA 2020 item 13a)."""
    if included is None or included.empty or dataset is None:
        return []
    extracted = {str(s.get("study_id", "")) for s in dataset.get("studies") or []}
    waiting = {str(s.get("study_id", "")) for s in dataset.get("awaiting_extraction") or []}
    rows = []
    for row in table_rows(included):
        study_id = str(row.get("study_id") or row.get("record_id", ""))
        if study_id in extracted:
            continue
        why = (
            "awaiting extraction: the filled extraction workbook has no data for it yet"
            if study_id in waiting
            else "not in the extraction dataset"
        )
        rows.append({**reference(row), "why": why})
    return rows


#: Trace statuses in the order the reproduction table lists them: losses first.
_TRACE_ORDER = [s.value for s in TraceStatus]


def _trace_rows(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    rows: list[dict[str, Any]] = []
    for row in table_rows(frame):
        status = str(row.get("status", ""))
        detail = [
            str(row.get(k, ""))
            for k in ("screening", "fulltext", "extraction")
            if str(row.get(k, "")).strip()
        ]
        if row.get("merged_with"):
            detail.append(f"shares its study with {row['merged_with']}")
        if row.get("possible_matches"):
            detail.append(f"possible match, for a person to check: {row['possible_matches']}")
        rows.append(
            {
                "known_id": str(row.get("known_id", "")),
                "label": str(row.get("label", "")),
                "status": status,
                "lost": TraceStatus(status).lost if status in _TRACE_ORDER else False,
                "found_by": str(row.get("found_by", "")),
                "study_id": str(row.get("study_id", "")),
                "match": str(row.get("match", "")),
                "detail": "; ".join(detail),
                "possible": bool(row.get("possible_matches")),
            }
        )
    rank = {s: i for i, s in enumerate(_TRACE_ORDER)}
    return sorted(rows, key=lambda r: (rank.get(r["status"], 99), r["known_id"]))


def _published_rows(summary: Mapping[str, Any] | None, notes: Footnotes) -> list[dict[str, Any]]:
    rows = []
    for row in ((summary or {}).get("published") or {}).get("rows") or []:
        run = row.get("this_run")
        difference = row.get("difference")
        rows.append(
            {
                "label": row["label"],
                "sub": row.get("key") == "identified_by_source",
                "published": f"{int(row['published']):,}",
                "where": row.get("where", ""),
                "note": row.get("note", ""),
                "this_run": notes.cite(int(run), row.get("sources") or [])
                if run is not None
                else "not reached yet",
                "difference": ""
                if difference is None
                else f"{int(difference):+,}"
                if difference
                else "0",
            }
        )
    return rows


def _logic_model_caption(settings: LogicModelSettings | None) -> str:
    judgements = list(settings.judgements) if settings else ["supports", "refines"]
    verbs = {"supports": "support", "refines": "refine", "refutes": "refute"}
    left_out = [verbs[j] for j in verbs if j not in judgements]
    caption = (
        "Logic model drawn from the extracted configurations. The number on each link counts "
        "the studies with a configuration on it judged to "
        f"{join_words((verbs.get(j, j) for j in judgements), 'or')} its theory component"
    )
    if left_out:
        caption += f"; configurations that {join_words(left_out, 'or')} it draw no link"
    minimum = settings.min_studies if settings else 1
    if minimum > 1:
        caption += f"; links with fewer than {minimum} studies are not drawn"
    return caption + "."


def _reviewer_count(decisions: Sequence[str], audit: Mapping[str, Any] | None) -> int:
    kappa = ((audit or {}).get("details") or {}).get("kappa")
    pairs = (
        [k for k in (kappa or {}) if not str(k).startswith("n_")] if isinstance(kappa, dict) else []
    )
    return max(len(decisions), 2 if pairs else 0)


def _with_disabled(
    summary: dict[str, Any] | None, audits: Sequence[Mapping[str, Any]], stage: str
) -> dict[str, Any] | None:
    """A stage's summary, saying whether config switched the stage off (its audit does)."""
    if summary is None:
        return None
    audit = _latest(audits, stage) or {}
    return {**summary, "disabled": bool((audit.get("details") or {}).get("disabled"))}


def render_report(
    *,
    config: ReportConfig,
    audits: Sequence[Mapping[str, Any]],
    inputs: ReportInputs | None = None,
) -> str:
    """The report's HTML text; nothing is read here that ``inputs`` does not name."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    inputs = inputs or ReportInputs()
    env = Environment(
        loader=PackageLoader("reviewflow", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    notes = Footnotes()
    counts = load_counts(inputs.counts) if inputs.counts else None
    synthesis = _read_json(inputs.synthesis)
    dataset = _read_json(inputs.dataset)
    reproduction = _read_json(inputs.reproduction)
    records = _read_table(inputs.records)
    included = _read_table(inputs.included)
    if included is not None:
        included = fill_from_members(included, records)
    progress = _read_table(inputs.progress)
    thresholds = _read_table(inputs.thresholds)
    extraction_audit = _read_json(inputs.extraction_audit)
    screening_audit = _latest(audits, Stage.SCREENING)
    # Methods first, so footnotes are numbered in reading order.
    searches = search_lines(audits, list(config.imports), notes.cite)
    citations = citation_summary(
        _latest(audits, Stage.CITATIONS),
        (reproduction or {}).get("citations") or [],
        _read_table(inputs.seeds),
    )
    dedup = _with_disabled(
        dedup_summary(_latest(audits, Stage.DEDUP), notes.cite), audits, Stage.DEDUP
    )
    screening = screening_summary(
        screening_audit,
        progress,
        notes.cite,
        _reviewer_count(config.screening_decisions, screening_audit),
    )
    screening = _with_disabled(screening, audits, Stage.SCREENING)
    fulltext = fulltext_summary(
        _latest(audits, Stage.FULLTEXT, "assess_fulltexts"),
        _latest(audits, Stage.FULLTEXT, "locate_fulltexts"),
        notes.cite,
    )
    extraction = extraction_summary(dataset, extraction_audit)
    prisma_rows = _prisma_rows(counts, notes) if counts else []
    svg = _inline_svg(inputs.prisma_svg, "prisma", "PRISMA 2020 flow diagram")
    if svg and counts:
        svg = svg_with_tooltips(svg, counts)
    published_rows = _published_rows(reproduction, notes)
    tables = (synthesis or {}).get("tables", {})
    columns = (synthesis or {}).get("columns", {})
    components = tables.get("components", [])
    cmo = tables.get("cmo", [])
    narrative = tables.get("narrative", [])
    narrative_columns = columns.get("narrative") or (list(narrative[0]) if narrative else [])
    if "study" in narrative_columns:
        narrative_columns = [c for c in narrative_columns if c != "studies"]
    studies = _studies(included)
    label_of = {s["id"]: s["label"] for s in studies}
    for row in cmo:
        row["study"] = label_of.get(str(row.get("study_id", "")), row.get("study", ""))
    known = dict((reproduction or {}).get("known_includes") or {})
    trace = _trace_rows(_read_table(inputs.known_includes))
    known["unconfirmed"] = sum(1 for r in trace if r["possible"])
    context = {
        "review": dataclasses.asdict(config.review),
        "eligibility": config.review.eligibility,
        "notice": config.report.notice.strip(),
        "generated": utc_now(),
        "version": __version__,
        "searches": searches,
        "awaiting_exports": [s for s in searches if s["status"] == "export needed"],
        "capped_lines": [s for s in searches if s["capped"]],
        "api_lines": [s for s in searches if s["how"] == "API search"],
        "citations": citations,
        "dedup": dedup,
        "screening": screening,
        "fulltext": fulltext,
        "extraction": extraction,
        "progress": formatted_table(progress, _progress_columns(progress)),
        "progress_columns": _progress_columns(progress),
        "thresholds": formatted_table(
            thresholds, [] if thresholds is None else list(thresholds.columns)
        ),
        "threshold_columns": [] if thresholds is None else list(thresholds.columns),
        "prisma_svg": svg,
        "prisma_rows": prisma_rows,
        "prisma_update": bool(((counts or {}).get("layout") or {}).get("update")),
        "published": (reproduction or {}).get("published") or {},
        "published_rows": published_rows,
        "known": known,
        "stage_losses": (reproduction or {}).get("stages") or [],
        "lines": (reproduction or {}).get("lines") or [],
        "trace": trace,
        "synthesis": synthesis is not None,
        "components": components,
        "cmo_by_component": [
            (c, [r for r in cmo if r["component_id"] == c["component_id"]]) for c in components
        ],
        "themes": tables.get("framework_themes", []),
        "narrative": narrative,
        "narrative_columns": narrative_columns,
        "edges": tables.get("logic_model_edges", []),
        "logic_model": _data_uri(inputs.logic_model_png, "image/png"),
        "logic_model_caption": _logic_model_caption(config.logic_model),
        "synthesised": len((dataset or {}).get("studies") or []),
        "not_synthesised": _not_synthesised(included, dataset),
        "studies": studies,
        "studies_without_authors": sum(1 for s in studies if not s["authors"]),
        "notes": notes,
    }
    return env.get_template("report.html.j2").render(**context)


def find_chromium() -> str | None:
    """The first headless-capable Chromium/Chrome binary on PATH, if any."""
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(
    html_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str], chromium: str | None = None
) -> bool:
    """Print the report to PDF with headless Chromium; False (and a log line) without one."""
    binary = chromium or find_chromium()
    if binary is None:
        log.warning("no chromium binary found: PDF not written (install chromium)")
        return False
    with tempfile.TemporaryDirectory() as profile:
        tmp_pdf = Path(profile) / "report.pdf"
        subprocess.run(
            [
                binary,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={tmp_pdf}",
                Path(html_path).resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        Path(pdf_path).write_bytes(tmp_pdf.read_bytes())
    return True


def run_report_stage(
    *,
    config: ReportConfig,
    audit_paths: Sequence[str | os.PathLike[str]],
    out_html: str | os.PathLike[str],
    audit_path: str | os.PathLike[str],
    inputs: ReportInputs | None = None,
    pdf_path: str | os.PathLike[str] | None = None,
) -> str:
    """Rule ``write_report``: ``report.html`` (and ``report.pdf`` when asked and possible)."""
    inputs = inputs or ReportInputs()
    with StageAudit(
        audit_path,
        stage=Stage.REPORT,
        rule="write_report",
        inputs=[*audit_paths, *inputs.files()],
        outputs=[out_html],
        parameters=dataclasses.asdict(config.report),
    ) as audit:
        text = render_report(config=config, audits=audits_at(audit_paths), inputs=inputs)
        atomic_write_text(out_html, text)
        included = _read_table(inputs.included)
        audit.counts["included_studies"] = 0 if included is None else len(included)
        audit.counts["bytes"] = len(text.encode("utf-8"))
        if pdf_path:
            audit.details["pdf_written"] = html_to_pdf(out_html, pdf_path)
    return text
