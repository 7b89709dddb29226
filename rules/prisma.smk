# PRISMA 2020: every box of the flow diagram counted from the stages' audit records (with
# the record and key behind each number), then drawn from those counts alone.


rule count_prisma:
    input:
        audits=stage_audit_files(),
        previous=previous_fulltext_audits(),
    output:
        counts=report(
            "results/prisma/counts.json",
            caption="../report/prisma_counts.rst",
            category="PRISMA 2020",
        ),
        audit="results/prisma/count_prisma.audit.json",
    log:
        "results/logs/prisma/count_prisma.log",
    benchmark:
        "results/benchmarks/prisma/count_prisma.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    params:
        review=lookup(dpath="review", within=config, default={}),
        update_settings=lookup(dpath="update", within=config, default={}),
        imports=lookup(dpath="imports", within=config, default=[]),
    script:
        "../scripts/count_prisma.py"


rule draw_prisma:
    input:
        counts="results/prisma/counts.json",
    output:
        svg=report(
            "results/prisma/prisma.svg",
            caption="../report/prisma.rst",
            category="PRISMA 2020",
        ),
        pdf="results/prisma/prisma.pdf",
        png="results/prisma/prisma.png",
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
