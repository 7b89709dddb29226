# PRISMA 2020: every box of the flow diagram counted from the stages' audit records (with
# the record and key behind each number), then drawn from those counts alone.


rule count_prisma:
    input:
        audits=stage_audit_files(),
        previous=previous_run_files(FULLTEXT.assess_audit),
    output:
        counts=report(
            PRISMA.counts,
            caption="../report/prisma_counts.rst",
            category="PRISMA 2020",
        ),
        audit=PRISMA.count_audit,
    log:
        "results/logs/prisma/count_prisma.log",
    benchmark:
        "results/benchmarks/prisma/count_prisma.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    params:
        review=lookup(dpath="review", within=config),
        update_settings=lookup(dpath="update", within=config),
        imports=lookup(dpath="imports", within=config),
    script:
        "../scripts/count_prisma.py"


rule draw_prisma:
    input:
        counts=PRISMA.counts,
    output:
        svg=report(
            PRISMA.svg,
            caption="../report/prisma.rst",
            category="PRISMA 2020",
        ),
        pdf=PRISMA.pdf,
        png=PRISMA.png,
    log:
        "results/logs/prisma/draw_prisma.log",
    benchmark:
        "results/benchmarks/prisma/draw_prisma.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    script:
        "../scripts/draw_prisma.py"
