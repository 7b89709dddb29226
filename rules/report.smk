# The review report: one self-contained HTML file with the methods as run (from the audit
# records), the PRISMA 2020 diagram, the published counts beside this run's, the known
# includes traced, the synthesis and the included studies.


rule write_report:
    input:
        audits=stage_audit_files(),
        counts=REPORT.counts,
        prisma=REPORT.prisma,
        synthesis=REPORT.synthesis,
        logic_model=REPORT.logic_model,
        included=REPORT.included,
        progress=REPORT.progress,
        thresholds=REPORT.thresholds,
        dataset=REPORT.dataset,
        extraction_audit=REPORT.extraction_audit,
        records=REPORT.records,
        reproduction=REPORT.reproduction,
        known_includes=REPORT.known_includes,
        seeds=citation_seed_table(),
    output:
        html=report(
            REPORT.html,
            caption="../report/review_report.rst",
            category="Report",
        ),
        audit=REPORT.audit,
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
