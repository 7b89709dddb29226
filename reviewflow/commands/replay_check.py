"""``reviewflow replay-check``: rerun a review from its archive and compare every output."""

from __future__ import annotations

import argparse

HELP = "rerun a review offline from its archive into a scratch copy; compare every output"

_EPILOG = """\
The review is run again from scratch with --config replay=true, without network where the
system allows it (unshare -n), into a scratch copy of its folder (the review folder itself
is not touched). Then the sha256 of every file under results/ is compared with the run's,
except the run's own records (audit records, logs, timings); report.html is compared with
its one marked generation time blanked. Exit status 0 when every output is byte-identical,
1 when any differs (each is listed).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    parser.add_argument(
        "--review", help="the review folder (default: the demo review in this repository)"
    )
    parser.add_argument(
        "--scratch", help="an empty folder for the replay (default: a new temporary folder)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--cores", "-c", default="2", help="cores for Snakemake (default 2)")
    parser.add_argument(
        "snakemake_args", nargs=argparse.REMAINDER, help="passed to snakemake, after --"
    )


def run(args: argparse.Namespace) -> int:
    import shutil
    import sys

    from reviewflow.replay import replay_check

    extra = [a for a in args.snakemake_args if a != "--"]
    result, scratch, offline = replay_check(
        args.review, scratch=args.scratch, cores=args.cores, extra=extra
    )
    if not offline:
        print(
            "note: the network could not be cut off (no usable unshare); replay mode "
            "answered every request from the archive all the same",
            file=sys.stderr,
        )
    print(result.describe())
    if args.keep or args.scratch:
        print(f"replay kept in {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if result.ok else 1
