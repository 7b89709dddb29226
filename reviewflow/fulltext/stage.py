"""Snakemake entry points of the full-text stage: locate reports, then apply decisions.

``run_locate_stage`` (rule ``locate_fulltexts``) writes ``availability.csv``: for each
study included at title/abstract, where its report is. ``run_fulltext_stage`` (rule
``assess_fulltexts``) applies the reviewers' full-text decisions and writes the studies
included in the review, with the PRISMA 2020 counts of the "reports" boxes in its audit.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow.audit import StageAudit
from reviewflow.errors import DataError
from reviewflow.fulltext.decisions import (
    FulltextOutcome,
    read_fulltext_decisions,
    record_study_map,
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
from reviewflow.sources.base import env_value
from reviewflow.sources.http import ApiSession
from reviewflow.vocab import Stage

__all__ = ["read_included", "run_fulltext_stage", "run_locate_stage"]

log = logging.getLogger(__name__)

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


def _session(
    name: str,
    base_url: str,
    settings: Mapping[str, Any],
    *,
    archive_dir: Path,
    replay: bool,
    rate: float,
    secret_params: tuple[str, ...] = (),
    session: Any = None,
    expect: str | None = "json",
) -> ApiSession:
    """A session for one full-text source; ``expect`` None for downloads (PDF bytes)."""
    from reviewflow import __version__

    return ApiSession(
        name,
        settings.get("base_url") or base_url,
        archive_dir=archive_dir / name,
        replay=replay,
        requests_per_second=float(settings.get("requests_per_second") or rate),
        max_retries=int(settings.get("max_retries", 5)),
        timeout=float(settings.get("timeout", 60)),
        secret_params=secret_params,
        headers={"User-Agent": f"reviewflow/{__version__}"},
        session=session,
        expect=expect,
    )


def run_locate_stage(
    *,
    included_path: str,
    out_availability: str,
    audit_path: str,
    archive_dir: str,
    clusters_path: str | None = None,
    pdf_dir: str | None = None,
    sources: Mapping[str, Any] | None = None,
    replay: bool = False,
    email_env: str = "UNPAYWALL_EMAIL",
    replay_archive_dir: str | None = None,
    download: bool = False,
    download_dir: str | None = None,
    http_session: Any = None,
) -> pd.DataFrame:
    """Locate every included study's report; write ``availability.csv`` and the audit.

    Sessions are opened only when a study has an identifier to look up, so a review whose
    records carry no DOI/PMID/PMCID (the demo) makes no request and needs no archive, even
    in replay mode. ``http_session`` is an injectable ``requests.Session`` for tests.
    """
    sources = dict(sources or {})
    out_archive = Path(archive_dir)
    if replay:
        archive = Path(replay_archive_dir) if replay_archive_dir else out_archive
    else:
        # a live run archives into archive.partial/ first: a failed run leaves it, and the
        # retry resumes from the answers already archived (the http layer's checkpoint)
        archive = out_archive.with_name(out_archive.name + ".partial")
        archive.mkdir(parents=True, exist_ok=True)
    email = env_value(email_env)
    cache: dict[str, Any] = {}

    def _nothing_to_replay(name: str) -> bool:
        """A source the recorded run did not use (no archive) is skipped in replay too."""
        return replay and not (archive / name / "requests.jsonl").is_file()

    def unpaywall() -> UnpaywallLocator | None:
        if "unpaywall" not in cache:
            settings = dict(sources.get("unpaywall") or {})
            if settings.get("enabled", True) is False or _nothing_to_replay("unpaywall"):
                cache["unpaywall"] = None
            elif not email and not replay:
                log.warning("%s is not set: Unpaywall lookups skipped", email_env)
                cache["unpaywall"] = None
            else:
                api = _session(
                    "unpaywall",
                    UnpaywallLocator.default_base_url,
                    settings,
                    archive_dir=archive,
                    replay=replay,
                    rate=UnpaywallLocator.default_requests_per_second,
                    secret_params=("email",),
                    session=http_session,
                )
                cache["unpaywall"] = UnpaywallLocator(api, email or "replay@invalid")
        return cache["unpaywall"]  # type: ignore[no-any-return]

    def europepmc() -> EuropePmcLocator | None:
        if "europepmc" not in cache:
            settings = dict(sources.get("europepmc") or {})
            if settings.get("enabled", True) is False or _nothing_to_replay("europepmc"):
                cache["europepmc"] = None
            else:
                api = _session(
                    "europepmc",
                    EuropePmcLocator.default_base_url,
                    settings,
                    archive_dir=archive,
                    replay=replay,
                    rate=EuropePmcLocator.default_requests_per_second,
                    session=http_session,
                )
                cache["europepmc"] = EuropePmcLocator(api)
        return cache["europepmc"]  # type: ignore[no-any-return]

    inputs = [included_path] + ([clusters_path] if clusters_path else [])
    with StageAudit(
        audit_path,
        stage=Stage.FULLTEXT,
        rule="locate_fulltexts",
        inputs=inputs,
        outputs=[out_availability],
        parameters={
            "pdf_dir": pdf_dir or "",
            "replay": replay,
            "download": download,
            "unpaywall_email_set": bool(email),
        },
    ) as audit:
        included = read_included(included_path)
        members = _members(clusters_path)
        locations: list[Location] = []
        for _, row in included.iterrows():
            record = {k: str(v) for k, v in row.items()}
            study_id = record["study_id"]
            location = locate_fulltext(
                study_id,
                record,
                member_record_ids=members.get(study_id, []),
                pdf_dir=pdf_dir,
                unpaywall=unpaywall,
                europepmc=europepmc,
            )
            if download and location.pdf_url and download_dir:
                _download(location, archive, Path(download_dir), replay, http_session)
            locations.append(location)
        _write_table([loc.row() for loc in locations], AVAILABILITY_COLUMNS, out_availability)
        _finish_archive(archive, out_archive, replay)
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
        audit.details["requests"] = {
            name: getattr(getattr(locator, "session", None), "requests_made", 0)
            for name, locator in cache.items()
        }
    log.info("located full texts for %d studies", len(locations))
    return pd.DataFrame([loc.row() for loc in locations], columns=list(AVAILABILITY_COLUMNS))


def _finish_archive(work: Path, out: Path, replay: bool) -> None:
    """Put the archive used in place as the rule's ``archive/`` output."""
    if work.resolve() == out.resolve():
        out.mkdir(parents=True, exist_ok=True)
        return
    if out.exists():
        shutil.rmtree(out)
    if not replay:
        work.rename(out)
    elif work.is_dir():
        shutil.copytree(work, out)
    else:  # nothing was looked up (no identifiers): an empty archive
        out.mkdir(parents=True)


def _download(
    location: Location, archive: Path, target_dir: Path, replay: bool, http_session: Any
) -> None:
    """Save an open-access PDF (optional; off by default) through the archived HTTP layer."""
    from reviewflow.errors import SourceError

    api = _session(
        "download",
        location.pdf_url,
        {},
        archive_dir=archive,
        replay=replay,
        rate=1.0,
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
    included_path: str,
    decision_paths: Sequence[str],
    exclusion_reasons: Sequence[Mapping[str, str]],
    out_decisions_applied: str,
    out_included: str,
    audit_path: str,
    clusters_path: str | None = None,
    availability_path: str | None = None,
    run_label: str = "",
) -> pd.DataFrame:
    """Apply full-text decisions to the studies included at title/abstract.

    Audit counts follow the PRISMA 2020 "reports" boxes: ``reports_sought`` (every study
    included at title/abstract), ``reports_not_retrieved``, ``reports_assessed`` (include +
    exclude), ``excluded`` with one ``reasons`` entry per reason label, ``included``, and
    ``awaiting_fulltext_decision`` for studies nobody has decided yet.
    """
    labels = {r["code"]: r.get("label", r["code"]) for r in exclusion_reasons}
    inputs = [included_path, *decision_paths]
    inputs += [p for p in (clusters_path, availability_path) if p]
    with StageAudit(
        audit_path,
        stage=Stage.FULLTEXT,
        rule="assess_fulltexts",
        inputs=inputs,
        outputs=[out_decisions_applied, out_included],
        parameters={"exclusion_reasons": list(exclusion_reasons)},
    ) as audit:
        included = read_included(included_path)
        mapping = record_study_map(clusters_path, included)
        decisions = read_fulltext_decisions(
            decision_paths, record_to_study=mapping, reason_codes=list(labels)
        )
        sought = set(included["study_id"])
        in_force, superseded = resolve_decisions(decisions)
        superseded_ids = {id(d) for d in superseded}
        applied_rows = []
        for decision in decisions:
            if decision.study_id not in sought:
                status = "ignored: study not included at title/abstract screening"
            elif id(decision) in superseded_ids:
                status = "superseded by a later decision"
            else:
                status = "applied"
            applied_rows.append(
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
        _write_table(applied_rows, APPLIED_COLUMNS, out_decisions_applied)
        final = {s: d for s, d in in_force.items() if s in sought}
        outcome = {s: d.decision for s, d in final.items()}
        keep = included["study_id"].map(lambda s: outcome.get(s) == FulltextOutcome.INCLUDE)
        result = included.loc[keep.to_numpy(dtype=bool)].reset_index(drop=True)
        write_records(result, out_included)

        n_excluded = sum(1 for d in outcome.values() if d == FulltextOutcome.EXCLUDE)
        n_included = int(keep.sum())
        n_not_retrieved = sum(1 for d in outcome.values() if d == FulltextOutcome.NOT_RETRIEVED)
        audit.counts.update(
            {
                "reports_sought": len(sought),
                "reports_not_retrieved": n_not_retrieved,
                "reports_assessed": n_excluded + n_included,
                "excluded": n_excluded,
                "included": n_included,
                "awaiting_fulltext_decision": len(sought) - len(final),
                # the names the PRISMA stage reads (one report per study here)
                "reports_excluded": n_excluded,
                "studies_included": n_included,
                "reports_included": n_included,
                "decisions_read": len(decisions),
                "decisions_ignored": sum(1 for d in decisions if d.study_id not in sought),
            }
        )
        for decision in final.values():
            if decision.decision == FulltextOutcome.EXCLUDE:
                audit.add_reason(f"excluded: {labels.get(decision.reason, decision.reason)}")
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
            new_outcome = {s: d for s, d in outcome.items() if s in new}
            new_excluded = sum(1 for d in new_outcome.values() if d == FulltextOutcome.EXCLUDE)
            new_included = sum(1 for d in new_outcome.values() if d == FulltextOutcome.INCLUDE)
            audit.counts.update(
                {
                    "new_reports_sought": len(new),
                    "new_reports_not_retrieved": sum(
                        1 for d in new_outcome.values() if d == FulltextOutcome.NOT_RETRIEVED
                    ),
                    "new_reports_assessed": new_excluded + new_included,
                    "new_reports_excluded": new_excluded,
                    "new_studies_included": new_included,
                }
            )
            new_reasons: dict[str, int] = {}
            for study, decision in final.items():
                if study in new and decision.decision == FulltextOutcome.EXCLUDE:
                    label = labels.get(decision.reason, decision.reason)
                    new_reasons[f"excluded: {label}"] = new_reasons.get(f"excluded: {label}", 0) + 1
            audit.details["new_reasons"] = new_reasons
    log.info(
        "full text: %d sought, %d assessed, %d included",
        len(sought),
        n_excluded + n_included,
        n_included,
    )
    return result
