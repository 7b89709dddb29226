# Reproduction: the studies the published review included (config published.known_includes)
# found among this run's records and traced stage by stage, and the published counts set
# beside this run's PRISMA 2020 counts. Runs in every review: without a published block it
# still reports what each search line contributed and the citation tracking table.


rule trace_known_includes:
    input:
        records=REPRODUCTION.records,
        clusters=REPRODUCTION.clusters,
        screening_included=REPRODUCTION.screening_included,
        screening_decisions=decision_files("screening"),
        fulltext_decisions=REPRODUCTION.fulltext_decisions,
        dataset=REPRODUCTION.dataset,
        counts=REPRODUCTION.counts,
        audits=stage_audit_files(),
        known_includes=known_includes_file(),
    output:
        trace=report(
            REPRODUCTION.out_trace,
            caption="../report/reproduction.rst",
            category="Reproduction",
        ),
        summary=REPRODUCTION.out_summary,
        audit=REPRODUCTION.audit,
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
