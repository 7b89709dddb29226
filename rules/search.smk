# Database searches through the APIs (one job per searches[].id), archived and replayable.
#
# A live search writes results/search/<id>/archive.partial/ first; that folder is not an
# output, so Snakemake leaves it after a failure and the retry (or next run) resumes from
# the pages already archived. In replay mode the archive under sources.archive_dir is an
# input and no request leaves the machine (reviewflow.sources.archive_run).


rule search_database:
    input:
        archive=search_replay_archive,
    output:
        **search_outputs(),
    log:
        "results/logs/search/search_database.{search_id}.log",
    benchmark:
        "results/benchmarks/search/search_database.{search_id}.tsv"
    retries: 2
    localrule: True
    conda:
        "../environment.yml"
    params:
        search=search_entry,
        sources=lookup(dpath="sources", within=config),
        replay=is_replay(),
        archive=job_archive(SEARCH.archive),
    script:
        "../scripts/search_database.py"
