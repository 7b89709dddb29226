# The review report: one self-contained HTML file with the methods as run (from the audit
# records), the PRISMA 2020 diagram, the synthesis and the included studies.


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
        review=lookup(dpath="review", within=config, default={}),
        report=lookup(dpath="report", within=config, default={}),
        pdf=report_pdf_path(),
    script:
        "../scripts/write_report.py"
