# Title/abstract screening: retrain on the decision files, write the next batch to screen.
#
# The decision files named in config (screening.decisions) are human inputs under version
# control: a reviewer screens results/screening/next_batch.xlsx, copies the decisions into
# a decision file, and reruns. The stage never writes the decision files.


rule check_screening_decisions:
    input:
        clusters="results/dedup/clusters.csv",
        decisions=decision_files("screening"),
    output:
        report="results/screening/decisions_checked.txt",
    log:
        "results/logs/screening/check_screening_decisions.log",
    benchmark:
        "results/benchmarks/screening/check_screening_decisions.tsv"
    group:
        "screening"
    conda:
        "../environment.yml"
    script:
        "../scripts/check_screening_decisions.py"


rule screen_records:
    input:
        studies="results/dedup/studies.csv",
        clusters="results/dedup/clusters.csv",
        decisions=decision_files("screening"),
        checked="results/screening/decisions_checked.txt",
    output:
        ranking="results/screening/ranking.csv",
        next_batch_csv="results/screening/next_batch.csv",
        next_batch_xlsx="results/screening/next_batch.xlsx",
        progress=report(
            "results/screening/progress.csv",
            caption="../report/screening_progress.rst",
            category="Screening",
        ),
        thresholds="results/screening/thresholds.csv",
        conflicts="results/screening/conflicts.csv",
        included="results/screening/included.csv",
        audit="results/screening/screen_records.audit.json",
    log:
        "results/logs/screening/screen_records.log",
    benchmark:
        "results/benchmarks/screening/screen_records.tsv"
    group:
        "screening"
    conda:
        "../environment.yml"
    params:
        settings=screening_params(),
    script:
        "../scripts/screen_records.py"
