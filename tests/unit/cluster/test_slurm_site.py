"""Account, partition and status command come from the environment or the site file."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from reviewflow.errors import DataError
from reviewflow.slurm_site import (
    ACCOUNT_ENV,
    PARTITION_ENV,
    STATUS_COMMAND_ENV,
    StatusProbe,
    detect_status_command,
    load_slurm_site,
    plugin_status_query,
)

SQUEUE = StatusProbe("squeue", False, "Slurm accounting storage is disabled", True)


def _site_file(slurm_env: Path, text: str) -> Path:
    path = slurm_env / "site" / "slurm.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_nothing_set_means_slurm_defaults(slurm_env):
    site = load_slurm_site(detect=SQUEUE)
    assert (site.account, site.partition, site.status_command) == (None, None, "squeue")
    assert site.origin == {
        "account": "not set",
        "partition": "not set",
        "status_command": "detected",
    }


def test_environment_wins_over_the_site_file(slurm_env, monkeypatch):
    path = _site_file(slurm_env, "account: lab_a\npartition: short\nstatus_command: sacct\n")
    monkeypatch.setenv(ACCOUNT_ENV, "lab_b")
    site = load_slurm_site(detect=SQUEUE)
    assert site.account == "lab_b" and site.origin["account"] == ACCOUNT_ENV
    assert site.partition == "short" and site.origin["partition"] == str(path)
    # A named status command is used as named: no probe.
    assert site.status_command == "sacct" and site.probe is None


def test_an_empty_variable_does_not_hide_the_site_file(slurm_env, monkeypatch):
    _site_file(slurm_env, "partition: short\n")
    monkeypatch.setenv(PARTITION_ENV, "  ")
    assert load_slurm_site(detect=SQUEUE).partition == "short"


def test_an_unknown_site_key_is_named_with_the_file(slurm_env):
    path = _site_file(slurm_env, "acount: lab_a\n")
    with pytest.raises(DataError) as err:
        load_slurm_site(detect=SQUEUE)
    assert str(path) in str(err.value) and "acount" in str(err.value)
    assert "Available options: account, partition, status_command" in str(err.value)


def test_a_site_file_that_is_not_yaml_names_its_line(slurm_env):
    _site_file(slurm_env, "account: lab_a\npartition: [short\n")
    with pytest.raises(DataError) as err:
        load_slurm_site(detect=SQUEUE)
    assert err.value.line is not None and err.value.line >= 2


@pytest.mark.parametrize("value", ["sac", "slurm"])
def test_a_wrong_status_command_is_refused(slurm_env, monkeypatch, value):
    monkeypatch.setenv(STATUS_COMMAND_ENV, value)
    with pytest.raises(DataError) as err:
        load_slurm_site(detect=SQUEUE)
    assert STATUS_COMMAND_ENV in str(err.value) and "sacct, squeue, auto" in str(err.value)


def test_detection_takes_squeue_where_sacct_has_no_accounting(cluster_without_accounting):
    probe = detect_status_command()
    assert probe == StatusProbe("squeue", False, "Slurm accounting storage is disabled", True)
    # The probe is the plugin's own sacct query, so it fails exactly where polling would.
    (call,) = cluster_without_accounting.calls("sacct")
    expected = plugin_status_query("sacct", "reviewflow-status-probe")[1:]
    when = expected.index("--starttime") + 1
    assert call[:when] == expected[:when] and call[when + 1 :] == expected[when + 1 :]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:00", call[when])


@pytest.mark.parametrize("command", ["sacct", "squeue"])
def test_the_probe_is_the_query_of_the_pinned_plugin(command):
    from snakemake_executor_plugin_slurm import job_status_query

    def undated(argv: list[str]) -> list[str]:
        # sacct's --starttime is "two days ago" to the hour, whenever each side built it.
        return [a for i, a in enumerate(argv) if i == 0 or argv[i - 1] != "--starttime"]

    plugin = getattr(job_status_query, f"query_job_status_{command}")("run-1")
    assert undated(shlex.split(plugin)) == undated(plugin_status_query(command, "run-1"))


def test_detection_takes_sacct_where_accounting_answers(cluster_with_accounting):
    assert detect_status_command().command == "sacct"


def test_no_slurm_at_all_leaves_the_plugin_default(slurm_env):
    (slurm_env / "bin").mkdir()
    probe = detect_status_command()
    assert probe.command is None and "not found" in probe.sacct_problem
