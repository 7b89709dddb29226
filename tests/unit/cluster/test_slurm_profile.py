"""profiles/slurm, rendered by Snakemake's own profile parser, on each kind of cluster."""

from __future__ import annotations

import re

from snakemake.profiles import ProfileConfigFileParser

from reviewflow.config import REPO_ROOT
from reviewflow.slurm_site import ACCOUNT_ENV, PARTITION_ENV

PROFILE = REPO_ROOT / "profiles" / "slurm" / "config.yaml"


def _rendered() -> dict[str, object]:
    with PROFILE.open(encoding="utf-8") as stream:
        return dict(ProfileConfigFileParser().parse(stream))


def test_without_accounting_it_polls_squeue_and_names_no_account(cluster_without_accounting):
    profile = _rendered()
    assert profile["executor"] == "slurm"
    assert profile["slurm-status-command"] == "squeue"
    assert profile["slurm-init-seconds-before-status-checks"] == "5"
    assert profile["default-resources"] == ["runtime=30", "mem_mb=2000", "cpus_per_task=1"]


def test_with_accounting_it_polls_sacct(cluster_with_accounting):
    assert _rendered()["slurm-status-command"] == "sacct"


def test_site_account_and_partition_join_the_defaults_not_replace_them(
    cluster_with_accounting, monkeypatch
):
    monkeypatch.setenv(ACCOUNT_ENV, "rfdemo")
    monkeypatch.setenv(PARTITION_ENV, "ci")
    assert _rendered()["default-resources"] == [
        "slurm_account=rfdemo",
        "slurm_partition=ci",
        "runtime=30",
        "mem_mb=2000",
        "cpus_per_task=1",
    ]


def test_a_host_without_slurm_leaves_the_status_command_to_the_plugin(slurm_env):
    (slurm_env / "bin").mkdir()
    assert "slurm-status-command" not in _rendered()


def _groups() -> dict[str, str]:
    """Rule name -> its ``group:`` in rules/*.smk."""
    groups = {}
    for smk in sorted((REPO_ROOT / "rules").glob("*.smk")):
        text = smk.read_text(encoding="utf-8")
        for block in re.split(r"\n(?=\s*(?:rule|checkpoint) \w+:)", text):
            name = re.match(r"\s*(?:rule|checkpoint) (\w+):", block)
            group = re.search(r'\n\s+group:\s*\n\s+"(\w+)"', block)
            if name and group:
                groups[name.group(1)] = group.group(1)
    return groups


def test_short_runtimes_go_to_grouped_rules_and_cover_the_post_screening_group(
    cluster_without_accounting,
):
    groups = _groups()
    overridden = {entry.split(":")[0] for entry in _rendered()["set-resources"]}
    post_screening = {rule for rule, group in groups.items() if group == "post_screening"}
    assert post_screening <= overridden <= set(groups)
    assert {"import_extraction", "synthesise_evidence", "count_prisma", "write_report"} <= (
        post_screening
    )
    # The heavy stages keep the default runtime; their decision-file checks ride along.
    assert groups["collect_records"] == groups["check_dedup_decisions"] == "dedup"
    assert groups["deduplicate_records"] == "dedup"
    assert groups["check_screening_decisions"] == groups["screen_records"] == "screening"
    assert "deduplicate_records" not in overridden and "screen_records" not in overridden
