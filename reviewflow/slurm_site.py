"""The site's SLURM account, partition and job-status command, as ``profiles/slurm`` reads them.

A cluster user sets these once, outside the repository (environment variables or a small
site file), so the profile stays the same on every site. That also keeps them off the
command line, where ``--default-resources slurm_partition=x`` would replace the profile's
whole ``default-resources`` block and silently drop its memory and runtime.

The status command is the one setting that decides whether a run finishes at all: the
executor plugin polls ``sacct`` by default, and on a cluster without accounting
(``AccountingStorageType=accounting_storage/none``) ``sacct`` exits 1, every job looks
still running and Snakemake waits forever. Left on ``auto``, the profile asks ``sacct``
once, exactly as the plugin will, and uses ``squeue`` where ``sacct`` cannot answer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from reviewflow.errors import DataError

__all__ = [
    "ACCOUNT_ENV",
    "PARTITION_ENV",
    "SITE_FILE_ENV",
    "STATUS_COMMANDS",
    "STATUS_COMMAND_ENV",
    "SlurmSite",
    "StatusProbe",
    "ToolResult",
    "default_site_file",
    "detect_status_command",
    "load_slurm_site",
    "plugin_status_query",
    "read_site_file",
    "run_tool",
    "status_probe",
]

ACCOUNT_ENV = "REVIEWFLOW_SLURM_ACCOUNT"
PARTITION_ENV = "REVIEWFLOW_SLURM_PARTITION"
STATUS_COMMAND_ENV = "REVIEWFLOW_SLURM_STATUS_COMMAND"
SITE_FILE_ENV = "REVIEWFLOW_SLURM_SITE"

#: The executor plugin's two ways of asking for job states (``--slurm-status-command``).
STATUS_COMMANDS = ("sacct", "squeue")
AUTO = "auto"

#: Keys of the site file, each with the environment variable that overrides it.
SITE_KEYS: Mapping[str, str] = {
    "account": ACCOUNT_ENV,
    "partition": PARTITION_ENV,
    "status_command": STATUS_COMMAND_ENV,
}

#: Seconds a SLURM client may take before we call it unreachable. Clients retry a missing
#: controller or slurmdbd for up to 60 s; the profile is read at every run, so it waits less.
TOOL_TIMEOUT = 15


@dataclass(frozen=True)
class ToolResult:
    """What one SLURM client call gave back; ``found`` is False when it is not on PATH."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    found: bool = True
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.found and not self.timed_out and self.returncode == 0

    def problem(self) -> str:
        """The first line the tool printed about its failure, for a one-line message."""
        if not self.found:
            return f"{self.argv[0]} not found on PATH"
        if self.timed_out:
            return f"{self.argv[0]} gave no answer within {TOOL_TIMEOUT} s"
        for text in (self.stderr, self.stdout):
            for line in text.splitlines():
                if line.strip():
                    return line.strip()
        return f"{self.argv[0]} exited with status {self.returncode}"


def run_tool(argv: Sequence[str], timeout: float = TOOL_TIMEOUT) -> ToolResult:
    """Run one SLURM client without a shell; a missing or silent tool is a result, not a crash."""
    args = tuple(argv)
    if shutil.which(args[0]) is None:
        return ToolResult(args, 127, "", "", found=False)
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return ToolResult(args, -1, "", "", timed_out=True)
    return ToolResult(args, done.returncode, done.stdout, done.stderr)


def plugin_status_query(command: str, job_name: str, now: datetime | None = None) -> list[str]:
    """The query snakemake-executor-plugin-slurm 2.8 polls with, for jobs named ``job_name``.

    Mirrors ``query_job_status_sacct`` / ``query_job_status_squeue`` in the plugin's
    ``job_status_query.py``, so a probe that succeeds here succeeds there.
    """
    if command == "sacct":
        start = f"{(now or datetime.now()) - timedelta(days=2):%Y-%m-%dT%H:00}"
        return [
            "sacct",
            "-X",
            "--parsable2",
            "--clusters",
            "all",
            "--noheader",
            "--format=JobIdRaw,State",
            "--starttime",
            start,
            "--endtime",
            "now",
            "--name",
            job_name,
        ]
    if command == "squeue":
        return ["squeue", "--format=%i|%T", "--states=all", "--noheader", "--name", job_name]
    raise ValueError(f"unknown status command {command!r}")


@dataclass(frozen=True)
class StatusProbe:
    """Which status command works here, and what ``sacct`` said when it did not."""

    command: str | None
    sacct_works: bool
    sacct_problem: str
    squeue_found: bool


def status_probe(sacct: ToolResult, squeue_found: bool) -> StatusProbe:
    """``sacct`` where it answered the plugin's own query, else ``squeue``; None without SLURM."""
    if sacct.ok:
        return StatusProbe("sacct", True, "", squeue_found)
    return StatusProbe("squeue" if squeue_found else None, False, sacct.problem(), squeue_found)


def detect_status_command() -> StatusProbe:
    """Ask ``sacct`` once, the way the plugin will poll it, and choose from its answer."""
    sacct = run_tool(plugin_status_query("sacct", "reviewflow-status-probe"))
    return status_probe(sacct, shutil.which("squeue") is not None)


@dataclass(frozen=True)
class SlurmSite:
    """Account, partition and status command for this user, and where each came from.

    ``account`` and ``partition`` are None when neither the environment nor the site file
    names one: SLURM then uses the user's default account and the default partition.
    ``status_command`` is None only where no SLURM client is installed.
    """

    account: str | None
    partition: str | None
    status_command: str | None
    origin: Mapping[str, str]
    site_file: Path
    probe: StatusProbe | None = field(default=None, compare=False)


def default_site_file(environ: Mapping[str, str] | None = None) -> Path:
    """``$REVIEWFLOW_SLURM_SITE``, else ``$XDG_CONFIG_HOME/reviewflow/slurm.yaml`` (per user)."""
    env = os.environ if environ is None else environ
    if env.get(SITE_FILE_ENV):
        return Path(env[SITE_FILE_ENV]).expanduser()
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "reviewflow" / "slurm.yaml"


def read_site_file(path: Path) -> dict[str, str]:
    """The settings in a site file; a missing file is an empty one, a wrong key an error."""
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DataError(f"not valid YAML: {exc}", path=str(path), line=line) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DataError("a SLURM site file is a mapping of key: value", path=str(path))
    settings: dict[str, str] = {}
    for key, value in data.items():
        if key not in SITE_KEYS:
            raise DataError(
                f"unknown key. Available options: {', '.join(SITE_KEYS)}",
                path=str(path),
                field=str(key),
            )
        if value is None:
            continue
        if isinstance(value, bool | list | dict):
            raise DataError("must be a single name", path=str(path), field=str(key))
        settings[key] = str(value).strip()
    return settings


def _status_choice(value: str, where: str, site_file: Path) -> str:
    choice = value.lower()
    if choice not in (*STATUS_COMMANDS, AUTO):
        allowed = ", ".join((*STATUS_COMMANDS, AUTO))
        if where == STATUS_COMMAND_ENV:
            raise DataError(f"{where}={value!r} is not one of: {allowed}")
        raise DataError(
            f"{value!r} is not one of: {allowed}", path=str(site_file), field="status_command"
        )
    return choice


def load_slurm_site(
    environ: Mapping[str, str] | None = None,
    *,
    detect: StatusProbe | None = None,
) -> SlurmSite:
    """The settings ``profiles/slurm`` submits with: environment first, then the site file.

    ``detect`` replaces the ``sacct`` probe (tests pass a fixed :class:`StatusProbe`).
    """
    env = os.environ if environ is None else environ
    site_file = default_site_file(env)
    from_file = read_site_file(site_file)
    values: dict[str, str | None] = {}
    origin: dict[str, str] = {}
    for key, variable in SITE_KEYS.items():
        if env.get(variable, "").strip():
            values[key], origin[key] = env[variable].strip(), variable
        elif from_file.get(key):
            values[key], origin[key] = from_file[key], str(site_file)
        else:
            values[key], origin[key] = None, "not set"
    choice = _status_choice(values["status_command"] or AUTO, origin["status_command"], site_file)
    probe: StatusProbe | None = None
    if choice == AUTO:
        probe = detect if detect is not None else detect_status_command()
        status: str | None = probe.command
        origin["status_command"] = "detected"
    else:
        status = choice
    return SlurmSite(
        account=values["account"],
        partition=values["partition"],
        status_command=status,
        origin=origin,
        site_file=site_file,
        probe=probe,
    )
