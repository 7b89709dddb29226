"""``reviewflow cluster-check``: before a SLURM run, what will work on this cluster."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "check that the SLURM profile will submit and finish jobs on this cluster"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from reviewflow.config import REPO_ROOT

    parser.add_argument(
        "--profile",
        type=Path,
        default=REPO_ROOT / "profiles" / "slurm",
        help="the profile folder to check (default: the repository's profiles/slurm)",
    )
    parser.add_argument(
        "--review",
        type=Path,
        default=Path.cwd(),
        help="the review folder jobs will run in (default: the current folder)",
    )
    parser.add_argument(
        "--test-job",
        action="store_true",
        help="also submit one small job: proves that nodes run this environment and "
        "write into the review folder, and that the status command sees the job end",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300,
        help="seconds to wait for the test job before cancelling it (default 300)",
    )


def run(args: argparse.Namespace) -> int:
    from reviewflow.cluster_check import render_checks, run_cluster_check

    checks = run_cluster_check(
        args.profile,
        workdir=args.review.resolve(),
        test_job=args.test_job,
        timeout=args.timeout,
    )
    print(render_checks(checks, args.profile), end="")
    return 1 if any(c.status == "fail" for c in checks) else 0
