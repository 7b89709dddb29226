# Database searches through the APIs (one job per searches[].id), archived and replayable.
#
# A live search writes results/search/<id>/archive.partial/ first; that folder is not an
# output, so Snakemake leaves it after a failure and the retry (or next run) resumes from
# the pages already archived. In replay mode the archive under sources.archive_dir is an
# input and no request leaves the machine.


def search_replay_archive(wildcards):
    """The archive a replayed search reads (tracked as an input); nothing for live runs."""
    root = config.get("sources", {}).get("archive_dir", "")
    if is_replay() and root:
        return f"{root}/{wildcards.search_id}"
    return []


def replays_in_place():
    """Replay without sources.archive_dir reads the run's own archive, which therefore is
    not declared as an output: Snakemake deletes outputs before it reruns a job."""
    return is_replay() and not config.get("sources", {}).get("archive_dir", "")


def search_outputs():
    outputs = {
        "records": "results/search/{search_id}/records.csv",
        "audit": "results/search/{search_id}/search_database.audit.json",
    }
    if not replays_in_place():
        outputs["archive"] = directory("results/search/{search_id}/archive")
    return outputs


def search_settings(wildcards):
    """The searches[] entry of this job."""
    return search_entry(wildcards)


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
        search=search_settings,
        sources=lookup(dpath="sources", within=config, default={}),
        replay=is_replay(),
        archive="results/search/{search_id}/archive",
    script:
        "../scripts/search_database.py"
