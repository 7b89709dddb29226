# Full text: where each study included at title/abstract has its report (open-access copies,
# PDFs dropped into the review folder), then the reviewers' full-text decisions, with the
# PRISMA 2020 "reports sought / not retrieved / assessed / excluded" counts in the audit.
#
# Lookups go through the archived HTTP layer like searches: in replay mode they are served
# from <sources.archive_dir>/fulltext/ and nothing leaves the machine.


rule locate_fulltexts:
    input:
        included=FULLTEXT.screened,
        clusters=FULLTEXT.clusters,
        archive=replayed_archive("fulltext", optional=True),
    output:
        **locate_fulltexts_outputs(),
    log:
        "results/logs/fulltext/locate_fulltexts.log",
    benchmark:
        "results/benchmarks/fulltext/locate_fulltexts.tsv"
    retries: 2
    localrule: True
    conda:
        "../environment.yml"
    params:
        fulltext=lookup(dpath="fulltext", within=config),
        sources=lookup(dpath="sources", within=config),
        replay=is_replay(),
        archive=job_archive(FULLTEXT.archive),
        pdfs=FULLTEXT.pdfs,
    script:
        "../scripts/locate_fulltexts.py"


rule check_fulltext_decisions:
    input:
        clusters=FULLTEXT.clusters,
        decisions=decision_files("fulltext"),
    output:
        report=FULLTEXT.decisions_checked,
    log:
        "results/logs/fulltext/check_fulltext_decisions.log",
    benchmark:
        "results/benchmarks/fulltext/check_fulltext_decisions.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    params:
        fulltext=lookup(dpath="fulltext", within=config),
    script:
        "../scripts/check_fulltext_decisions.py"


rule assess_fulltexts:
    input:
        included=FULLTEXT.screened,
        clusters=FULLTEXT.clusters,
        availability=FULLTEXT.availability,
        decisions=decision_files("fulltext"),
        checked=FULLTEXT.decisions_checked,
    output:
        decisions_applied=FULLTEXT.decisions_applied,
        included=FULLTEXT.included,
        audit=FULLTEXT.assess_audit,
    log:
        "results/logs/fulltext/assess_fulltexts.log",
    benchmark:
        "results/benchmarks/fulltext/assess_fulltexts.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    params:
        fulltext=lookup(dpath="fulltext", within=config),
        run_label=UPDATE.run_label,
    script:
        "../scripts/assess_fulltexts.py"
