# Every source's records in one table: what deduplication reads.


rule collect_records:
    input:
        tables=record_tables(),
        previous=previous_run_files(COLLECT.records, existing=False),
    output:
        records=COLLECT.records,
        audit=COLLECT.audit,
    log:
        "results/logs/records/collect_records.log",
    benchmark:
        "results/benchmarks/records/collect_records.tsv"
    group:
        "dedup"
    conda:
        "../environment.yml"
    params:
        run_label=UPDATE.run_label,
    script:
        "../scripts/collect_records.py"
