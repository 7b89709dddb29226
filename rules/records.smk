# Every source's records in one table: what deduplication reads.


rule collect_records:
    input:
        tables=record_tables(),
        previous=previous_record_tables(),
    output:
        records="results/records/all_records.csv",
        audit="results/records/collect_records.audit.json",
    log:
        "results/logs/records/collect_records.log",
    benchmark:
        "results/benchmarks/records/collect_records.tsv"
    group:
        "dedup"
    conda:
        "../environment.yml"
    params:
        previous_runs=previous_runs(),
        run_label=lookup(dpath="update/run_date", within=config, default=""),
    script:
        "../scripts/collect_records.py"
