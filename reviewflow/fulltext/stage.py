"""Snakemake entry points of the full-text stage: locate reports, then apply decisions.

``run_locate_stage`` (rule ``locate_fulltexts``) writes ``availability.csv``: for each
study included at title/abstract, where its report is. ``run_fulltext_stage`` (rule
``assess_fulltexts``) applies the reviewers' full-text decisions and writes the studies
included in the review, with the PRISMA 2020 counts of the "reports" boxes in its audit.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from reviewflow.audit import StageAudit
from reviewflow.clusters import record_study_map
from reviewflow.errors import DataError, SourceError
from reviewflow.fulltext.decisions import (
    UNDO,
    FulltextOutcome,
    ResolvedDecisions,
    read_fulltext_decisions,
    resolve_decisions,
)
from reviewflow.fulltext.locate import (
    AVAILABILITY_COLUMNS,
    EuropePmcLocator,
    Location,
    LocationStatus,
    UnpaywallLocator,
    locate_fulltext,
    pdf_file_name,
)
from reviewflow.io import atomic_write_bytes, write_csv
from reviewflow.records import read_records, write_records
from reviewflow.settings import Settings, one_or_many
from reviewflow.sources.archive_run import archive_run, replay_source
from reviewflow.sources.base import SourceSettings, SourcesSettings, env_value
from reviewflow.vocab import PrismaCount, Stage

__all__ = [
    "FULLTEXT_COUNTS",
    "ExclusionReason",
    "FulltextService",
    "FulltextSettings",
    "read_included",
    "run_fulltext_stage",
    "run_locate_stage",
]

log = logging.getLogger(__name__)

#: The audit counts rule ``assess_fulltexts`` writes for PRISMA (the "reports" boxes and
#: the studies included), and in an update run those of the studies new in it.
FULLTEXT_COUNTS = (
    PrismaCount.REPORTS_SOUGHT,
    PrismaCount.REPORTS_NOT_RETRIEVED,
    PrismaCount.REPORTS_ASSESSED,
    PrismaCount.REPORTS_EXCLUDED,
    PrismaCount.REPORTS_AWAITING,
    PrismaCount.STUDIES_INCLUDED,
    PrismaCount.REPORTS_INCLUDED,
)
FULLTEXT_UPDATE_COUNTS = (
    PrismaCount.NEW_REPORTS_SOUGHT,
    PrismaCount.NEW_REPORTS_NOT_RETRIEVED,
    PrismaCount.NEW_REPORTS_ASSESSED,
    PrismaCount.NEW_REPORTS_EXCLUDED,
    PrismaCount.NEW_STUDIES_INCLUDED,
    PrismaCount.NEW_REPORTS_INCLUDED,
)

#: Columns of ``decisions_applied.csv``.
APPLIED_COLUMNS = (
    "study_id",
    "record_id",
    "decision",
    "reason",
    "reason_label",
    "reviewer",
    "date",
    "note",
    "status",
    "file",
    "line",
)


@dataclass(frozen=True)
class ExclusionReason(Settings):
    """One allowed full-text exclusion reason: the code typed, the label PRISMA shows."""

    SCHEMA: ClassVar[str] = "schemas/fulltext.schema.yaml#/properties/exclusion_reasons/items"

    code: str
    label: str


@dataclass(frozen=True)
class FulltextService(Settings):
    """``fulltext.unpaywall`` / ``fulltext.europepmc``: whether the lookup is made at all
    (how its API is reached is the ``sources`` block, as for every API)."""

    SCHEMA: ClassVar[str] = "schemas/fulltext.schema.yaml#/$defs/service"

    enabled: bool


@dataclass(frozen=True)
class FulltextSettings(Settings):
    """The ``fulltext`` block: decision files, exclusion reasons, where reports are found."""

    SCHEMA: ClassVar[str] = "schemas/fulltext.schema.yaml"

    decisions: tuple[str, ...] = field(metadata={"read": one_or_many})
    exclusion_reasons: tuple[ExclusionReason, ...] | None
    pdf_dir: str
    download: bool
    unpaywall_email_env: str
    unpaywall: FulltextService
    europepmc: FulltextService

    @property
    def reason_labels(self) -> dict[str, str]:
        """Exclusion reason code -> label (none configured: no reason is allowed)."""
        return {r.code: r.label for r in self.exclusion_reasons or ()}


def read_included(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A table of included studies: record-model columns plus ``study_id``."""
    frame = read_records(path)
    if "study_id" not in frame.columns:
        raise DataError("no 'study_id' column in the included studies", path=str(path), line=1)
    duplicated = frame["study_id"][frame["study_id"].duplicated()]
    if len(duplicated):
        line = int(duplicated.index[0]) + 2
        raise DataError(f"study id {duplicated.iloc[0]!r} appears twice", path=str(path), line=line)
    return frame


def _members(clusters_path: str | os.PathLike[str] | None) -> dict[str, list[str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for record_id, study_id in record_study_map(clusters_path).items():
        if record_id != study_id:
            members[study_id].append(record_id)
    return members


def _write_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], path: str) -> None:
    write_csv(pd.DataFrame(list(rows), columns=list(columns), dtype=object).fillna(""), path)


class _Locators:
    """The lookup services of one run, each opened on first use (never, for a review whose
    records carry no identifier), each archiving under ``<archive>/<name>/``."""

    def __init__(
        self,
        settings: FulltextSettings,
        sources: SourcesSettings,
        archive: Path,
        replay: bool,
        http_session: Any,
    ) -> None:
        self.settings, self.sources = settings, sources
        self.archive, self.replay, self.http_session = archive, replay, http_session
        self.email = env_value(settings.unpaywall_email_env)
        self.opened: dict[str, Any] = {}

    def _skipped(self, name: str, service: FulltextService) -> bool:
        """Switched off, or (in replay) not used by the run replayed: no archive for it."""
        unused = self.replay and not (self.archive / name / "requests.jsonl").is_file()
        return not service.enabled or unused

    def _session(self, name: str, locator: Any, secret_params: tuple[str, ...] = ()) -> Any:
        return self.sources.of(name).session(
            name,
            default_base_url=locator.default_base_url,
            default_requests_per_second=locator.default_requests_per_second,
            archive_dir=self.archive / name,
            replay=self.replay,
            secret_params=secret_params,
            session=self.http_session,
        )

    def unpaywall(self) -> UnpaywallLocator | None:
        if "unpaywall" not in self.opened:
            found = None
            if self._skipped("unpaywall", self.settings.unpaywall):
                pass
            elif not self.email and not self.replay:
                log.warning(
                    "%s is not set: Unpaywall lookups skipped", self.settings.unpaywall_email_env
                )
            else:
                session = self._session("unpaywall", UnpaywallLocator, ("email",))
                found = UnpaywallLocator(session, self.email or "replay@invalid")
            self.opened["unpaywall"] = found
        return self.opened["unpaywall"]  # type: ignore[no-any-return]

    def europepmc(self) -> EuropePmcLocator | None:
        if "europepmc" not in self.opened:
            found = None
            if not self._skipped("europepmc", self.settings.europepmc):
                found = EuropePmcLocator(self._session("europepmc", EuropePmcLocator))
            self.opened["europepmc"] = found
        return self.opened["europepmc"]  # type: ignore[no-any-return]

    def requests(self) -> dict[str, int]:
        return {
            name: getattr(getattr(locator, "session", None), "requests_made", 0)
            for name, locator in self.opened.items()
        }


def run_locate_stage(
    *,
    settings: FulltextSettings,
    sources: SourcesSettings,
    replay: bool,
    included_path: str,
    out_availability: str,
    audit_path: str,
    archive_dir: str,
    download_dir: str,
    clusters_path: str | None = None,
    http_session: Any = None,
) -> pd.DataFrame:
    """Rule ``locate_fulltexts``: where every included study's report is, and the audit.

    Lookups run as the shared archive run: replayed from ``<sources.archive_dir>/fulltext``
    (or the stage's own ``archive/``). Sessions are opened only when a study has an
    identifier to look up, so a review whose records carry no DOI/PMID/PMCID (the demo)
    makes no request and needs no archive, even in replay mode. ``http_session`` is an
    injectable ``requests.Session`` for tests.
    """
    replay_from = replay_source(sources.archive_dir, "fulltext") if replay else ""
    with StageAudit(
        audit_path,
        stage=Stage.FULLTEXT,
        rule="locate_fulltexts",
        inputs=[included_path] + ([clusters_path] if clusters_path else []),
        outputs=[out_availability],
        parameters={
            "pdf_dir": settings.pdf_dir,
            "replay": replay,
            "download": settings.download,
            "unpaywall_email_set": bool(env_value(settings.unpaywall_email_env)),
        },
    ) as audit:
        with archive_run(archive_dir, replay=replay, replay_from=replay_from) as archive:
            locators = _Locators(settings, sources, archive, replay, http_session)
            locations = _locate_all(
                read_included(included_path),
                _members(clusters_path),
                settings,
                locators,
                fetch=lambda loc: _download(loc, archive, Path(download_dir), replay, http_session),
            )
            _write_table([loc.row() for loc in locations], AVAILABILITY_COLUMNS, out_availability)
        audit.counts["studies"] = len(locations)
        audit.counts["reports_sought"] = len(locations)
        for status in (
            LocationStatus.LOCAL,
            LocationStatus.OPEN_ACCESS,
            LocationStatus.NOT_OPEN_ACCESS,
            LocationStatus.NOT_FOUND,
            LocationStatus.NO_IDENTIFIER,
            LocationStatus.ERROR,
            LocationStatus.NOT_LOOKED_UP,
        ):
            audit.counts[status.replace(" ", "_")] = sum(
                1 for loc in locations if loc.status == status
            )
        audit.details["requests"] = locators.requests()
    log.info("located full texts for %d studies", len(locations))
    return pd.DataFrame([loc.row() for loc in locations], columns=list(AVAILABILITY_COLUMNS))


def _locate_all(
    included: pd.DataFrame,
    members: Mapping[str, list[str]],
    settings: FulltextSettings,
    locators: _Locators,
    fetch: Callable[[Location], None],
) -> list[Location]:
    locations: list[Location] = []
    for _, row in included.iterrows():
        record = {str(k): str(v) for k, v in row.items()}
        study_id = record["study_id"]
        location = locate_fulltext(
            study_id,
            record,
            member_record_ids=members.get(study_id, []),
            pdf_dir=settings.pdf_dir,
            unpaywall=locators.unpaywall,
            europepmc=locators.europepmc,
        )
        if settings.download and location.pdf_url:
            fetch(location)
        locations.append(location)
    return locations


def _download(
    location: Location, archive: Path, target_dir: Path, replay: bool, http_session: Any
) -> None:
    """Save an open-access PDF (optional; off by default) through the archived HTTP layer."""
    api = SourceSettings.defaults().session(
        "download",
        default_base_url=location.pdf_url,
        default_requests_per_second=1.0,
        archive_dir=archive / "download",
        replay=replay,
        session=http_session,
        expect=None,
    )
    try:
        response = api.get("")
    except SourceError as exc:
        location.note = f"download failed: {exc}"[:300]
        return
    if not response.body.startswith(b"%PDF"):
        location.note = "download did not return a PDF"
        return
    target = target_dir / pdf_file_name(location.study_id)
    atomic_write_bytes(target, response.body)
    location.local_path = target.as_posix()


def run_fulltext_stage(
    *,
    settings: FulltextSettings,
    included_path: str,
    decision_paths: Sequence[str],
    out_decisions_applied: str,
    out_included: str,
    audit_path: str,
    clusters_path: str | None = None,
    availability_path: str | None = None,
    run_label: str = "",
) -> pd.DataFrame:
    """Rule ``assess_fulltexts``: the full-text decisions applied to the studies included at
    title/abstract, and the PRISMA 2020 "reports" counts (:data:`FULLTEXT_COUNTS`).

    ``awaiting_fulltext_decision`` counts studies nobody has decided yet; ``run_label`` (an
    update) adds the same counts for the studies first seen in this run.
    """
    labels = settings.reason_labels
    inputs = [included_path, *decision_paths]
    inputs += [p for p in (clusters_path, availability_path) if p]
    with StageAudit(
        audit_path,
        stage=Stage.FULLTEXT,
        rule="assess_fulltexts",
        inputs=inputs,
        outputs=[out_decisions_applied, out_included],
        parameters={"exclusion_reasons": settings.exclusion_reasons or ()},
        declares=FULLTEXT_COUNTS + (FULLTEXT_UPDATE_COUNTS if run_label else ()),
    ) as audit:
        included = read_included(included_path)
        decisions = read_fulltext_decisions(
            decision_paths,
            record_to_study=record_study_map(clusters_path, included),
            reason_codes=list(labels),
        )
        sought = set(included["study_id"])
        resolved = resolve_decisions(decisions)
        in_force = resolved.in_force
        _write_table(
            _applied_rows(decisions, sought, resolved, labels),
            APPLIED_COLUMNS,
            out_decisions_applied,
        )
        final = {s: d for s, d in in_force.items() if s in sought}
        outcome = {s: d.decision for s, d in final.items()}
        keep = included["study_id"].map(lambda s: outcome.get(s) == FulltextOutcome.INCLUDE)
        result = included.loc[keep.to_numpy(dtype=bool)].reset_index(drop=True)
        write_records(result, out_included)
        _count_reports(audit, sought, final, labels)
        audit.counts["decisions_read"] = len(decisions)
        audit.counts["decisions_ignored"] = sum(1 for d in decisions if d.study_id not in sought)
        if availability_path and Path(availability_path).is_file():
            availability = pd.read_csv(
                availability_path, dtype=str, keep_default_na=False, na_filter=False
            )
            audit.details["availability"] = {
                str(k): int(v) for k, v in availability["status"].value_counts().items()
            }
        audit.details["awaiting_fulltext_decision"] = sorted(sought - set(final))
        if run_label and "first_seen" in included.columns:
            # An update's PRISMA diagram counts only the reports of studies new in this run.
            new = set(included.loc[included["first_seen"] == run_label, "study_id"])
            _count_reports(
                audit, new, {s: d for s, d in final.items() if s in new}, labels, new_only=True
            )
    log.info(
        "full text: %d sought, %d assessed, %d included",
        len(sought),
        audit.counts[PrismaCount.REPORTS_ASSESSED],
        audit.counts[PrismaCount.STUDIES_INCLUDED],
    )
    return result


def _applied_rows(
    decisions: Sequence[Any],
    sought: set[str],
    resolved: ResolvedDecisions,
    labels: Mapping[str, str],
) -> list[dict[str, Any]]:
    """One row per decision read, saying whether it was applied and why not."""
    superseded_ids = {id(d) for d in resolved.superseded}
    rows = []
    for decision in decisions:
        undo = resolved.undone.get(id(decision))
        if decision.study_id not in sought:
            status = "ignored: study not included at title/abstract screening"
        elif decision.decision == UNDO:
            status = "undo: takes back the decision before it"
        elif undo is not None:
            status = f"taken back by the undo in {Path(undo.path).name}, line {undo.line}"
        elif id(decision) in superseded_ids:
            status = "superseded by a later decision"
        else:
            status = "applied"
        rows.append(
            {
                "study_id": decision.study_id,
                "record_id": decision.record_id,
                "decision": decision.decision,
                "reason": decision.reason,
                "reason_label": labels.get(decision.reason, ""),
                "reviewer": decision.reviewer,
                "date": decision.date,
                "note": decision.note,
                "status": status,
                "file": decision.path,
                "line": decision.line,
            }
        )
    return rows


def _count_reports(
    audit: StageAudit,
    sought: set[str],
    final: Mapping[str, Any],
    labels: Mapping[str, str],
    *,
    new_only: bool = False,
) -> None:
    """The PRISMA 2020 "reports" boxes for ``sought`` studies (one report per study), with
    one reason per exclusion label; ``new_only``: the update run's counts of new studies."""
    outcome = [d.decision for d in final.values()]
    excluded = outcome.count(FulltextOutcome.EXCLUDE)
    included = outcome.count(FulltextOutcome.INCLUDE)
    reasons: dict[str, int] = {}
    for decision in final.values():
        if decision.decision == FulltextOutcome.EXCLUDE:
            reason = f"excluded: {labels.get(decision.reason, decision.reason)}"
            reasons[reason] = reasons.get(reason, 0) + 1
    if new_only:
        audit.counts.update(
            {
                PrismaCount.NEW_REPORTS_SOUGHT: len(sought),
                PrismaCount.NEW_REPORTS_NOT_RETRIEVED: outcome.count(FulltextOutcome.NOT_RETRIEVED),
                PrismaCount.NEW_REPORTS_ASSESSED: excluded + included,
                PrismaCount.NEW_REPORTS_EXCLUDED: excluded,
                PrismaCount.NEW_STUDIES_INCLUDED: included,
                PrismaCount.NEW_REPORTS_INCLUDED: included,
            }
        )
        audit.details["new_reasons"] = reasons
        return
    audit.counts.update(
        {
            PrismaCount.REPORTS_SOUGHT: len(sought),
            PrismaCount.REPORTS_NOT_RETRIEVED: outcome.count(FulltextOutcome.NOT_RETRIEVED),
            PrismaCount.REPORTS_ASSESSED: excluded + included,
            PrismaCount.REPORTS_EXCLUDED: excluded,
            PrismaCount.REPORTS_AWAITING: len(sought) - len(final),
            PrismaCount.STUDIES_INCLUDED: included,
            PrismaCount.REPORTS_INCLUDED: included,
            "excluded": excluded,
            "included": included,
        }
    )
    for reason, n in reasons.items():
        audit.add_reason(reason, n)
