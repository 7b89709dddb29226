# Database export files (no API: Ovid, EBSCOhost, Scopus, Web of Science, Embase, ...) read
# into record tables, one job per entry of `imports` in the config.


rule import_records:
    input:
        export=import_file,
    output:
        records=IMPORT.records,
        audit=IMPORT.audit,
    log:
        "results/logs/imports/import_records.{import_id}.log",
    benchmark:
        "results/benchmarks/imports/import_records.{import_id}.tsv"
    conda:
        "../environment.yml"
    params:
        entry=import_entry,
    script:
        "../scripts/import_records.py"
