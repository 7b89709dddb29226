# The review report: one self-contained HTML file with the methods as run (from the audit
# records), the PRISMA 2020 diagram, the published counts beside this run's, the known
# includes traced, the synthesis and the included studies.


rule write_report:
    input:
        audits=stage_audit_files(),
        counts="results/prisma/counts.json",
        prisma="results/prisma/prisma.svg",
        synthesis="results/synthesis/synthesis.json",
        logic_model="results/synthesis/logic_model.png",
        included="results/fulltext/included.csv",
        progress="results/screening/progress.csv",
        thresholds="results/screening/thresholds.csv",
        dataset="results/extraction/dataset.json",
        extraction_audit="results/extraction/import_extraction.audit.json",
        records="results/records/all_records.csv",
        reproduction="results/reproduction/summary.json",
        known_includes="results/reproduction/known_includes.csv",
        seeds=citation_seed_table(),
    output:
        html=report(
            "results/report/report.html",
            caption="../report/review_report.rst",
            category="Report",
        ),
        audit="results/report/write_report.audit.json",
    log:
        "results/logs/report/write_report.log",
    benchmark:
        "results/benchmarks/report/write_report.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    params:
        settings=report_settings(),
        pdf=report_pdf_path(),
    script:
        "../scripts/write_report.py"
