# Deduplication: one row per study, every merge explained, uncertain pairs for a person.


rule check_dedup_decisions:
    input:
        records="results/records/all_records.csv",
        manual=decision_files("dedup"),
    output:
        report="results/dedup/decisions_checked.txt",
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
        records="results/records/all_records.csv",
        manual=decision_files("dedup"),
        checked="results/dedup/decisions_checked.txt",
    output:
        studies="results/dedup/studies.csv",
        clusters="results/dedup/clusters.csv",
        merges="results/dedup/merges.csv",
        uncertain_csv="results/dedup/uncertain_pairs.csv",
        uncertain_xlsx=report(
            "results/dedup/uncertain_pairs.xlsx",
            caption="../report/dedup.rst",
            category="Deduplication",
        ),
        audit="results/dedup/deduplicate_records.audit.json",
    log:
        "results/logs/dedup/deduplicate_records.log",
    benchmark:
        "results/benchmarks/dedup/deduplicate_records.tsv"
    group:
        "dedup"
    conda:
        "../environment.yml"
    params:
        settings=lookup(dpath="dedup", within=config, default={}),
        previous_runs=lookup(dpath="update/previous_runs", within=config, default=[]),
        run_label=update_run_label(),
    script:
        "../scripts/deduplicate_records.py"
