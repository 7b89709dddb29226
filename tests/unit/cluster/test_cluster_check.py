"""The pre-flight says, per check, what will work, from the answers real clusters give."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewflow import cli
from reviewflow.cluster_check import (
    Partition,
    ProfileRequest,
    parse_scontrol_config,
    parse_sinfo,
    parse_time_limit,
    render_checks,
    run_cluster_check,
)
from reviewflow.config import REPO_ROOT
from reviewflow.slurm_site import ACCOUNT_ENV, PARTITION_ENV, STATUS_COMMAND_ENV

from .conftest import recorded

PROFILE = REPO_ROOT / "profiles" / "slurm"


def _checks(tmp_path: Path, **kw) -> dict[str, tuple[str, str]]:
    return {
        c.name: (c.status, c.detail) for c in run_cluster_check(PROFILE, workdir=tmp_path, **kw)
    }


def test_without_accounting_squeue_is_chosen_and_everything_fits(
    cluster_without_accounting, tmp_path
):
    checks = _checks(tmp_path)
    assert checks["SLURM clients"] == ("ok", "slurm-wlm 22.05.8: sbatch, sinfo, squeue, scontrol")
    assert checks["accounting"][0] == "ok"
    assert "Slurm accounting storage is disabled" in checks["accounting"][1]
    status, detail = checks["status command"]
    assert status == "ok" and detail.startswith("squeue (detected)") and "MinJobAge=300 s" in detail
    assert checks["account"] == ("ok", "not set, and not needed: accounting is off")
    status, detail = checks["partition"]
    assert status == "ok" and detail.startswith("ci (not set: jobs go to the default partition)")
    # The group job runs two rules side by side: 2 CPUs and twice the 2000 MB.
    assert "(30 min, 4000 MB, 2 CPUs) fits" in detail
    assert checks["shared file system"][0] == "skip"


def test_sacct_named_on_a_cluster_without_accounting_is_the_silent_hang(
    cluster_without_accounting, tmp_path, monkeypatch
):
    monkeypatch.setenv(STATUS_COMMAND_ENV, "sacct")
    status, detail = _checks(tmp_path)["status command"]
    assert status == "fail"
    assert f"sacct (from {STATUS_COMMAND_ENV}) fails here" in detail
    assert "wait forever" in detail and "Slurm accounting storage is disabled" in detail


def test_squeue_fails_where_slurm_forgets_jobs_before_the_next_check(
    cluster_without_accounting, tmp_path
):
    config = recorded("no_accounting", "scontrol_show_config.txt").replace(
        "MinJobAge               = 300 sec", "MinJobAge               = 60 sec"
    )
    cluster_without_accounting.answer("scontrol", "show config", stdout=config)
    status, detail = _checks(tmp_path)["status command"]
    assert status == "fail" and "MinJobAge=60 s" in detail and "180 s" in detail


def test_with_accounting_sacct_is_chosen_and_the_default_account_named(
    cluster_with_accounting, tmp_path
):
    checks = _checks(tmp_path)
    assert checks["accounting"][0] == "ok"
    assert checks["status command"] == ("ok", "sacct (detected): finished jobs are seen")
    status, detail = checks["account"]
    assert status == "ok" and "charges rfdemo, root's default account" in detail


def test_an_account_the_user_does_not_have_is_refused_with_the_list(
    cluster_with_accounting, tmp_path, monkeypatch
):
    monkeypatch.setenv(ACCOUNT_ENV, "your_account")
    status, detail = _checks(tmp_path, user="root")["account"]
    assert status == "fail"
    assert detail == (
        f"your_account (from {ACCOUNT_ENV}) is not one of root's accounts: rfdemo, root"
    )
    monkeypatch.setenv(ACCOUNT_ENV, "RFdemo")
    assert _checks(tmp_path, user="root")["account"][0] == "ok"


def test_an_account_where_neither_lookup_works_stops_the_plugin(
    cluster_without_accounting, tmp_path, monkeypatch
):
    monkeypatch.setenv(ACCOUNT_ENV, "lab_a")
    cluster_without_accounting.answer(
        "sshare", stderr="sshare: error: Problem talking to the database", rc=1
    )
    status, detail = _checks(tmp_path)["account"]
    assert status == "fail" and "stops at the" in detail and ACCOUNT_ENV in detail


def test_a_partition_whose_time_limit_is_too_short_would_queue_forever(
    cluster_with_accounting, tmp_path, monkeypatch
):
    three = recorded("slurmdbd", "sinfo_three_partitions.txt")
    cluster_with_accounting.answer("sinfo", "--format", stdout=three)
    monkeypatch.setenv(PARTITION_ENV, "short")
    status, detail = _checks(tmp_path)["partition"]
    assert status == "fail" and "would wait forever" in detail
    assert "time limit 15 min < 30 min asked" in detail
    monkeypatch.setenv(PARTITION_ENV, "long")
    assert _checks(tmp_path)["partition"] == ("fail", f"long (from {PARTITION_ENV}) is not up")
    monkeypatch.setenv(PARTITION_ENV, "gpu")
    assert _checks(tmp_path)["partition"] == (
        "fail",
        "gpu does not exist; partitions: ci, short, long",
    )


def test_no_default_partition_asks_for_one(cluster_with_accounting, tmp_path):
    cluster_with_accounting.answer("sinfo", "--format", stdout="short|up|15:00|24105|2|1\n")
    status, detail = _checks(tmp_path)["partition"]
    assert status == "fail" and f"set {PARTITION_ENV} to one of: short" in detail


def test_a_host_without_slurm_stops_after_saying_so(slurm_env, tmp_path):
    (slurm_env / "bin").mkdir()
    checks = run_cluster_check(PROFILE, workdir=tmp_path)
    assert [c.name for c in checks] == ["executor plugin", "SLURM clients"]
    assert checks[-1].status == "fail" and "not a submit host" in checks[-1].detail


def test_an_unreachable_controller_stops_after_saying_so(cluster_without_accounting, tmp_path):
    cluster_without_accounting.answer(
        "sinfo",
        "--format",
        stderr="slurm_load_partitions: Unable to contact slurm controller (connect failure)\n",
        rc=1,
    )
    checks = run_cluster_check(PROFILE, workdir=tmp_path)
    assert checks[-1].name == "controller" and checks[-1].status == "fail"
    assert "Unable to contact slurm controller" in checks[-1].detail


def test_the_test_job_runs_this_python_in_the_review_folder(cluster_without_accounting, tmp_path):
    # sbatch runs the job's command at once, on "this node", as a one-node cluster would.
    cluster_without_accounting.answer("sbatch", stdout="53\n", run_wrap=True)
    cluster_without_accounting.answer("squeue", "--name reviewflow-check-", stdout="53|COMPLETED\n")
    status, detail = _checks(tmp_path, test_job=True, poll_seconds=0.01)["test job"]
    assert status == "ok" and detail.startswith("job 53 ran on ") and "squeue saw it end" in detail
    (call,) = [c for c in cluster_without_accounting.calls("sbatch") if "--version" not in c]
    assert f"--chdir={tmp_path}" in call and not any(a.startswith("--account") for a in call)
    assert not list((tmp_path / ".snakemake" / "cluster_check").iterdir())


def test_a_test_job_whose_file_never_arrives_means_no_shared_file_system(
    cluster_without_accounting, tmp_path
):
    cluster_without_accounting.answer("sbatch", stdout="54;reviewflow-ci\n")
    cluster_without_accounting.answer("squeue", "--name reviewflow-check-", stdout="54|COMPLETED\n")
    status, detail = _checks(tmp_path, test_job=True, poll_seconds=0.01)["test job"]
    assert status == "fail" and "not on a file system shared" in detail and "job 54" in detail


def test_a_test_job_that_never_starts_is_cancelled(cluster_without_accounting, tmp_path):
    cluster_without_accounting.answer("sbatch", stdout="55\n")
    cluster_without_accounting.answer("squeue", "--name reviewflow-check-", stdout="55|PENDING\n")
    cluster_without_accounting.answer("scancel")
    status, detail = _checks(tmp_path, test_job=True, timeout=0.3, poll_seconds=0.01)["test job"]
    assert status == "warn" and "still PENDING" in detail
    assert cluster_without_accounting.calls("scancel") == [["55"]]


def test_the_command_prints_one_screen_and_fails_on_a_fail(
    cluster_without_accounting, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["cluster-check"]) == 0
    out = capsys.readouterr().out
    assert "  OK    status command" in out and out.rstrip().endswith("finish on this cluster.")
    monkeypatch.setenv(STATUS_COMMAND_ENV, "sacct")
    assert cli.main(["cluster-check"]) == 1
    assert "  FAIL  status command" in capsys.readouterr().out


def test_the_plugin_is_held_to_the_range_reviewflow_pins(cluster_without_accounting, tmp_path):
    status, detail = _checks(tmp_path)["executor plugin"]
    assert status == "ok" and detail.startswith("snakemake-executor-plugin-slurm 2.8.")
    assert detail.endswith("(tested >=2.8,<2.9)")


def test_a_plugin_outside_the_pinned_range_fails(cluster_without_accounting, tmp_path, monkeypatch):
    from importlib import metadata

    real = metadata.version
    monkeypatch.setattr(
        metadata, "version", lambda name: "2.9.1" if name.endswith("-slurm") else real(name)
    )
    status, detail = _checks(tmp_path)["executor plugin"]
    assert status == "fail" and "2.9.1 is outside the tested range >=2.8,<2.9" in detail


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("infinite", None),
        ("UNLIMITED", None),
        ("15:00", 15),
        ("2:00:00", 120),
        ("1-12:00:00", 2160),
        ("30", 30),
        ("0:30", 1),
    ],
)
def test_time_limits_in_every_sinfo_form(text, minutes):
    assert parse_time_limit(text) == minutes


def test_sinfo_rows_become_partitions_with_their_largest_node():
    rows = recorded("slurmdbd", "sinfo_three_partitions.txt") + "ci*|up|infinite|64000|16|4\n"
    by_name = {p.name: p for p in parse_sinfo(rows)}
    assert by_name["ci"] == Partition("ci", True, True, None, 64000, 16, 5)
    assert by_name["short"].time_limit_min == 15 and not by_name["short"].default
    assert not by_name["long"].up


def test_scontrol_config_is_read_as_key_value():
    config = parse_scontrol_config(recorded("slurmdbd", "scontrol_show_config.txt"))
    assert config["AccountingStorageType"] == "accounting_storage/slurmdbd"
    assert config["MinJobAge"] == "300 sec"
    assert config["ClusterName"] == "reviewflow-ci"


def test_the_largest_request_counts_overrides_and_the_group():
    request = ProfileRequest.from_profile(
        {
            "cores": 2,
            "default-resources": {"runtime": 30, "mem_mb": 2000, "cpus_per_task": 1},
            "set-resources": {"screen_records": {"mem_mb": 48000}, "count_prisma": {"runtime": 5}},
        }
    )
    assert (request.runtime_min, request.mem_mb, request.cpus) == (30, 48000, 2)
    assert request.init_seconds == 40 and request.status_command is None


def test_render_ends_with_the_verdict(cluster_without_accounting, tmp_path):
    text = render_checks(run_cluster_check(PROFILE, workdir=tmp_path), PROFILE)
    assert text.splitlines()[0] == f"reviewflow cluster-check: {PROFILE}"
    assert text.splitlines()[-1].startswith("Ready:")


def test_a_copied_profile_with_sacct_written_in_is_caught(cluster_without_accounting, tmp_path):
    # The usual site copy of a profile: plain YAML, no YTE, the status command typed in.
    profile = tmp_path / "site_profile"
    profile.mkdir()
    (profile / "config.yaml").write_text(
        "executor: slurm\nslurm-status-command: sacct\n"
        "default-resources:\n  slurm_partition: ci\n  runtime: 30\n  mem_mb: 2000\n",
        encoding="utf-8",
    )
    checks = {c.name: c for c in run_cluster_check(profile, workdir=tmp_path)}
    assert checks["status command"].status == "fail"
    assert checks["status command"].detail.startswith("sacct (set in the profile) fails here")
    assert checks["partition"].detail.startswith("ci (set in the profile)")
