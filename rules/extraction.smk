# Extraction: the form from config goes out as a workbook (plus CSV copies) for the studies
# included at full text; the filled workbook named in config comes back, is checked cell by
# cell, and becomes results/extraction/dataset.json for the synthesis stage. A workbook
# with problems fails import_extraction with every problem listed (also in the log).


rule export_extraction_sheets:
    input:
        included="results/fulltext/included.csv",
        clusters="results/dedup/clusters.csv",
        previous=extraction_previous_workbook(),
    output:
        workbook="results/extraction/extraction_form.xlsx",
        csv=directory("results/extraction/csv"),
        audit="results/extraction/export_extraction_sheets.audit.json",
    log:
        "results/logs/extraction/export_extraction_sheets.log",
    benchmark:
        "results/benchmarks/extraction/export_extraction_sheets.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    params:
        extraction=lookup(dpath="extraction", within=config, default={}),
        title=lookup(dpath="review/title", within=config, default=""),
    script:
        "../scripts/export_extraction_sheets.py"


rule import_extraction:
    input:
        included="results/fulltext/included.csv",
        clusters="results/dedup/clusters.csv",
        filled=extraction_filled_workbook(),
    output:
        dataset="results/extraction/dataset.json",
        report="results/extraction/validation.txt",
        tables=directory("results/extraction/tables"),
        audit="results/extraction/import_extraction.audit.json",
    log:
        "results/logs/extraction/import_extraction.log",
    benchmark:
        "results/benchmarks/extraction/import_extraction.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    params:
        extraction=lookup(dpath="extraction", within=config, default={}),
    script:
        "../scripts/import_extraction.py"
