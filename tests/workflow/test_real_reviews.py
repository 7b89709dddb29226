"""The two real review folders validate, document their provenance and plan a full run."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from reviewflow.config import REPO_ROOT, load_config, validate_config

REVIEWS = REPO_ROOT / "config" / "reviews"
REVIEW_IDS = ["CRD42016039552", "mltc-minoritised-mechanisms"]

#: Header rows of the decision files every review folder carries (config/README.md).
DECISION_HEADERS = {
    "screening.csv": ["record_id", "decision", "reviewer", "date", "note"],
    "fulltext.csv": ["record_id", "decision", "reason", "reviewer", "date", "note"],
    "dedup.csv": ["record_id_a", "record_id_b", "decision", "reviewer", "date", "note"],
}

DRY_RUN_TIMEOUT_S = 180


def _config(review_id: str) -> dict[str, Any]:
    return load_config(REVIEWS / review_id / "config.yaml")


@pytest.mark.parametrize("review_id", REVIEW_IDS)
def test_config_validates_against_the_schema(review_id: str) -> None:
    config = _config(review_id)
    assert config["review"]["title"]
    folder = REVIEWS / review_id
    for entry in config.get("imports", []):
        # a database without an API is declared awaiting its export until the file is there
        assert entry.get("awaiting_export") or (folder / entry["path"]).is_file(), entry["id"]
    sources = {search["source"] for search in config["searches"]}
    assert sources == {"pubmed", "europepmc", "openalex", "crossref", "semanticscholar"}


@pytest.mark.parametrize("review_id", REVIEW_IDS)
def test_queries_are_well_formed(review_id: str) -> None:
    """Balanced brackets and quotes; Boolean operators only where the database has them."""
    for search in _config(review_id)["searches"]:
        query = search["query"]
        where = f"{review_id}/{search['id']}"
        assert query.count("(") == query.count(")"), where
        assert query.count("[") == query.count("]"), where
        assert query.count('"') % 2 == 0, where
        assert "\n" not in query, f"{where}: a folded line kept its newline"
        if search["source"] == "crossref":
            assert not re.search(r"\b(AND|OR|NOT)\b|[()\"]", query), where
        if search["source"] == "semanticscholar":
            assert not re.search(r"\b(AND|OR)\b", query), f"{where}: use + and |"


@pytest.mark.parametrize("review_id", REVIEW_IDS)
def test_decision_files_exist_with_header_rows_only(review_id: str) -> None:
    folder = REVIEWS / review_id / "decisions"
    for name, header in DECISION_HEADERS.items():
        with open(folder / name, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert rows == [header], f"{folder / name}: no invented decisions, header only"


@pytest.mark.parametrize("review_id", REVIEW_IDS)
def test_every_path_in_the_config_exists_in_the_folder(review_id: str) -> None:
    """Paths in a review config are relative to its folder; a missing one stops the run."""
    folder = REVIEWS / review_id

    def paths(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [p for value in node.values() for p in paths(value)]
        if isinstance(node, list):
            return [p for value in node for p in paths(value)]
        if isinstance(node, str) and re.fullmatch(r"[\w./-]+\.(csv|tsv|ris|nbib|xlsx|yaml)", node):
            return [node]
        return []

    config = _config(review_id)
    awaited = {e["path"] for e in config.get("imports", []) if e.get("awaiting_export")}
    found = [p for p in paths(config) if p not in awaited]
    assert found, "the config names its decision files"
    missing = [p for p in found if not (folder / p).is_file()]
    assert missing == []


@pytest.mark.parametrize("review_id", REVIEW_IDS)
def test_readme_cites_every_seed(review_id: str) -> None:
    """Each citation seed is a real study whose provenance the README states."""
    readme = (REVIEWS / review_id / "README.md").read_text(encoding="utf-8").lower()
    seeds = _config(review_id)["citations"]["seeds"] + _update_seeds(review_id)
    assert seeds
    for seed in seeds:
        seed_id = seed["id"] if isinstance(seed, dict) else seed
        bare = re.sub(r"^(doi|pmid):", "", str(seed_id).lower())
        assert bare in readme, f"{seed} is not explained in the README"


def _update_seeds(review_id: str) -> list[Any]:
    path = REVIEWS / review_id / "update_seeds.yaml"
    with open(path, encoding="utf-8") as handle:
        return list(yaml.safe_load(handle)["citations"]["seeds"])


def _seed_ids(seeds: list[Any]) -> set[str]:
    return {str(s["id"] if isinstance(s, dict) else s).lower() for s in seeds}


@pytest.mark.parametrize("review_id", REVIEW_IDS)
def test_reproduction_seeds_are_kept_apart_from_update_seeds(review_id: str) -> None:
    """A reproduction chases only evidence the review could have used: never the review's
    own published reports, which cite its included studies; those are update seeds."""
    config = _config(review_id)
    reproduction = _seed_ids(config["citations"]["seeds"])
    update = _seed_ids(_update_seeds(review_id))
    citation = config["published"]["citation"].lower()
    assert reproduction and update and not reproduction & update
    assert not [s for s in reproduction if s in citation], "a reproduction seed is the review"
    assert [s for s in update if s in citation], "the review's own report is an update seed"
    merged = {**config, "citations": {**config["citations"], **_update_config(review_id)}}
    validate_config(merged)


def _update_config(review_id: str) -> dict[str, Any]:
    with open(REVIEWS / review_id / "update_seeds.yaml", encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle)["citations"])


def test_the_mcp_review_is_reported_as_its_final_report_and_ends_in_june_2017() -> None:
    config = _config("CRD42016039552")
    review = config["review"]
    assert review["title"].startswith("The international knowledge base for new care models")
    assert review["authors"][-2:] == ["Mahmoda Begum", "Anam Malik"]
    assert "Fraser Battye" not in review["authors"]
    assert {s["date_to"] for s in config["searches"]} == {"2017-06-30"}
    awaited = {e["database"].split(" (")[0] for e in config["imports"] if e["awaiting_export"]}
    assert awaited == {"CINAHL", "Embase", "HMIC", "Cochrane Library"}
    assert config["citations"]["directions"] == ["backward"]
    assert "hsdr06250" in config["published"]["citation"]


def test_the_mltc_review_carries_its_published_counts() -> None:
    config = _config("mltc-minoritised-mechanisms")
    assert config["review"]["protocol"] == ""
    published = config["published"]
    assert published["identified"]["n"] == 6566 and published["included"]["n"] == 15
    assert "identified" in published["identified"]["note"]
    assert "screened" not in published


def _job_counts(dry_run_output: str) -> dict[str, int]:
    """Rule -> job count from the 'Job stats' table that `snakemake -n` prints."""
    counts: dict[str, int] = {}
    table = dry_run_output.split("Job stats:", 1)[1]
    for line in table.splitlines():
        match = re.fullmatch(r"\s*([a-z_]+)\s+(\d+)\s*", line)
        if match and match.group(1) != "total":
            counts[match.group(1)] = int(match.group(2))
        elif line.strip().startswith("total"):
            break
    return counts


def _dry_run(review_id: str, cwd: Path, *extra: str) -> str:
    """`snakemake -n` on a review folder, from an unrelated directory; its output."""
    folder = REVIEWS / review_id
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "-n",
        "--snakefile",
        str(REPO_ROOT / "Snakefile"),
        "--directory",
        str(folder),
        "--configfile",
        str(folder / "config.yaml"),
        *extra,
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=DRY_RUN_TIMEOUT_S, cwd=cwd, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    return output


@pytest.mark.timeout(2 * DRY_RUN_TIMEOUT_S)
@pytest.mark.parametrize("review_id", REVIEW_IDS)
def test_dry_run_plans_one_search_job_per_search_line(review_id: str, tmp_path: Path) -> None:
    output = _dry_run(review_id, tmp_path)
    assert "profiles/default" in output, "the local workflow profile is picked up"
    counts = _job_counts(output)
    assert counts.get("search_database") == len(_config(review_id)["searches"]), counts
    assert "chase_citations" in counts
    assert "trace_known_includes" in counts
    assert "import_records" not in counts  # every import awaits its export


@pytest.mark.timeout(2 * DRY_RUN_TIMEOUT_S)
def test_slurm_profile_plans_the_same_jobs(tmp_path: Path) -> None:
    """The cluster profile's keys are valid Snakemake options and change where, not what."""
    review_id = REVIEW_IDS[0]
    output = _dry_run(review_id, tmp_path, "--workflow-profile", "slurm")
    assert "profiles/slurm" in output
    assert _job_counts(output) == _job_counts(_dry_run(review_id, tmp_path))
