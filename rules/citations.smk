# Forward and backward citation tracking from the seeds in config and the included studies.
#
# Reads the screening decision files (human inputs) and the search/import record tables,
# never the dedup or screening results, so the workflow graph stays acyclic.


if is_enabled("citations"):

    def citation_tables():
        """Record tables of searches and imports, where included record ids are looked up."""
        if not config.get("citations", {}).get("from_included", True):
            return []
        tables = expand(
            "results/import/{import_id}/records.csv", import_id=import_ids()
        )
        tables += expand(
            "results/search/{search_id}/records.csv", search_id=search_ids()
        )
        return tables

    def citation_decisions():
        """Screening decision files, read only when chasing from included studies."""
        if not config.get("citations", {}).get("from_included", True):
            return []
        return decision_files("screening")

    def citation_params():
        """The citations block, the sources block and where a replayed archive lives."""
        params = dict(config.get("citations", {}))
        params["source_settings"] = config.get("sources", {})
        archive_root = config.get("sources", {}).get("archive_dir", "")
        params["replay_dir"] = f"{archive_root}/citations" if archive_root else ""
        params["previous_runs"] = previous_runs()
        return params

    def citation_outputs():
        """As for searches: a replay in place reads the archive, so it is no output then."""
        outputs = {
            "records": "results/citations/records.csv",
            "seeds": "results/citations/seeds.csv",
            "audit": "results/citations/chase_citations.audit.json",
        }
        if not (is_replay() and not config.get("sources", {}).get("archive_dir", "")):
            outputs["archive"] = directory("results/citations/archive")
        return outputs

    rule chase_citations:
        input:
            decisions=citation_decisions(),
            tables=citation_tables(),
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
            seeds=lookup(dpath="citations/seeds", within=config, default=[]),
            settings=citation_params(),
            replay=is_replay(),
            archive="results/citations/archive",
        script:
            "../scripts/chase_citations.py"
