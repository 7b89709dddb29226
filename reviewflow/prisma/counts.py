"""PRISMA 2020 counts: every box of the flow diagram computed from the stages' audit records.

:func:`prisma_counts` turns the audit records of a run into the boxes of the PRISMA 2020 flow
diagram (Page et al. 2021, BMJ 372:n71; box texts as in the PRISMA2020 R package,
Haddaway et al. 2022). Each box carries its number *and* where it came from (audit file and
key), so a reader can trace any number in the report back to the stage that produced it.
Nothing is typed in: a stage that did not run has no box. The keys read are exactly the
:class:`~reviewflow.vocab.PrismaCount` members each stage declares (``SEARCH_COUNTS``,
``CITATION_COUNTS``, ``FULLTEXT_COUNTS``, ...), one per box; an audit without the key its
stage declares is an error, never a 0.

========================  ======================================================================
box                        audit record (rule) and key
========================  ======================================================================
databases, registers       ``search_database`` and ``import_records``: ``records_out``, named by
                           ``details.database``; an import of ``kind`` register is a register,
                           of kind other an "other methods" line
citation searching         ``chase_citations``: ``records_backward``, ``records_forward``
duplicates                 ``deduplicate_records``: ``duplicates_removed``; in an update the
                           records identified minus ``studies_new``
automation                 ``screen_records``: ``awaiting`` once ``details.stop_criterion_met``
                           (the records the stopping rule left unscreened); before, awaiting
screened / excluded        ``screen_records``: ``screened``, ``excluded`` (``new_*`` in an update)
reports                    ``assess_fulltexts``: ``reports_sought``, ``reports_not_retrieved``,
                           ``reports_assessed``, ``reports_excluded`` with the reasons
                           (``excluded: <label>``), ``awaiting_fulltext_decision``
included                   ``assess_fulltexts``: ``studies_included``, ``reports_included``
previous version           config ``update.previous_review``, else the last earlier run's
                           ``assess_fulltexts`` audit
========================  ======================================================================

A stage switched off in config (``dedup.enabled``, ``screening.enabled`` false) passes its
records through and says so in its audit (``details.disabled``); its boxes then say so too.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewflow.audit import StageAudit, load_audits
from reviewflow.errors import DataError
from reviewflow.importers.settings import ImportLine
from reviewflow.io import atomic_write_json
from reviewflow.settings import PreviousReview, UpdateSettings
from reviewflow.vocab import PrismaCount, Stage

__all__ = [
    "BOX_TEXT",
    "SOURCE_NAMES",
    "PrismaSettings",
    "audits_at",
    "load_counts",
    "previous_version",
    "prisma_counts",
    "run_count_prisma",
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
    # A stage switched off in config passes its records through.
    "disabled": "switched off in config",
}

#: Display names of the API sources (search audits name them by their config key).
SOURCE_NAMES: dict[str, str] = {
    "pubmed": "PubMed",
    "europepmc": "Europe PMC",
    "openalex": "OpenAlex",
    "crossref": "Crossref",
    "semanticscholar": "Semantic Scholar",
}

_REGISTER_KINDS = {"register", "registry", "trial_register"}
_OTHER_FOUND_BY = {"citation", "other"}


@dataclass(frozen=True)
class PrismaSettings:
    """What counting reads from config besides the audits: the review's id, the update
    (earlier runs, a previous version not run with reviewflow) and each import's kind."""

    review_id: str
    previous_runs: tuple[str, ...] = ()
    previous_review: PreviousReview | None = None
    import_kinds: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PrismaSettings:
        """From a validated config's ``review``, ``update`` and ``imports`` blocks."""
        update = UpdateSettings.from_config(config["update"])
        return cls(
            review_id=str(config["review"]["id"]),
            previous_runs=update.previous_runs,
            previous_review=update.previous_review,
            import_kinds={
                line.id: line.kind
                for line in (ImportLine.from_config(e) for e in config["imports"])
            },
        )

    @property
    def update(self) -> bool:
        return bool(self.previous_runs)


@dataclass
class _Box:
    label: str
    n: int
    sources: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "n": int(self.n), "sources": self.sources}


def _count(audit: Mapping[str, Any], key: PrismaCount) -> tuple[int, dict[str, Any]]:
    """The declared count ``key`` of an audit and where it is; missing is an error."""
    path = str(audit.get("path", ""))
    counts = audit.get("counts") or {}
    if key not in counts:
        raise DataError(
            f"rule {audit.get('rule', '?')} declares counts.{key} for the PRISMA 2020 diagram "
            "but its audit record has none; rerun the stage",
            path=path,
            field=f"counts.{key}",
        )
    value = counts[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DataError(f"expected a count, found {value!r}", path=path, field=str(key))
    return int(value), {"audit": path, "key": f"counts.{key}"}


def _text(audit: Mapping[str, Any], *keys: str) -> str:
    for section in ("details", "parameters"):
        values = audit.get(section) or {}
        for key in keys:
            value = values.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def _disabled(audit: Mapping[str, Any]) -> bool:
    return bool((audit.get("details") or {}).get("disabled"))


def _by_stage(audits: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for audit in audits:
        grouped.setdefault(str(audit.get("stage", "")), []).append(audit)
    return grouped


def _one(
    grouped: Mapping[str, list[Mapping[str, Any]]], stage: str, rule: str | None = None
) -> Mapping[str, Any] | None:
    """The latest audit of a stage (and rule); ``None`` when that stage did not run."""
    found = [a for a in grouped.get(stage, []) if rule is None or a.get("rule") == rule]
    if not found:
        return None
    return sorted(found, key=lambda a: (a.get("finished", ""), a.get("path", "")))[-1]


def _source_name(audit: Mapping[str, Any]) -> str:
    name = _text(audit, "database", "source_name", "source", "platform")
    name = SOURCE_NAMES.get(name.lower(), name)
    if not name:
        name = (
            _text(audit, "id", "search_id", "import_id") or Path(audit.get("path", "")).parent.name
        )
    return name


def _total(label: str, parts: Sequence[_Box]) -> _Box:
    return _Box(label, sum(p.n for p in parts), [s for p in parts for s in p.sources])


class _Flow:
    """The boxes of one diagram while they are counted, and which optional parts exist."""

    def __init__(self, settings: PrismaSettings) -> None:
        self.settings = settings
        self.boxes: dict[str, _Box] = {}
        self.layout: dict[str, Any] = {"update": settings.update, "fulltext_reasons": []}

    def key(self, plain: PrismaCount, new: PrismaCount) -> PrismaCount:
        """An update run (PRISMA 2020 updated-review flow) counts what is new in it."""
        return new if self.settings.update else plain

    def add(self, box_id: str, audit: Mapping[str, Any], key: PrismaCount, label: str = "") -> _Box:
        n, source = _count(audit, key)
        box = _Box(label or BOX_TEXT[box_id], n, [source])
        self.boxes[box_id] = box
        return box

    def as_dict(self) -> dict[str, Any]:
        return {
            "review": self.settings.review_id,
            "boxes": {box_id: box.as_dict() for box_id, box in self.boxes.items()},
            "layout": self.layout,
        }


def _identification(grouped: Mapping[str, list[Mapping[str, Any]]], flow: _Flow) -> None:
    """Records identified: one line per database or register, and the other methods."""
    columns: dict[str, dict[str, _Box]] = {"database": {}, "register": {}, "other": {}}
    for stage in (Stage.SEARCH, Stage.IMPORT):
        for audit in grouped.get(stage, []):
            n, source = _count(audit, PrismaCount.RECORDS_IDENTIFIED)
            name = _source_name(audit)
            box = columns[_column(audit, stage, flow.settings)].setdefault(name, _Box(name, 0))
            box.n += n
            box.sources.append(source)
    citations = _one(grouped, Stage.CITATIONS)
    if citations is not None:
        for direction, key in (
            ("backward", PrismaCount.CITATIONS_BACKWARD),
            ("forward", PrismaCount.CITATIONS_FORWARD),
        ):
            n, source = _count(citations, key)
            label = f"{BOX_TEXT['citations_results']} ({direction})"
            columns["other"][f"citations_{direction}"] = _Box(label, n, [source])
    for prefix, listing in (
        ("database", "databases"),
        ("register", "registers"),
        ("other", "other_methods"),
    ):
        group = columns[prefix]
        flow.layout[listing] = []
        for name in sorted(group):
            flow.boxes[f"{prefix}:{name}"] = group[name]
            flow.layout[listing].append(f"{prefix}:{name}")
    databases, registers, other = columns["database"], columns["register"], columns["other"]
    if databases or registers:
        # The template always shows both lines: "Registers (n = 0)" says none was searched.
        flow.boxes["database_results"] = _total(
            BOX_TEXT["databases"], [databases[k] for k in sorted(databases)]
        )
        flow.boxes["register_results"] = _total(
            BOX_TEXT["registers"], [registers[k] for k in sorted(registers)]
        )
        if not registers:
            flow.boxes["register_results"].sources = [
                {"audit": "config", "key": "no search line or import of kind register"}
            ]
    if other:
        flow.boxes["other_results"] = _total("Other methods", [other[k] for k in sorted(other)])
    flow.layout["other"] = bool(flow.layout["other_methods"])


def _column(audit: Mapping[str, Any], stage: str, settings: PrismaSettings) -> str:
    """Which column of the diagram a search or import's records go to."""
    kind = _text(audit, "kind").lower()
    if not kind and stage == Stage.IMPORT:
        import_id = _text(audit, "import_id") or Path(audit.get("path", "")).parent.name
        kind = settings.import_kinds.get(import_id, "")
    found_by = "other" if kind == "other" else _text(audit, "found_by").lower()
    if found_by in _OTHER_FOUND_BY:
        return "other"
    return "register" if kind in _REGISTER_KINDS else "database"


def _duplicates(grouped: Mapping[str, list[Mapping[str, Any]]], flow: _Flow) -> None:
    """Duplicate records removed (in an update: identified minus the new studies)."""
    dedup = _one(grouped, Stage.DEDUP)
    if dedup is None:
        return
    label = BOX_TEXT["duplicates"] + (
        f" (deduplication {BOX_TEXT['disabled']})" if _disabled(dedup) else ""
    )
    if not flow.settings.update:
        flow.add("duplicates", dedup, PrismaCount.DUPLICATES_REMOVED, label)
        return
    # Identified in this run but not new: duplicates of each other or of records an earlier
    # version of the review already had.
    new, source = _count(dedup, PrismaCount.STUDIES_NEW)
    identified = [
        flow.boxes[b]
        for b in ("database_results", "register_results", "other_results")
        if b in flow.boxes
    ]
    flow.boxes["duplicates"] = _Box(
        label,
        max(sum(b.n for b in identified) - new, 0),
        [s for b in identified for s in b.sources] + [{**source, "subtracted": True}],
    )


def _screening(grouped: Mapping[str, list[Mapping[str, Any]]], flow: _Flow) -> None:
    """Records screened and excluded; the unscreened ones set aside by the stopping rule
    (automation) once it is met, else shown as awaiting screening."""
    screening = _one(grouped, Stage.SCREENING)
    if screening is None:
        return
    awaiting, source = _count(
        screening, flow.key(PrismaCount.RECORDS_AWAITING, PrismaCount.NEW_RECORDS_AWAITING)
    )
    stopped = (screening.get("details") or {}).get("stop_criterion_met") is True
    if stopped:
        flow.boxes["excluded_automatic"] = _Box(
            BOX_TEXT["excluded_automatic"],
            awaiting,
            [{**source, "key": f"{source['key']} (details.stop_criterion_met = true)"}],
        )
    elif awaiting:
        flow.boxes["records_awaiting"] = _Box(BOX_TEXT["records_awaiting"], awaiting, [source])
    off = f" (title/abstract screening {BOX_TEXT['disabled']})" if _disabled(screening) else ""
    flow.add(
        "records_screened",
        screening,
        flow.key(PrismaCount.RECORDS_SCREENED, PrismaCount.NEW_RECORDS_SCREENED),
        BOX_TEXT["records_screened"] + off,
    )
    flow.add(
        "records_excluded",
        screening,
        flow.key(PrismaCount.RECORDS_EXCLUDED, PrismaCount.NEW_RECORDS_EXCLUDED),
    )


def _fulltext(grouped: Mapping[str, list[Mapping[str, Any]]], flow: _Flow) -> None:
    """The reports boxes, the exclusion reasons and the studies included."""
    assess = _one(grouped, Stage.FULLTEXT, "assess_fulltexts")
    if assess is None:
        return
    key = flow.key
    for box_id, plain, new in (
        ("reports_sought", PrismaCount.REPORTS_SOUGHT, PrismaCount.NEW_REPORTS_SOUGHT),
        (
            "reports_not_retrieved",
            PrismaCount.REPORTS_NOT_RETRIEVED,
            PrismaCount.NEW_REPORTS_NOT_RETRIEVED,
        ),
        ("reports_assessed", PrismaCount.REPORTS_ASSESSED, PrismaCount.NEW_REPORTS_ASSESSED),
        ("reports_excluded", PrismaCount.REPORTS_EXCLUDED, PrismaCount.NEW_REPORTS_EXCLUDED),
        ("new_studies", PrismaCount.STUDIES_INCLUDED, PrismaCount.NEW_STUDIES_INCLUDED),
        ("new_reports", PrismaCount.REPORTS_INCLUDED, PrismaCount.NEW_REPORTS_INCLUDED),
    ):
        flow.add(box_id, assess, key(plain, new), BOX_TEXT[box_id].rstrip(":"))
    pending, source = _count(assess, PrismaCount.REPORTS_AWAITING)
    if pending:
        flow.boxes["reports_awaiting"] = _Box(BOX_TEXT["reports_awaiting"], pending, [source])
    path = assess.get("path", "")
    details = assess.get("details") or {}
    if flow.settings.update and isinstance(details.get("new_reasons"), dict):
        reasons, section = details["new_reasons"], "details.new_reasons"
    else:
        reasons, section = assess.get("reasons") or {}, "reasons"
    for reason, n in sorted(reasons.items()):
        label = reason.split(":", 1)[1].strip() if reason.startswith("excluded:") else reason
        box_id = f"reason:{label}"
        flow.boxes[box_id] = _Box(label, int(n), [{"audit": path, "key": f"{section}.{reason}"}])
        flow.layout["fulltext_reasons"].append(box_id)


def previous_version(previous_runs: Sequence[str]) -> dict[str, Any] | None:
    """The previous version of the review, from the latest earlier run's full-text audit."""
    for run in reversed(list(previous_runs)):
        path = Path(run) / "fulltext" / "assess_fulltexts.audit.json"
        if not path.is_file():
            continue
        audit = {**json.loads(path.read_text(encoding="utf-8")), "path": path.as_posix()}
        found: dict[str, Any] = {}
        keys: dict[str, str] = {}
        for name, key in (
            ("studies_included", PrismaCount.STUDIES_INCLUDED),
            ("reports_included", PrismaCount.REPORTS_INCLUDED),
        ):
            found[name], where = _count(audit, key)
            keys[name] = where["key"]
        return {
            **found,
            "source": f"reviewflow run {Path(run).parent.name}",
            "audit": path.as_posix(),
            "keys": keys,
        }
    return None


def _previous(flow: _Flow) -> None:
    """The previous version's studies (updated reviews) and the totals with them."""
    given = flow.settings.previous_review
    previous: dict[str, Any] | None = None
    if given is not None:
        previous = {
            "source": given.source or "config update.previous_review",
            **{
                k: v
                for k, v in (
                    ("studies_included", given.studies_included),
                    ("reports_included", given.reports_included),
                )
                if v is not None
            },
        }
    else:
        previous = previous_version(flow.settings.previous_runs)
    flow.layout["previous"] = bool(previous)
    if not previous:
        return
    for box_id, key in (
        ("previous_studies", "studies_included"),
        ("previous_reports", "reports_included"),
    ):
        if key in previous:
            where = {
                "audit": previous.get("audit", "config"),
                "key": previous.get("keys", {}).get(key, f"update.previous_review.{key}"),
                "source": previous["source"],
            }
            flow.boxes[box_id] = _Box(BOX_TEXT[box_id], int(previous[key]), [where])
    for total_id, new_id, prev_id in (
        ("total_studies", "new_studies", "previous_studies"),
        ("total_reports", "new_reports", "previous_reports"),
    ):
        parts = [flow.boxes[b] for b in (new_id, prev_id) if b in flow.boxes]
        if parts:
            flow.boxes[total_id] = _total(BOX_TEXT[total_id], parts)


def _wording(flow: _Flow) -> None:
    """The updated-review form (previous version shown, or an update run) speaks of "new"
    studies; a review's first version says "Studies included in review"."""
    flow.layout["updated_form"] = flow.settings.update or flow.layout["previous"]
    if flow.layout["updated_form"]:
        return
    for box_id, text in (("new_studies", "studies_included"), ("new_reports", "reports_included")):
        if box_id in flow.boxes:
            flow.boxes[box_id].label = BOX_TEXT[text]


def prisma_counts(audits: Iterable[Mapping[str, Any]], settings: PrismaSettings) -> dict[str, Any]:
    """Every PRISMA 2020 box as ``{"label", "n", "sources": [{"audit", "key"}]}``.

    ``audits`` are records as returned by :func:`reviewflow.audit.load_audits` (each with
    its ``path``). The result's ``layout`` says which optional parts exist: per-database
    lines, registers, other methods, full-text exclusion reasons, the previous version.
    """
    grouped = _by_stage(audits)
    flow = _Flow(settings)
    _identification(grouped, flow)
    _duplicates(grouped, flow)
    _screening(grouped, flow)
    _fulltext(grouped, flow)
    _previous(flow)
    _wording(flow)
    return flow.as_dict()


def load_counts(path: str | os.PathLike[str]) -> dict[str, Any]:
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
    settings: PrismaSettings,
    out_counts: str | os.PathLike[str],
    audit_path: str | os.PathLike[str],
    previous_audits: Sequence[str | os.PathLike[str]] = (),
) -> dict[str, Any]:
    """Rule ``count_prisma``: the counts of every PRISMA box with the audit key behind each.

    ``previous_audits`` are the earlier runs' full-text audits the previous version is read
    from (declared inputs of the rule, recorded in the audit).
    """
    with StageAudit(
        audit_path,
        stage=Stage.PRISMA,
        rule="count_prisma",
        inputs=[*audit_paths, *previous_audits],
        outputs=[out_counts],
    ) as audit:
        counts = prisma_counts(audits_at(audit_paths), settings)
        atomic_write_json(out_counts, counts)
        for box_id, box in counts["boxes"].items():
            audit.counts[box_id] = box["n"]
        audit.details["previous_version"] = counts["layout"]["previous"]
    return counts
