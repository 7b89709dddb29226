# Title/abstract screening: retrain on the decision files, write the next batch to screen.
#
# The decision files named in config (screening.decisions) are human inputs under version
# control: a reviewer screens results/screening/next_batch.xlsx, copies the decisions into
# a decision file, and reruns. The stage never writes the decision files.


rule check_screening_decisions:
    input:
        clusters=SCREENING.clusters,
        decisions=decision_files("screening"),
    output:
        report=SCREENING.decisions_checked,
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
        studies=SCREENING.studies,
        clusters=SCREENING.clusters,
        decisions=decision_files("screening"),
        checked=SCREENING.decisions_checked,
    output:
        ranking=SCREENING.ranking,
        next_batch_csv=SCREENING.next_batch_csv,
        next_batch_xlsx=SCREENING.next_batch_xlsx,
        progress=report(
            SCREENING.progress,
            caption="../report/screening_progress.rst",
            category="Screening",
        ),
        thresholds=SCREENING.thresholds,
        conflicts=SCREENING.conflicts,
        included=SCREENING.included,
        audit=SCREENING.audit,
    log:
        "results/logs/screening/screen_records.log",
    benchmark:
        "results/benchmarks/screening/screen_records.tsv"
    group:
        "screening"
    conda:
        "../environment.yml"
    params:
        settings=screening_settings(),
        run_label=UPDATE.run_label,
        screen_only_new=UPDATE.screen_only_new,
    script:
        "../scripts/screen_records.py"
