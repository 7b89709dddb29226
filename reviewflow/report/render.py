"""Rendering the review report: methods as run, PRISMA diagram, synthesis, included studies.

Everything in the report is read from the run's own files: the audit records (what each
stage ran, with which parameters, how many records), the PRISMA counts, the synthesis
tables and the included studies. Every PRISMA number carries a tooltip and a footnote
naming the audit record and key it came from. Figures are inlined (SVG) or embedded as
data URIs, so the report is one file that can be archived or sent as it is.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow import __version__
from reviewflow.audit import StageAudit, utc_now
from reviewflow.errors import DataError
from reviewflow.io import atomic_write_text
from reviewflow.prisma import (
    SOURCE_NAMES,
    audits_at,
    load_counts,
    ordered_boxes,
    svg_with_tooltips,
)
from reviewflow.vocab import Stage

__all__ = ["find_chromium", "html_to_pdf", "render_report", "run_report_stage"]

log = logging.getLogger(__name__)

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
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read table: {exc}", path=str(path)) from exc
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def _detail(audit: Mapping[str, Any], *keys: str) -> str:
    for section in ("details", "parameters"):
        for key in keys:
            value = (audit.get(section) or {}).get(key)
            if value not in (None, "", [], {}):
                return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return ""


def _display(name: str) -> str:
    return SOURCE_NAMES.get(name.lower(), name)


def _thousands(value: str) -> str:
    return f"{int(value):,}" if value.isdigit() else value


def _run_date(audit: Mapping[str, Any]) -> str:
    """When a search ran; a replay without a recorded date says so instead of inventing one."""
    finished = str(audit.get("finished", ""))[:10]
    if (audit.get("details") or {}).get("replay"):
        return f"not recorded (replayed {finished})"
    if audit.get("stage") == Stage.IMPORT:
        return f"not recorded (imported {finished})"
    return finished


def _searches(audits: Sequence[Mapping[str, Any]], notes: Footnotes) -> list[dict[str, Any]]:
    rows = []
    for audit in audits:
        if audit.get("stage") not in (Stage.SEARCH, Stage.IMPORT):
            continue
        counts = audit.get("counts") or {}
        key = next((k for k in ("records_out", "records", "hits") if k in counts), "records_out")
        lines = (audit.get("details") or {}).get("lines")
        rows.append(
            {
                "database": _display(
                    _detail(audit, "database", "source", "platform")
                    or Path(audit["path"]).parent.name
                ),
                "how": "API search" if audit.get("stage") == Stage.SEARCH else "export imported",
                "platform": _detail(audit, "platform", "base_url"),
                "query": _detail(audit, "query", "term", "search_string"),
                "date": _detail(audit, "date_searched", "date_run", "searched_at", "date")
                or _run_date(audit),
                "hits_total": _thousands(_detail(audit, "hits_reported", "hits", "total_hits")),
                "records": notes.cite(
                    int(counts.get(key, 0)), [{"audit": audit["path"], "key": f"counts.{key}"}]
                ),
                "lines": lines if isinstance(lines, list) else [],
            }
        )
    return sorted(rows, key=lambda r: (r["how"], r["database"]))


def _stage_summary(
    audits: Sequence[Mapping[str, Any]], stage: str, notes: Footnotes, rule: str | None = None
) -> dict[str, Any] | None:
    chosen = [a for a in audits if a.get("stage") == stage and (rule is None or a["rule"] == rule)]
    if not chosen:
        return None
    audit = chosen[-1]
    return {
        "path": audit["path"],
        "rule": audit.get("rule", ""),
        "finished": audit.get("finished", ""),
        "counts": [
            (k, notes.cite(int(v), [{"audit": audit["path"], "key": f"counts.{k}"}]))
            for k, v in (audit.get("counts") or {}).items()
        ],
        "reasons": [
            (k, notes.cite(int(v), [{"audit": audit["path"], "key": f"reasons.{k}"}]))
            for k, v in sorted((audit.get("reasons") or {}).items())
        ],
        "parameters": _flatten(audit.get("parameters") or {}),
        "details": _flatten(
            {k: v for k, v in (audit.get("details") or {}).items() if not isinstance(v, list)}
        ),
    }


def _flatten(values: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    flat: list[tuple[str, str]] = []
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat += _flatten(value, f"{name}.")
        elif isinstance(value, list | tuple):
            flat.append(
                (name, "; ".join(json.dumps(v) if isinstance(v, dict) else str(v) for v in value))
            )
        else:
            flat.append((name, "" if value is None else str(value)))
    return flat


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


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    return [] if frame is None else frame.to_dict("records")


def _studies(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None:
        return []
    studies: list[dict[str, Any]] = []
    for row in frame.to_dict("records"):
        authors = [a for a in str(row.get("authors", "")).split("; ") if a]
        if len(authors) > 6:
            authors = authors[:6] + ["et al."]
        doi = str(row.get("doi", ""))
        title = str(row.get("title", "")).strip().rstrip(".")
        parts = [", ".join(authors)] if authors else []
        parts.append(f"({row['year']})" if row.get("year") else "")
        studies.append(
            {
                "id": str(row.get("study_id") or row.get("record_id", "")),
                "lead": " ".join(p for p in parts if p),
                "title": title or "(no title)",
                "journal": str(row.get("journal", "")),
                "doi": doi,
                "doi_url": f"https://doi.org/{doi}" if doi else "",
                "pmid": str(row.get("pmid", "")),
                "sort": (", ".join(authors).lower(), str(row.get("year", "")), title.lower()),
            }
        )
    return sorted(studies, key=lambda s: s["sort"])


def render_report(
    *,
    config: Mapping[str, Any],
    counts: Mapping[str, Any] | None,
    audits: Sequence[Mapping[str, Any]],
    prisma_svg: str | os.PathLike[str] | None = None,
    synthesis: Mapping[str, Any] | None = None,
    logic_model_png: str | os.PathLike[str] | None = None,
    included: pd.DataFrame | None = None,
    progress: pd.DataFrame | None = None,
    thresholds: pd.DataFrame | None = None,
) -> str:
    """The report's HTML text; nothing is read here that the caller did not pass."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("reviewflow", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    notes = Footnotes()
    # Methods first, so footnotes are numbered in reading order.
    searches = _searches(audits, notes)
    stages = {
        "citations": _stage_summary(audits, Stage.CITATIONS, notes),
        "dedup": _stage_summary(audits, Stage.DEDUP, notes),
        "screening": _stage_summary(audits, Stage.SCREENING, notes),
        "fulltext": _stage_summary(audits, Stage.FULLTEXT, notes, "assess_fulltexts")
        or _stage_summary(audits, Stage.FULLTEXT, notes),
    }
    prisma_rows = _prisma_rows(counts, notes) if counts else []
    svg = _inline_svg(prisma_svg, "prisma", "PRISMA 2020 flow diagram")
    if svg and counts:
        svg = svg_with_tooltips(svg, counts)
    tables = (synthesis or {}).get("tables", {})
    columns = (synthesis or {}).get("columns", {})
    components = tables.get("components", [])
    cmo = tables.get("cmo", [])
    narrative = tables.get("narrative", [])
    narrative_columns = columns.get("narrative") or (list(narrative[0]) if narrative else [])
    if "study" in narrative_columns:
        narrative_columns = [c for c in narrative_columns if c != "studies"]
    context = {
        "review": config.get("review", {}),
        "generated": utc_now(),
        "version": __version__,
        "searches": searches,
        **stages,
        "progress": _records(progress),
        "progress_columns": _progress_columns(progress),
        "thresholds": _records(thresholds),
        "threshold_columns": [] if thresholds is None else list(thresholds.columns),
        "prisma_svg": svg,
        "prisma_rows": prisma_rows,
        "synthesis": synthesis is not None,
        "components": components,
        "cmo_by_component": [
            (c, [r for r in cmo if r["component_id"] == c["component_id"]]) for c in components
        ],
        "themes": tables.get("framework_themes", []),
        "narrative": narrative,
        "narrative_columns": narrative_columns,
        "edges": tables.get("logic_model_edges", []),
        "logic_model": _data_uri(logic_model_png, "image/png"),
        "studies": _studies(included),
        "notes": notes,
    }
    html_text = env.get_template("report.html.j2").render(**context)
    return html_text


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
    config: Mapping[str, Any],
    audit_paths: Sequence[str | os.PathLike[str]],
    out_html: str | os.PathLike[str],
    audit_path: str | os.PathLike[str],
    counts_path: str | os.PathLike[str] | None = None,
    prisma_svg: str | os.PathLike[str] | None = None,
    synthesis_path: str | os.PathLike[str] | None = None,
    logic_model_png: str | os.PathLike[str] | None = None,
    included_path: str | os.PathLike[str] | None = None,
    progress_path: str | os.PathLike[str] | None = None,
    thresholds_path: str | os.PathLike[str] | None = None,
    pdf_path: str | os.PathLike[str] | None = None,
) -> str:
    """Rule ``write_report``: ``report.html`` (and ``report.pdf`` when asked and possible)."""
    optional = [
        counts_path,
        prisma_svg,
        synthesis_path,
        logic_model_png,
        included_path,
        progress_path,
        thresholds_path,
    ]
    inputs = [*audit_paths, *(p for p in optional if p)]
    with StageAudit(
        audit_path,
        stage=Stage.REPORT,
        rule="write_report",
        inputs=inputs,
        outputs=[out_html],
        parameters=dict(config.get("report") or {}),
    ) as audit:
        synthesis = None
        if synthesis_path and Path(synthesis_path).is_file():
            try:
                synthesis = json.loads(Path(synthesis_path).read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise DataError(f"not valid JSON: {exc.msg}", path=str(synthesis_path)) from exc
        included = _read_table(included_path)
        text = render_report(
            config=config,
            counts=load_counts(counts_path) if counts_path else None,
            audits=audits_at(audit_paths),
            prisma_svg=prisma_svg,
            synthesis=synthesis,
            logic_model_png=logic_model_png,
            included=included,
            progress=_read_table(progress_path),
            thresholds=_read_table(thresholds_path),
        )
        atomic_write_text(out_html, text)
        audit.counts["included_studies"] = 0 if included is None else len(included)
        audit.counts["bytes"] = len(text.encode("utf-8"))
        if pdf_path:
            audit.details["pdf_written"] = html_to_pdf(out_html, pdf_path)
    return text
