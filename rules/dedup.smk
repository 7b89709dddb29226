# Deduplication: one row per study, every merge explained, uncertain pairs for a person.


rule check_dedup_decisions:
    input:
        records=DEDUP.records,
        manual=decision_files("dedup"),
    output:
        report=DEDUP.decisions_checked,
    log:
        "results/logs/dedup/check_dedup_decisions.log",
    benchmark:
        "results/benchmarks/dedup/check_dedup_decisions.tsv"
    group:
        "dedup"
    conda:
        "../environment.yml"
    script:
        "../scripts/check_dedup_decisions.py"


rule deduplicate_records:
    input:
        records=DEDUP.records,
        manual=decision_files("dedup"),
        checked=DEDUP.decisions_checked,
        previous_clusters=previous_run_files(DEDUP.clusters),
    output:
        studies=DEDUP.studies,
        clusters=DEDUP.clusters,
        merges=DEDUP.merges,
        uncertain_csv=DEDUP.uncertain_csv,
        uncertain_xlsx=report(
            DEDUP.uncertain_xlsx,
            caption="../report/dedup.rst",
            category="Deduplication",
        ),
        audit=DEDUP.audit,
    log:
        "results/logs/dedup/deduplicate_records.log",
    benchmark:
        "results/benchmarks/dedup/deduplicate_records.tsv"
    group:
        "dedup"
    conda:
        "../environment.yml"
    params:
        settings=lookup(dpath="dedup", within=config),
        previous_runs=previous_runs(),
        run_label=UPDATE.run_label,
    script:
        "../scripts/deduplicate_records.py"
