# Reproduction: the studies the published review included (config published.known_includes)
# found among this run's records and traced stage by stage, and the published counts set
# beside this run's PRISMA 2020 counts. Runs in every review: without a published block it
# still reports what each search line contributed and the citation tracking table.


rule trace_known_includes:
    input:
        records="results/records/all_records.csv",
        clusters="results/dedup/clusters.csv",
        screening_included="results/screening/included.csv",
        screening_decisions=decision_files("screening"),
        fulltext_decisions="results/fulltext/decisions_applied.csv",
        dataset="results/extraction/dataset.json",
        counts="results/prisma/counts.json",
        audits=stage_audit_files(),
        known_includes=known_includes_file(),
    output:
        trace=report(
            "results/reproduction/known_includes.csv",
            caption="../report/reproduction.rst",
            category="Reproduction",
        ),
        summary="results/reproduction/summary.json",
        audit="results/reproduction/trace_known_includes.audit.json",
    log:
        "results/logs/reproduction/trace_known_includes.log",
    benchmark:
        "results/benchmarks/reproduction/trace_known_includes.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    params:
        settings=reproduction_settings(),
    script:
        "../scripts/trace_known_includes.py"
