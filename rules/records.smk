# Every source's records in one table: what deduplication reads.


rule collect_records:
    input:
        tables=record_tables(),
    output:
        records="results/records/all_records.csv",
        audit="results/records/collect_records.audit.json",
    log:
        "results/logs/records/collect_records.log",
    benchmark:
        "results/benchmarks/records/collect_records.tsv"
    conda:
        "../environment.yml"
    script:
        "../scripts/collect_records.py"
