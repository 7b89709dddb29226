# Helpers only: config validation at start-up and small input functions. No rules here.

from pathlib import Path

from snakemake.exceptions import WorkflowError

from snakemake.utils import update_config

from reviewflow.config import coerce_booleans, config_errors
from reviewflow.update import UPDATE_FILE, read_update_file


def apply_update_file():
    """An update run is described by update.yaml beside the config (`reviewflow update`)."""
    if Path(UPDATE_FILE).is_file():
        update_config(config, read_update_file(UPDATE_FILE))


apply_update_file()


def validate_review_config():
    """Stop before any job runs if the config breaks the schema, naming every bad key.
    Booleans given on the command line (--config replay=true) arrive as text: read them.
    """
    schema = Path(workflow.basedir) / "config" / "config.schema.yaml"
    coerce_booleans(config, schema)
    errors = config_errors(config, schema)
    if errors:
        raise WorkflowError(
            "The review config does not match config/config.schema.yaml:\n  "
            + "\n  ".join(errors)
        )


validate_review_config()


def import_ids():
    """Imports to read: every imports[] entry whose export is in place (not awaiting one)."""
    return [
        entry["id"]
        for entry in config.get("imports", [])
        if not entry.get("awaiting_export", False)
    ]


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


def known_includes_file():
    """The published review's included studies (published.known_includes), if named."""
    path = config.get("published", {}).get("known_includes", "")
    return path or []


def reproduction_settings():
    """The config trace_known_includes reads (the published block, the dedup thresholds
    its matcher uses, the screening adjudicator)."""
    return {
        "published": config.get("published", {}),
        "dedup": config.get("dedup", {}),
        "screening": {
            "adjudicator": config.get("screening", {}).get("adjudicator", "")
        },
    }


def report_settings():
    """The config the report prints beside the audit records: the review, the report block,
    the published counts, the imports (those awaiting an export are listed as such) and
    the logic model settings its caption describes."""
    return {
        "review": config.get("review", {}),
        "report": config.get("report", {}),
        "published": config.get("published", {}),
        "imports": config.get("imports", []),
        "synthesis": {
            "logic_model": config.get("synthesis", {}).get("logic_model", {})
        },
        "screening": {"decisions": decision_files("screening")},
    }


def citation_seed_table():
    """The seeds table of citation tracking, when the stage runs."""
    if is_enabled("citations") and config.get("citations"):
        return "results/citations/seeds.csv"
    return []


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


# Searches, citation tracking and screening: inputs, outputs and params of their rules.


def archive_beside(records_path):
    """The raw-response archive of a search or citation job, next to its records."""
    return str(Path(records_path).parent / "archive")


def search_replay_archive(wildcards):
    """The archive a replayed search reads (tracked as an input); nothing for live runs."""
    root = config.get("sources", {}).get("archive_dir", "")
    if is_replay() and root:
        return f"{root}/{wildcards.search_id}"
    return []


def replays_in_place():
    """Replay without sources.archive_dir reads the run's own archive, which therefore is
    not declared as an output: Snakemake deletes outputs before it reruns a job."""
    return is_replay() and not config.get("sources", {}).get("archive_dir", "")


def search_outputs():
    outputs = {
        "records": "results/search/{search_id}/records.csv",
        "audit": "results/search/{search_id}/search_database.audit.json",
    }
    if not replays_in_place():
        outputs["archive"] = directory("results/search/{search_id}/archive")
    return outputs


def search_settings(wildcards):
    """The searches[] entry of this job."""
    return search_entry(wildcards)


def citation_tables():
    """Record tables of searches and imports, where included record ids are looked up."""
    if not config.get("citations", {}).get("from_included", True):
        return []
    tables = expand("results/import/{import_id}/records.csv", import_id=import_ids())
    tables += expand("results/search/{search_id}/records.csv", search_id=search_ids())
    return tables


def citation_decisions():
    """Screening decision files, read only when chasing from included studies."""
    if not config.get("citations", {}).get("from_included", True):
        return []
    return decision_files("screening")


def citation_params():
    """The citations block, the sources block and where a replayed archive lives."""
    params = dict(config.get("citations", {}))
    params["source_settings"] = config.get("sources", {})
    archive_root = config.get("sources", {}).get("archive_dir", "")
    params["replay_dir"] = f"{archive_root}/citations" if archive_root else ""
    params["previous_runs"] = previous_runs()
    return params


def citation_outputs():
    """As for searches: a replay in place reads the archive, so it is no output then."""
    outputs = {
        "records": "results/citations/records.csv",
        "seeds": "results/citations/seeds.csv",
        "audit": "results/citations/chase_citations.audit.json",
    }
    if not (is_replay() and not config.get("sources", {}).get("archive_dir", "")):
        outputs["archive"] = directory("results/citations/archive")
    return outputs


def screening_params():
    """The screening block of config (model, features, stopping, batch size, seed), and in
    an update the run that marks new studies and whether only those are screened. The
    screening app's highlight terms only mark words on screen: changing them reruns nothing."""
    params = {k: v for k, v in config.get("screening", {}).items() if k != "highlight"}
    params["run_label"] = update_run_label()
    params["screen_only_new"] = config.get("update", {}).get("screen_only_new", True)
    return params
