# reviewflow: a systematic review from search to report, rerun with one command.
#
# The working directory is the review folder (the repository root for the demo review;
# `reviewflow run --review config/reviews/<id>` for a real one). Outputs:
#
#   results/import/<import id>/     records parsed from database export files
#   results/search/<search id>/     records and archived raw responses of each API search
#   results/citations/              forward and backward citation tracking
#   results/records/                every record from every source, one table
#   results/dedup/                  one row per study, clusters, merges, uncertain pairs
#   results/screening/              ranking, next batch to screen, stopping estimate
#   results/fulltext/               full-text availability and decisions
#   results/extraction/             extraction workbook out, validated dataset back in
#   results/synthesis/              synthesis tables and the logic model
#   results/prisma/                 PRISMA 2020 counts and flow diagram
#   results/reproduction/           the published review's studies traced, its counts compared
#   results/report/                 the review report
#   results/logs/, results/benchmarks/   one log and one timing file per job
#
# Every stage writes <rule>.audit.json beside its outputs; `reviewflow audit` reads them.

from snakemake.utils import min_version

min_version("9.18")


configfile: "config/config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/imports.smk"
include: "rules/search.smk"
include: "rules/citations.smk"
include: "rules/records.smk"
include: "rules/dedup.smk"
include: "rules/screening.smk"
include: "rules/fulltext.smk"
include: "rules/extraction.smk"
include: "rules/synthesis.smk"
include: "rules/prisma.smk"
include: "rules/reproduction.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        final_targets(),
