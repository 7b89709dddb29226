"""Pre-flight for ``profiles/slurm``: what will work on this cluster, said in one screen.

Every check asks SLURM the question the executor plugin will ask during a run (the same
``sacct``/``squeue`` query, the same ``sacctmgr``/``sshare`` account lookup, the default
partition from ``sinfo``), so a problem shows up here in seconds instead of as a run that
fails at submission or, worse, waits forever. ``--test-job`` submits one tiny job that
imports reviewflow on a compute node and writes into the review folder, which is the only
way to learn that the repository and its environment are on a shared file system.
"""

from __future__ import annotations

import getpass
import re
import shlex
import shutil
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from reviewflow.errors import ConfigError
from reviewflow.slurm_site import (
    ACCOUNT_ENV,
    PARTITION_ENV,
    STATUS_COMMAND_ENV,
    SlurmSite,
    StatusProbe,
    ToolResult,
    load_slurm_site,
    plugin_status_query,
    run_tool,
    status_probe,
)

__all__ = [
    "Check",
    "Partition",
    "ProfileRequest",
    "load_profile",
    "parse_scontrol_config",
    "parse_sinfo",
    "parse_time_limit",
    "render_checks",
    "run_cluster_check",
]

Status = Literal["ok", "warn", "fail", "skip"]
Runner = Callable[[Sequence[str]], ToolResult]

#: The plugin waits at most this long between two status checks (``max_sleep_time`` in
#: ``check_active_jobs``); squeue must still list a finished job that long after it ends.
PLUGIN_MAX_STATUS_INTERVAL = 180

PLUGIN_DISTRIBUTION = "snakemake-executor-plugin-slurm"

#: SLURM job states after which a job will not run again (squeue/sacct long names).
FINISHED_STATES = frozenset(
    {
        "COMPLETED",
        "FAILED",
        "CANCELLED",
        "TIMEOUT",
        "OUT_OF_MEMORY",
        "NODE_FAIL",
        "BOOT_FAIL",
        "DEADLINE",
        "PREEMPTED",
    }
)


@dataclass(frozen=True)
class Check:
    """One line of the pre-flight screen."""

    name: str
    status: Status
    detail: str


@dataclass(frozen=True)
class Partition:
    """One partition as ``sinfo`` shows it; limits are the largest node's (None = unlimited)."""

    name: str
    default: bool
    up: bool
    time_limit_min: int | None
    mem_mb: int
    cpus: int
    nodes: int


@dataclass(frozen=True)
class ProfileRequest:
    """What the profile asks of SLURM: the settings that decide where and whether jobs run."""

    account: str | None
    partition: str | None
    status_command: str | None
    init_seconds: int
    runtime_min: int
    mem_mb: int
    cpus: int

    @classmethod
    def from_profile(cls, profile: Mapping[str, Any]) -> ProfileRequest:
        """The largest single submission: a rule override, or the post-screening group job,
        which runs ``cores`` rules side by side and asks for their memory together."""
        defaults = dict(profile.get("default-resources") or {})
        per_rule = [dict(v) for v in (profile.get("set-resources") or {}).values()]
        cores = _number(profile.get("cores"), 1)

        def largest(key: str, fallback: int) -> int:
            base = _number(defaults.get(key), fallback)
            return max([base, *(_number(r.get(key), 0) for r in per_rule)])

        mem = _number(defaults.get("mem_mb"), 1000)
        cpus = _number(defaults.get("cpus_per_task"), 1)
        return cls(
            account=_text(defaults.get("slurm_account")),
            partition=_text(defaults.get("slurm_partition")),
            status_command=_text(profile.get("slurm-status-command")),
            init_seconds=_number(profile.get("slurm-init-seconds-before-status-checks"), 40),
            runtime_min=largest("runtime", 30),
            mem_mb=max(largest("mem_mb", 1000), mem * cores),
            cpus=max(largest("cpus_per_task", 1), cpus * cores),
        )


def _number(value: Any, fallback: int) -> int:
    """A whole-number setting; an expression (``2000*attempt``) counts as its fallback."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return fallback


def _text(value: Any) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value).strip()


def load_profile(profile_dir: Path) -> dict[str, Any]:
    """``<profile_dir>/config.yaml`` as Snakemake sees it (rendered with YTE, like Snakemake)."""
    import yte

    path = profile_dir / "config.yaml"
    try:
        with path.open(encoding="utf-8") as stream:
            rendered = yte.process_yaml(stream, require_use_yte=True)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such profile") from exc
    except Exception as exc:  # YTE wraps every template error in its own types
        raise ConfigError(f"{path}: the profile cannot be rendered: {exc}") from exc
    if not isinstance(rendered, dict):
        raise ConfigError(f"{path}: a profile is a mapping of option: value")
    return rendered


def parse_time_limit(text: str) -> int | None:
    """Minutes in a SLURM time limit (``infinite``, ``30:00``, ``1-12:00:00``, ``2:00:00``)."""
    value = text.strip().rstrip("+")
    if value.lower() in ("infinite", "unlimited", "n/a", ""):
        return None
    days = 0
    if "-" in value:
        day_text, value = value.split("-", 1)
        days = int(day_text)
    parts = [int(p) for p in value.split(":")]
    if len(parts) == 3:
        hours, minutes, seconds = parts
    elif len(parts) == 2:
        hours, (minutes, seconds) = 0, parts
    else:
        hours, minutes, seconds = 0, parts[0], 0
    return days * 1440 + hours * 60 + minutes + (1 if seconds else 0)


def _leading_int(text: str) -> int:
    match = re.match(r"\s*(\d+)", text)
    return int(match.group(1)) if match else 0


#: ``sinfo`` columns asked for: partition (``*`` marks the default), availability, time
#: limit, memory per node (MB), CPUs per node, node count.
SINFO_FORMAT = "%P|%a|%l|%m|%c|%D"


def parse_sinfo(text: str) -> list[Partition]:
    """Partitions from ``sinfo --noheader --format=%P|%a|%l|%m|%c|%D``, one per name.

    sinfo prints one row per group of alike nodes; a partition keeps its largest node.
    """
    merged: dict[str, Partition] = {}
    for line in text.splitlines():
        fields = line.strip().split("|")
        if len(fields) != 6:
            continue
        raw_name, avail, limit, mem, cpus, nodes = fields
        default = raw_name.endswith("*")
        name = raw_name.rstrip("*")
        row = Partition(
            name=name,
            default=default,
            up=avail.strip().lower() == "up",
            time_limit_min=parse_time_limit(limit),
            mem_mb=_leading_int(mem),
            cpus=_leading_int(cpus),
            nodes=_leading_int(nodes),
        )
        if name in merged:
            old = merged[name]
            row = Partition(
                name=name,
                default=old.default or row.default,
                up=old.up or row.up,
                time_limit_min=old.time_limit_min,
                mem_mb=max(old.mem_mb, row.mem_mb),
                cpus=max(old.cpus, row.cpus),
                nodes=old.nodes + row.nodes,
            )
        merged[name] = row
    return list(merged.values())


def parse_scontrol_config(text: str) -> dict[str, str]:
    """``Key = value`` lines of ``scontrol show config``."""
    settings: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and " " not in key.strip():
            settings[key.strip()] = value.strip()
    return settings


def _min_job_age(config: Mapping[str, str]) -> int | None:
    """MinJobAge in seconds (``300 sec``, ``1h``, ``3600``), as the plugin reads it."""
    match = re.match(r"^(\d+)\s*([a-zA-Z]*)", config.get("MinJobAge", ""))
    if not match:
        return None
    value, unit = int(match.group(1)), match.group(2).lower()
    return value * 3600 if unit in ("h", "hour", "hours") else value


def _where(site: SlurmSite, key: str, value: str | None) -> str:
    """Where the profile's value came from: the environment, the site file, detection, or
    the profile itself (a copy with the value written in)."""
    if value != getattr(site, key):
        return "set in the profile"
    origin = site.origin.get(key, "not set")
    return origin if origin in ("not set", "detected") else f"from {origin}"


def _minutes(value: int | None) -> str:
    if value is None:
        return "no time limit"
    return f"{value} min" if value < 120 else f"{value / 60:g} h"


class _Cluster:
    """Answers from SLURM, asked once each."""

    def __init__(self, run: Runner) -> None:
        self.run = run
        self.config = parse_scontrol_config(run(["scontrol", "show", "config"]).stdout)
        self.sinfo = run(["sinfo", "--noheader", f"--format={SINFO_FORMAT}"])
        self.partitions = parse_sinfo(self.sinfo.stdout) if self.sinfo.ok else []
        self.sacct = run(plugin_status_query("sacct", "reviewflow-cluster-check"))
        self.squeue = run(plugin_status_query("squeue", "reviewflow-cluster-check"))

    def status_probe(self) -> StatusProbe:
        """What the profile's own detection finds, from the answers already in hand."""
        return status_probe(self.sacct, self.squeue.found)

    @property
    def accounting(self) -> str:
        return self.config.get("AccountingStorageType", "")


def _check_clients(run: Runner) -> Check:
    needed = ("sbatch", "sinfo", "squeue", "scontrol")
    version = run(["sinfo", "--version"])
    if not version.found:
        return Check("SLURM clients", "fail", "sinfo not found on PATH: this is not a submit host")
    missing = [tool for tool in (*needed, "sacct") if shutil.which(tool) is None]
    release = version.stdout.strip() or version.problem()
    if any(tool in missing for tool in needed):
        return Check("SLURM clients", "fail", f"{release}; missing: {', '.join(missing)}")
    note = "; sacct missing (squeue will be used)" if "sacct" in missing else ""
    return Check("SLURM clients", "ok", f"{release}: sbatch, sinfo, squeue, scontrol{note}")


def _check_controller(cluster: _Cluster) -> Check:
    if not cluster.sinfo.ok:
        return Check("controller", "fail", f"sinfo: {cluster.sinfo.problem()}")
    names = ", ".join(
        f"{p.name}{'*' if p.default else ''} ({'up' if p.up else 'down'}, "
        f"{p.nodes} node{'' if p.nodes == 1 else 's'})"
        for p in cluster.partitions
    )
    name = cluster.config.get("ClusterName", "?")
    return Check("controller", "ok", f"cluster {name} answers; partitions: {names or 'none'}")


def _check_accounting(cluster: _Cluster) -> Check:
    storage = cluster.accounting or "unknown"
    if storage.endswith("/none"):
        return Check(
            "accounting",
            "ok",
            f"off ({storage}): sacct cannot see jobs ({cluster.sacct.problem()}), "
            "so runs must poll with squeue",
        )
    if cluster.sacct.ok:
        return Check("accounting", "ok", f"on ({storage}): sacct answers the plugin's query")
    return Check("accounting", "warn", f"{storage}, but sacct fails: {cluster.sacct.problem()}")


def _check_status_command(cluster: _Cluster, request: ProfileRequest, site: SlurmSite) -> Check:
    command = request.status_command
    where = _where(site, "status_command", command)
    if command is None:
        # A profile without the key: the plugin takes sacct wherever the binary exists.
        command, where = ("sacct" if cluster.sacct.found else "squeue"), "the plugin's default"
    if command == "sacct":
        if cluster.sacct.ok:
            return Check("status command", "ok", f"sacct ({where}): finished jobs are seen")
        return Check(
            "status command",
            "fail",
            f"sacct ({where}) fails here ({cluster.sacct.problem()}): every job would look "
            f"still running and the run would wait forever. Unset {STATUS_COMMAND_ENV} "
            "(auto) or set it to squeue",
        )
    if not cluster.squeue.ok:
        return Check("status command", "fail", f"squeue ({where}): {cluster.squeue.problem()}")
    age = _min_job_age(cluster.config)
    fallback = 3 * request.init_seconds
    if age is not None and age >= PLUGIN_MAX_STATUS_INTERVAL:
        return Check(
            "status command",
            "ok",
            f"squeue ({where}): SLURM keeps finished jobs for MinJobAge={age} s, longer "
            f"than the plugin's longest wait between checks ({PLUGIN_MAX_STATUS_INTERVAL} s)",
        )
    if (age is None or age < fallback) and cluster.sacct.ok:
        return Check(
            "status command",
            "warn",
            f"squeue ({where}), but MinJobAge={age} s is under {fallback} s, so the plugin "
            "switches to sacct, which works here",
        )
    return Check(
        "status command",
        "fail",
        f"squeue ({where}), but SLURM forgets a finished job after MinJobAge={age} s, "
        f"sooner than the plugin checks again (up to {PLUGIN_MAX_STATUS_INTERVAL} s): a job "
        "that ends unseen keeps the run waiting. Ask for MinJobAge >= 300 or accounting",
    )


def _account_lookup(run: Runner, user: str) -> tuple[set[str] | None, str]:
    """The user's accounts the way the plugin validates them: sacctmgr, then sshare.

    None when both lookups fail: the plugin then stops at the first submission.
    """
    sacctmgr = run(["sacctmgr", "-n", "-s", "list", "user", user, "format=account%256"])
    if sacctmgr.ok and sacctmgr.stdout.strip():
        return {a.strip().lower() for a in sacctmgr.stdout.split() if a.strip()}, "sacctmgr"
    sshare = run(["sshare", "-U", "--format", "Account%256", "--noheader"])
    if not sshare.ok:
        return None, f"sacctmgr: {sacctmgr.problem()}; sshare: {sshare.problem()}"
    return {a.strip().lower() for a in sshare.stdout.split() if a.strip()}, "sshare"


def _check_account(cluster: _Cluster, request: ProfileRequest, site: SlurmSite, user: str) -> Check:
    account = request.account
    accounting_off = cluster.accounting.endswith("/none")
    if account is None:
        if accounting_off:
            return Check("account", "ok", "not set, and not needed: accounting is off")
        default = cluster.run(
            ["sacctmgr", "-n", "-P", "list", "user", user, "format=DefaultAccount"]
        )
        name = default.stdout.strip() if default.ok else ""
        if name:
            return Check(
                "account",
                "ok",
                f"not set: sbatch goes without -A and SLURM charges {name}, "
                f"{user}'s default account",
            )
        return Check(
            "account",
            "warn",
            f"not set, and SLURM names no default account for {user}; if sbatch asks for "
            f"one, set {ACCOUNT_ENV}",
        )
    where = _where(site, "account", account)
    accounts, how = _account_lookup(cluster.run, user)
    if accounts is None:
        return Check(
            "account",
            "fail",
            f"{account} ({where}) cannot be validated ({how}); the plugin stops at the "
            f"first submission. Unset {ACCOUNT_ENV} on a cluster without accounting",
        )
    if not accounts:
        return Check(
            "account", "warn", f"{account} ({where}): {how} lists no accounts; sbatch decides"
        )
    if account.lower() in accounts:
        return Check("account", "ok", f"{account} ({where}): one of {user}'s accounts ({how})")
    return Check(
        "account",
        "fail",
        f"{account} ({where}) is not one of {user}'s accounts: {', '.join(sorted(accounts))}",
    )


def _fits(partition: Partition, request: ProfileRequest) -> list[str]:
    problems = []
    limit = partition.time_limit_min
    if limit is not None and limit < request.runtime_min:
        problems.append(f"time limit {_minutes(limit)} < {request.runtime_min} min asked")
    if partition.mem_mb and partition.mem_mb < request.mem_mb:
        problems.append(f"{partition.mem_mb} MB per node < {request.mem_mb} MB asked")
    if partition.cpus and partition.cpus < request.cpus:
        problems.append(f"{partition.cpus} CPUs per node < {request.cpus} asked")
    return problems


def _check_partition(cluster: _Cluster, request: ProfileRequest, site: SlurmSite) -> Check:
    if not cluster.sinfo.ok:
        return Check("partition", "fail", "unknown: sinfo does not answer")
    names = ", ".join(p.name for p in cluster.partitions) or "none"
    if request.partition is None:
        chosen = next((p for p in cluster.partitions if p.default), None)
        if chosen is None:
            return Check(
                "partition",
                "fail",
                f"not set and the cluster has no default partition; set {PARTITION_ENV} "
                f"to one of: {names}",
            )
        how = "not set: jobs go to the default partition"
    else:
        chosen = next((p for p in cluster.partitions if p.name == request.partition), None)
        if chosen is None:
            return Check(
                "partition", "fail", f"{request.partition} does not exist; partitions: {names}"
            )
        how = _where(site, "partition", request.partition)
    if not chosen.up:
        return Check("partition", "fail", f"{chosen.name} ({how}) is not up")
    asked = f"{request.runtime_min} min, {request.mem_mb} MB, {request.cpus} CPUs"
    problems = _fits(chosen, request)
    if problems:
        return Check(
            "partition",
            "fail",
            f"{chosen.name} ({how}): the largest job ({asked}) would wait forever: "
            + "; ".join(problems),
        )
    return Check(
        "partition",
        "ok",
        f"{chosen.name} ({how}); the largest job ({asked}) fits: "
        f"{_minutes(chosen.time_limit_min)}, {chosen.mem_mb} MB, {chosen.cpus} CPUs per node",
    )


def _check_plugin() -> Check:
    from packaging.requirements import Requirement

    try:
        installed = metadata.version(PLUGIN_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return Check("executor plugin", "fail", f"{PLUGIN_DISTRIBUTION} is not installed")
    wanted = next(
        (
            Requirement(r)
            for r in metadata.requires("reviewflow") or []
            if Requirement(r).name == PLUGIN_DISTRIBUTION
        ),
        None,
    )
    # Lower bound first, as pyproject.toml writes it (">=2.8,<2.9").
    specifiers = [str(s) for s in wanted.specifier] if wanted else []
    spec = ",".join(sorted(specifiers, key=lambda s: not s.startswith(">"))) or "any"
    if wanted is None or wanted.specifier.contains(installed, prereleases=True):
        return Check("executor plugin", "ok", f"{PLUGIN_DISTRIBUTION} {installed} (tested {spec})")
    return Check(
        "executor plugin",
        "fail",
        f"{PLUGIN_DISTRIBUTION} {installed} is outside the tested range {spec}; its options "
        "may differ from the profile's",
    )


def _job_state(run: Runner, command: str, name: str) -> tuple[str | None, ToolResult]:
    result = run(plugin_status_query(command, name))
    for line in result.stdout.splitlines():
        fields = line.strip().split("|")
        if len(fields) >= 2 and fields[1].strip():
            return fields[1].strip().split()[0], result
    return None, result


def _check_test_job(
    run: Runner,
    request: ProfileRequest,
    workdir: Path,
    timeout: float,
    poll_seconds: float,
) -> Check:
    """Submit one job that imports reviewflow on a node and writes a file into ``workdir``."""
    name = f"reviewflow-check-{uuid.uuid4().hex[:8]}"
    folder = workdir / ".snakemake" / "cluster_check"
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / f"{name}.txt"
    log = folder / f"{name}.log"
    code = (
        "import pathlib, socket, reviewflow, snakemake; "
        f"pathlib.Path({str(marker)!r}).write_text(socket.gethostname())"
    )
    argv = [
        "sbatch",
        "--parsable",
        f"--job-name={name}",
        f"--chdir={workdir}",
        f"--output={log}",
        "--time=5",
        "--mem=500M",
        "--cpus-per-task=1",
    ]
    if request.account:
        argv.append(f"--account={request.account}")
    if request.partition:
        argv.append(f"--partition={request.partition}")
    argv += ["--wrap", f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}"]
    submitted = run(argv)
    if not submitted.ok:
        return Check("test job", "fail", f"sbatch refused it: {submitted.problem()}")
    job_id = submitted.stdout.strip().split(";")[0]
    command = request.status_command or "squeue"
    started = time.monotonic()
    state: str | None = None
    try:
        while time.monotonic() - started < timeout:
            time.sleep(poll_seconds)
            state, result = _job_state(run, command, name)
            if not result.ok:
                return Check(
                    "test job",
                    "fail",
                    f"job {job_id}: {command} cannot see it ({result.problem()}); "
                    "a run would wait forever",
                )
            if state in FINISHED_STATES:
                break
        else:
            run(["scancel", job_id])
            return Check(
                "test job",
                "warn",
                f"job {job_id} still {state or 'unseen'} after {timeout:g} s and was "
                "cancelled; the queue is busy or the job cannot start",
            )
        took = time.monotonic() - started
        if state != "COMPLETED":
            tail = log.read_text(encoding="utf-8").strip().splitlines()[-1:] if log.exists() else []
            return Check(
                "test job",
                "fail",
                f"job {job_id} ended {state}: {tail[0] if tail else 'no log on this host'}",
            )
        if not marker.exists():
            return Check(
                "test job",
                "fail",
                f"job {job_id} completed but its file is not visible here: {workdir} is not "
                "on a file system shared with the compute nodes",
            )
        host = marker.read_text(encoding="utf-8").strip()
        return Check(
            "test job",
            "ok",
            f"job {job_id} ran on {host} in {took:.0f} s and {command} saw it end; the node "
            f"runs {sys.executable} and writes to {workdir}",
        )
    finally:
        for path in (marker, log):
            path.unlink(missing_ok=True)


def run_cluster_check(
    profile_dir: Path,
    *,
    workdir: Path,
    test_job: bool = False,
    timeout: float = 300,
    poll_seconds: float = 2,
    run: Runner = run_tool,
    user: str | None = None,
    site: SlurmSite | None = None,
) -> list[Check]:
    """Every check, in the order a reader needs them; later checks skip what cannot work."""
    user = user or getpass.getuser()
    checks = [_check_plugin(), _check_clients(run)]
    if checks[-1].status == "fail":
        return checks
    cluster = _Cluster(run)
    checks.append(_check_controller(cluster))
    if checks[-1].status == "fail":
        return checks
    site = site or load_slurm_site(detect=cluster.status_probe())
    request = ProfileRequest.from_profile(load_profile(profile_dir))
    checks += [
        _check_accounting(cluster),
        _check_status_command(cluster, request, site),
        _check_account(cluster, request, site, user),
        _check_partition(cluster, request, site),
    ]
    if not test_job:
        checks.append(
            Check(
                "shared file system",
                "skip",
                f"not tried: compute nodes must run {sys.executable} and see {workdir}; "
                "--test-job submits one small job to find out",
            )
        )
    elif any(c.status == "fail" for c in checks):
        checks.append(Check("test job", "skip", "not submitted: fix the failures above first"))
    else:
        checks.append(_check_test_job(run, request, workdir, timeout, poll_seconds))
    return checks


def render_checks(checks: Iterable[Check], profile_dir: Path) -> str:
    """The one screen: a line per check, then the verdict."""
    rows = list(checks)
    width = max(len(c.name) for c in rows)
    lines = [f"reviewflow cluster-check: {profile_dir}", ""]
    for check in rows:
        lines.append(f"  {check.status.upper():<4}  {check.name:<{width}}  {check.detail}")
    lines.append("")
    if any(c.status == "fail" for c in rows):
        lines.append("Not ready: fix the FAIL lines, then run reviewflow cluster-check again.")
    else:
        lines.append(
            "Ready: runs with --workflow-profile slurm will submit and finish on this cluster."
        )
    return "\n".join(lines) + "\n"
