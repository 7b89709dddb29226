# Extraction: the form from config goes out as a workbook (plus CSV copies) for the studies
# included at full text; the filled workbook named in config comes back, is checked cell by
# cell, and becomes results/extraction/dataset.json for the synthesis stage. A workbook
# with problems fails import_extraction with every problem listed (also in the log).


rule export_extraction_sheets:
    input:
        included=EXTRACTION.included,
        clusters=EXTRACTION.clusters,
        previous=extraction_previous_workbook(),
    output:
        workbook=EXTRACTION.workbook,
        csv=directory(EXTRACTION.csv),
        audit=EXTRACTION.export_audit,
    log:
        "results/logs/extraction/export_extraction_sheets.log",
    benchmark:
        "results/benchmarks/extraction/export_extraction_sheets.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    params:
        extraction=lookup(dpath="extraction", within=config),
        title=lookup(dpath="review/title", within=config),
    script:
        "../scripts/export_extraction_sheets.py"


rule import_extraction:
    input:
        included=EXTRACTION.included,
        clusters=EXTRACTION.clusters,
        filled=extraction_filled_workbook(),
    output:
        dataset=EXTRACTION.dataset,
        report=EXTRACTION.validation,
        tables=directory(EXTRACTION.tables),
        audit=EXTRACTION.import_audit,
    log:
        "results/logs/extraction/import_extraction.log",
    benchmark:
        "results/benchmarks/extraction/import_extraction.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    params:
        extraction=lookup(dpath="extraction", within=config),
    script:
        "../scripts/import_extraction.py"
