# Forward and backward citation tracking from the seeds in config and the included studies.
#
# Reads the screening decision files (human inputs) and the search/import record tables,
# never the dedup or screening results, so the workflow graph stays acyclic.


if is_enabled("citations"):

    rule chase_citations:
        input:
            decisions=citation_decisions(),
            tables=citation_tables(),
            previous_seeds=previous_run_files(CITATIONS.seeds),
            archive=replayed_archive("citations"),
        output:
            **citation_outputs(),
        log:
            "results/logs/citations/chase_citations.log",
        benchmark:
            "results/benchmarks/citations/chase_citations.tsv"
        retries: 2
        localrule: True
        conda:
            "../environment.yml"
        params:
            citations=lookup(dpath="citations", within=config),
            sources=lookup(dpath="sources", within=config),
            replay=is_replay(),
            archive=job_archive(CITATIONS.archive),
        script:
            "../scripts/chase_citations.py"
