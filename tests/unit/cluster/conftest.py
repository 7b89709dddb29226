"""SLURM clients on PATH that answer with outputs recorded on real clusters.

The recordings in tests/fixtures/slurm/ come from a one-node SLURM 22.05.8 cluster
(Debian bookworm's slurm-wlm and munge): ``no_accounting/`` with
``AccountingStorageType=accounting_storage/none``, ``slurmdbd/`` with slurmdbd on MariaDB
and ``AccountingStorageEnforce=associations``. Only the private state and log paths were
replaced by Debian's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reviewflow.config import REPO_ROOT
from reviewflow.slurm_site import (
    ACCOUNT_ENV,
    PARTITION_ENV,
    SITE_FILE_ENV,
    STATUS_COMMAND_ENV,
)

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "slurm"
TOOLS = ("sbatch", "sinfo", "squeue", "sacct", "scontrol", "sacctmgr", "sshare", "scancel")

#: One fake client (POSIX sh, so a check that calls a dozen of them stays fast): logs its
#: arguments, then answers the first rule whose ``match`` is in its argument line.
HEAD = """#!/bin/sh
{ printf '%s' "${0##*/}"; for a in "$@"; do printf '\\037%s' "$a"; done; echo; } >>"${0%/*}/calls.log"
case " $* " in *" --version "*) echo "slurm-wlm 22.05.8"; exit 0;; esac
case "$*" in
"""
RULE = """{pattern})
    {wrap}printf '%s' {stdout}; printf '%s' {stderr} >&2; exit {rc};;
"""
#: sbatch that runs the job's --wrap command at once in its --chdir, as a one-node cluster.
RUN_WRAP = """prev=; for a in "$@"; do
        [ "$prev" = --wrap ] && wrap=$a
        case $a in --chdir=*) dir=${a#--chdir=};; esac; prev=$a
    done; (cd "$dir" && /bin/sh -c "$wrap") || exit 1
    """
TAIL = """*) echo "${0##*/}: no recorded answer for: $*" >&2; exit 2;;
esac
"""


def _quoted(text: str) -> str:
    """``text`` as one single-quoted sh word (shell builtins only: PATH holds no coreutils)."""
    return "'" + text.replace("'", "'\\''") + "'"


def _sh_pattern(match: str) -> str:
    return f"*{_quoted(match)}*" if match else "*"


@dataclass
class FakeSlurm:
    """A PATH of fake SLURM clients; ``answer`` adds a reply, ``calls`` lists what ran."""

    bin_dir: Path
    rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def answer(
        self,
        tool: str,
        match: str = "",
        *,
        stdout: str = "",
        stderr: str = "",
        rc: int = 0,
        run_wrap: bool = False,
    ) -> None:
        """Reply to calls of ``tool`` whose arguments contain ``match`` (newest rule first)."""
        rule = {"match": match, "stdout": stdout, "stderr": stderr, "rc": rc, "run_wrap": run_wrap}
        self.rules.setdefault(tool, []).insert(0, rule)
        self._write(tool)

    def _write(self, tool: str) -> None:
        parts = [HEAD]
        for rule in self.rules.get(tool, []):
            parts.append(
                RULE.format(
                    pattern=_sh_pattern(rule["match"]),
                    wrap=RUN_WRAP if rule["run_wrap"] else "",
                    stdout=_quoted(rule["stdout"]),
                    stderr=_quoted(rule["stderr"]),
                    rc=rule["rc"],
                )
            )
        parts.append(TAIL)
        script = self.bin_dir / tool
        script.write_text("".join(parts), encoding="utf-8")
        script.chmod(0o755)

    def calls(self, tool: str) -> list[list[str]]:
        path = self.bin_dir / "calls.log"
        if not path.exists():
            return []
        rows = [line.split("\x1f") for line in path.read_text(encoding="utf-8").splitlines()]
        return [row[1:] for row in rows if row[0] == tool]


def recorded(mode: str, name: str) -> str:
    return (FIXTURES / mode / name).read_text(encoding="utf-8")


def _install(bin_dir: Path) -> FakeSlurm:
    bin_dir.mkdir()
    fake = FakeSlurm(bin_dir)
    for tool in TOOLS:
        fake._write(tool)
    return fake


@pytest.fixture
def slurm_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No site settings from the machine running the tests, and only fake tools on PATH."""
    for variable in (ACCOUNT_ENV, PARTITION_ENV, STATUS_COMMAND_ENV):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv(SITE_FILE_ENV, str(tmp_path / "site" / "slurm.yaml"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    return tmp_path


@pytest.fixture
def cluster_without_accounting(slurm_env: Path) -> FakeSlurm:
    """The one-node cluster with ``accounting_storage/none``, as recorded."""
    fake = _install(slurm_env / "bin")
    mode = "no_accounting"
    fake.answer("scontrol", "show config", stdout=recorded(mode, "scontrol_show_config.txt"))
    fake.answer("sinfo", "--format", stdout=recorded(mode, "sinfo.txt"))
    fake.answer("sacct", stderr=recorded(mode, "sacct.stderr.txt"), rc=1)
    fake.answer("squeue")
    fake.answer("sacctmgr", stderr=recorded(mode, "sacctmgr.stderr.txt"), rc=1)
    fake.answer("sshare")
    return fake


@pytest.fixture
def cluster_with_accounting(slurm_env: Path) -> FakeSlurm:
    """The same cluster with slurmdbd: user root has accounts rfdemo (default) and root."""
    fake = _install(slurm_env / "bin")
    mode = "slurmdbd"
    fake.answer("scontrol", "show config", stdout=recorded(mode, "scontrol_show_config.txt"))
    fake.answer("sinfo", "--format", stdout=recorded(mode, "sinfo.txt"))
    fake.answer("sacct")
    fake.answer("squeue")
    fake.answer("sacctmgr", "format=account", stdout=recorded(mode, "sacctmgr_accounts.txt"))
    fake.answer(
        "sacctmgr", "format=DefaultAccount", stdout=recorded(mode, "sacctmgr_default_account.txt")
    )
    fake.answer("sshare", stdout=recorded(mode, "sshare.txt"))
    return fake
