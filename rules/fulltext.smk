# Full text: where each study included at title/abstract has its report (open-access copies,
# PDFs dropped into the review folder), then the reviewers' full-text decisions, with the
# PRISMA 2020 "reports sought / not retrieved / assessed / excluded" counts in the audit.
#
# Lookups go through the archived HTTP layer like searches: in replay mode they are served
# from <sources.archive_dir>/fulltext/ and nothing leaves the machine.


rule locate_fulltexts:
    input:
        included="results/screening/included.csv",
        clusters="results/dedup/clusters.csv",
        archive=fulltext_replay_archive(),
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
        pdf_dir=lookup(dpath="fulltext/pdf_dir", within=config, default="fulltexts"),
        download=lookup(dpath="fulltext/download", within=config, default=False),
        email_env=lookup(
            dpath="fulltext/unpaywall_email_env",
            within=config,
            default="UNPAYWALL_EMAIL",
        ),
        sources=lookup(dpath="fulltext", within=config, default={}),
        replay=is_replay(),
        archive=lambda wildcards, output: str(
            Path(output.availability).with_name("archive")
        ),
    script:
        "../scripts/locate_fulltexts.py"


rule check_fulltext_decisions:
    input:
        clusters="results/dedup/clusters.csv",
        decisions=fulltext_decision_files(),
    output:
        report="results/fulltext/decisions_checked.txt",
    log:
        "results/logs/fulltext/check_fulltext_decisions.log",
    benchmark:
        "results/benchmarks/fulltext/check_fulltext_decisions.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    params:
        exclusion_reasons=lookup(
            dpath="fulltext/exclusion_reasons", within=config, default=[]
        ),
    script:
        "../scripts/check_fulltext_decisions.py"


rule assess_fulltexts:
    input:
        included="results/screening/included.csv",
        clusters="results/dedup/clusters.csv",
        availability="results/fulltext/availability.csv",
        decisions=fulltext_decision_files(),
        checked="results/fulltext/decisions_checked.txt",
    output:
        decisions_applied="results/fulltext/decisions_applied.csv",
        included="results/fulltext/included.csv",
        audit="results/fulltext/assess_fulltexts.audit.json",
    log:
        "results/logs/fulltext/assess_fulltexts.log",
    benchmark:
        "results/benchmarks/fulltext/assess_fulltexts.tsv"
    group:
        "post_screening"
    conda:
        "../environment.yml"
    params:
        exclusion_reasons=lookup(
            dpath="fulltext/exclusion_reasons", within=config, default=[]
        ),
        run_label=update_run_label(),
    script:
        "../scripts/assess_fulltexts.py"
