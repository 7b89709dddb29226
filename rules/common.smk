# Helpers only: config validation at start-up and small input functions. No rules here.

from pathlib import Path

from snakemake.exceptions import WorkflowError

from snakemake.utils import update_config

from reviewflow.config import config_errors
from reviewflow.update import UPDATE_FILE, read_update_file


def apply_update_file():
    """An update run is described by update.yaml beside the config (`reviewflow update`)."""
    if Path(UPDATE_FILE).is_file():
        update_config(config, read_update_file(UPDATE_FILE))


apply_update_file()


def validate_review_config():
    """Stop before any job runs if the config breaks the schema, naming every bad key."""
    schema = Path(workflow.basedir) / "config" / "config.schema.yaml"
    errors = config_errors(config, schema)
    if errors:
        raise WorkflowError(
            "The review config does not match config/config.schema.yaml:\n  "
            + "\n  ".join(errors)
        )


validate_review_config()


def import_ids():
    return [entry["id"] for entry in config.get("imports", [])]


def search_ids():
    return [entry["id"] for entry in config.get("searches", [])]


def import_entry(wildcards):
    return next(e for e in config["imports"] if e["id"] == wildcards.import_id)


def search_entry(wildcards):
    return next(e for e in config["searches"] if e["id"] == wildcards.search_id)


def import_file(wildcards):
    return import_entry(wildcards)["path"]


def is_enabled(stage):
    return bool(config.get(stage, {}).get("enabled", True))


def is_update():
    return bool(config.get("update", {}).get("previous_runs"))


def previous_runs():
    return list(config.get("update", {}).get("previous_runs", []))


def update_run_label():
    """In an update, the run date that marks studies first seen in this run; else ""."""
    return config.get("update", {}).get("run_date", "") if is_update() else ""


def previous_fulltext_audits():
    """Earlier runs' full-text audits: the previous version's studies in PRISMA."""
    return [
        f"{run}/fulltext/assess_fulltexts.audit.json"
        for run in previous_runs()
        if Path(f"{run}/fulltext/assess_fulltexts.audit.json").is_file()
    ]


def previous_record_tables():
    """Record tables of earlier runs (an update): their records are carried forward."""
    return [f"{run}/records/all_records.csv" for run in previous_runs()]


def is_replay():
    return bool(config.get("replay", False))


def source_settings(name):
    return config.get("sources", {}).get(name, {})


def decision_files(stage):
    """Decision files named in config for a stage (screening reviewers may be several)."""
    files = config.get(stage, {}).get("decisions", [])
    return [files] if isinstance(files, str) else list(files)


def record_tables():
    """Every per-source record table that feeds deduplication."""
    tables = expand("results/import/{import_id}/records.csv", import_id=import_ids())
    tables += expand("results/search/{search_id}/records.csv", search_id=search_ids())
    if is_enabled("citations") and config.get("citations"):
        tables.append("results/citations/records.csv")
    return tables


def final_targets():
    """What `snakemake` builds by default: the report and every stage output it rests on."""
    targets = ["results/report/report.html", "results/prisma/prisma.svg"]
    targets += [
        "results/screening/next_batch.xlsx",
        "results/dedup/uncertain_pairs.xlsx",
    ]
    targets += ["results/extraction/extraction_form.xlsx"]
    return targets


def stage_audit_files():
    """Every stage audit record the PRISMA counts and the report read, for this config.

    Listed explicitly (not globbed) so Snakemake orders count_prisma after every stage and
    reruns it when any audit changes; a disabled stage has no file here and no PRISMA box.
    """
    audits = expand(
        "results/import/{import_id}/import_records.audit.json", import_id=import_ids()
    )
    audits += expand(
        "results/search/{search_id}/search_database.audit.json", search_id=search_ids()
    )
    if is_enabled("citations") and config.get("citations"):
        audits.append("results/citations/chase_citations.audit.json")
    audits += [
        "results/records/collect_records.audit.json",
        "results/dedup/deduplicate_records.audit.json",
        "results/screening/screen_records.audit.json",
        "results/fulltext/locate_fulltexts.audit.json",
        "results/fulltext/assess_fulltexts.audit.json",
    ]
    return audits


def report_pdf_path():
    """Where the optional PDF copy of the report goes ("" when config report.pdf is off)."""
    return "results/report/report.pdf" if config.get("report", {}).get("pdf") else ""


def fulltext_replay_archive():
    """The archive replayed full-text lookups read (an input only when it exists)."""
    root = config.get("sources", {}).get("archive_dir", "")
    if is_replay() and root and Path(root, "fulltext").is_dir():
        return f"{root}/fulltext"
    return []


def locate_fulltexts_outputs():
    """Outputs of locate_fulltexts. Replay without sources.archive_dir reads the run's own
    archive, which then is not an output (Snakemake deletes outputs before a rerun)."""
    outputs = {
        "availability": "results/fulltext/availability.csv",
        "audit": "results/fulltext/locate_fulltexts.audit.json",
    }
    if not (is_replay() and not config.get("sources", {}).get("archive_dir", "")):
        outputs["archive"] = directory("results/fulltext/archive")
    return outputs


def fulltext_decision_files():
    """The full-text decision files named in config (one or several)."""
    return decision_files("fulltext")


def extraction_filled_workbook():
    """The filled extraction workbook (or CSV folder) named in config, if any yet."""
    filled = config.get("extraction", {}).get("filled", "")
    return [filled] if filled else []


def extraction_previous_workbook():
    """The filled workbook whose rows a re-export carries over (when it exists)."""
    return [p for p in extraction_filled_workbook() if Path(p).exists()]
