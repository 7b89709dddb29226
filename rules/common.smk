# Helpers only: config validation at start-up and small input functions. No rules here.
#
# File names come from reviewflow.paths (one object per stage, shared with the reviewflow
# subcommands); validation fills in the schema's defaults, so every key read below is there.

from pathlib import Path

from snakemake.exceptions import WorkflowError

from snakemake.utils import update_config

from reviewflow.config import coerce_booleans, validate_config
from reviewflow.errors import ConfigError
from reviewflow.paths import (
    CITATIONS,
    COLLECT,
    DEDUP,
    EXTRACTION,
    FULLTEXT,
    IMPORT,
    PRISMA,
    REPORT,
    REPRODUCTION,
    SCREENING,
    SEARCH,
    SYNTHESIS,
    previous_run_file,
)
from reviewflow.paths import stage_audit_files as stage_audit_files_of
from reviewflow.importers.settings import ImportLine
from reviewflow.settings import UpdateSettings, one_or_many
from reviewflow.sources.archive_run import replay_source
from reviewflow.update import UPDATE_FILE, read_update_file


def apply_update_file():
    """An update run is described by update.yaml beside the config (`reviewflow update`)."""
    if Path(UPDATE_FILE).is_file():
        update_config(config, read_update_file(UPDATE_FILE))


apply_update_file()


def validate_review_config():
    """Stop before any job runs if the config breaks the schema, naming every bad key, and
    fill in every default the schema gives (the one place defaults are written).
    Booleans given on the command line (--config replay=true) arrive as text: read them.
    """
    schema = Path(workflow.basedir) / "config" / "config.schema.yaml"
    coerce_booleans(config, schema)
    try:
        validate_config(config, schema, source="The review config")
    except ConfigError as error:
        raise WorkflowError(str(error)) from None


validate_review_config()

UPDATE = UpdateSettings.from_config(config["update"])
IMPORT_LINES = [ImportLine.from_config(entry) for entry in config["imports"]]


def import_ids():
    """Imports to read: every imports[] entry whose export is in place (not awaiting one)."""
    return [line.id for line in IMPORT_LINES if not line.awaiting_export]


def search_ids():
    return [entry["id"] for entry in config["searches"]]


def import_entry(wildcards):
    return next(e for e in config["imports"] if e["id"] == wildcards.import_id)


def search_entry(wildcards):
    """The searches[] entry of this job."""
    return next(e for e in config["searches"] if e["id"] == wildcards.search_id)


def import_file(wildcards):
    return import_entry(wildcards)["path"]


def is_enabled(stage):
    """Whether a stage runs: its block's `enabled`; citation tracking only when configured."""
    return stage in config and config[stage]["enabled"]


def optional_block(name):
    """A config block the schema creates no default for (published), or None."""
    return config[name] if name in config else None


def previous_runs():
    return list(UPDATE.previous_runs)


def previous_run_files(current, *, existing=True):
    """An earlier run's copies of a results file (an update), declared as inputs."""
    files = [previous_run_file(run, current) for run in previous_runs()]
    return [f for f in files if Path(f).is_file()] if existing else files


def is_replay():
    return config["replay"]


def decision_files(stage):
    """Decision files named in config for a stage (screening reviewers may be several)."""
    block = config[stage]
    return list(one_or_many(block["decisions"])) if "decisions" in block else []


def record_tables():
    """Every per-source record table that feeds deduplication."""
    tables = expand(IMPORT.records, import_id=import_ids())
    tables += expand(SEARCH.records, search_id=search_ids())
    if is_enabled("citations"):
        tables.append(CITATIONS.records)
    return tables


def final_targets():
    """What `snakemake` builds by default: the report and every stage output it rests on."""
    return [
        REPORT.html,
        PRISMA.svg,
        SCREENING.next_batch_xlsx,
        DEDUP.uncertain_xlsx,
        EXTRACTION.workbook,
    ]


def stage_audit_files():
    """Every stage audit record the PRISMA counts and the report read, for this config."""
    return stage_audit_files_of(
        import_ids(), search_ids(), citations=is_enabled("citations")
    )


def known_includes_file():
    """The published review's included studies (published.known_includes), if named."""
    published = optional_block("published")
    return published["known_includes"] or [] if published else []


def reproduction_settings():
    """The config trace_known_includes reads (the published block, the dedup thresholds
    its matcher uses, the screening adjudicator)."""
    return {
        "published": optional_block("published"),
        "dedup": config["dedup"],
        "screening": {"adjudicator": config["screening"]["adjudicator"]},
    }


def report_settings():
    """The config the report prints beside the audit records (reviewflow.report.ReportConfig):
    the review, the report block, the imports (those awaiting an export are listed as such),
    the logic model settings its caption describes and the screening decision files."""
    return {
        "review": config["review"],
        "report": config["report"],
        "imports": config["imports"],
        "logic_model": config["synthesis"]["logic_model"],
        "screening_decisions": decision_files("screening"),
    }


def citation_seed_table():
    """The seeds table of citation tracking, when the stage runs."""
    return CITATIONS.seeds if is_enabled("citations") else []


def report_pdf_path():
    """Where the optional PDF copy of the report goes ("" when config report.pdf is off)."""
    return REPORT.pdf if config["report"]["pdf"] else ""


def extraction_filled_workbook():
    """The filled extraction workbook (or CSV folder) named in config, if any yet."""
    filled = config["extraction"]["filled"]
    return [filled] if filled else []


def extraction_previous_workbook():
    """The filled workbook whose rows a re-export carries over (when it exists)."""
    return [p for p in extraction_filled_workbook() if Path(p).exists()]


# Remote requests (searches, citation tracking, full-text lookups) run as one archive run
# (reviewflow.sources.archive_run): live into archive.partial/, or replayed.


def replays_in_place():
    """Replay without sources.archive_dir reads each job's own archive/, which therefore is
    not declared as an output: Snakemake deletes outputs before it reruns a job."""
    return config["replay"] and not config["sources"]["archive_dir"]


def replayed_archive(name, *, optional=False):
    """The archive a replay of `name` reads, declared as an input; nothing in a live run or
    a replay in place. `optional`: a missing folder means the recorded run asked nothing.
    """
    found = (
        replay_source(config["sources"]["archive_dir"], name)
        if config["replay"]
        else ""
    )
    if not found or (optional and not Path(found).is_dir()):
        return []
    return found


def with_archive(outputs, archive):
    """A remote stage's outputs, with its archive/ folder unless it is replayed in place."""
    if not replays_in_place():
        outputs["archive"] = directory(archive)
    return outputs


def job_archive(path):
    """The job's archive/ folder as a param: a function of the wildcards, because in a
    replay in place that folder is read but is no declared input or output."""
    return lambda wildcards: path.format(**wildcards)


def search_replay_archive(wildcards):
    return replayed_archive(wildcards.search_id)


def search_outputs():
    return with_archive(
        {"records": SEARCH.records, "audit": SEARCH.audit}, SEARCH.archive
    )


def citation_tables():
    """Record tables of searches and imports, where included record ids are looked up."""
    if not config["citations"]["from_included"]:
        return []
    tables = expand(IMPORT.records, import_id=import_ids())
    return tables + expand(SEARCH.records, search_id=search_ids())


def citation_decisions():
    """Screening decision files, read only when chasing from included studies."""
    return decision_files("screening") if config["citations"]["from_included"] else []


def citation_outputs():
    outputs = {
        "records": CITATIONS.records,
        "seeds": CITATIONS.seeds,
        "audit": CITATIONS.audit,
    }
    return with_archive(outputs, CITATIONS.archive)


def locate_fulltexts_outputs():
    outputs = {"availability": FULLTEXT.availability, "audit": FULLTEXT.locate_audit}
    return with_archive(outputs, FULLTEXT.archive)


def screening_settings():
    """The screening block of config (reviewflow.screening.settings.ScreeningSettings)
    without the screening app's highlight terms: they only mark words on screen, so
    changing them reruns nothing."""
    return {k: v for k, v in config["screening"].items() if k != "highlight"}
