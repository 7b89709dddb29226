"""``reviewflow app``: screen a review in the browser, decisions into its own files."""

from __future__ import annotations

import argparse

HELP = "screen in the browser: one study at a time, the model refitted as you go"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Serve a local page for a review whose pipeline has run up to screening: the "
        "top-ranked study nobody has decided, keyboard decisions appended to the review's "
        "decision files (the ones Snakemake reads), progress and the stopping estimate as "
        "the pipeline computes them, conflicts between reviewers and full-text decisions."
    )
    parser.add_argument(
        "--review",
        help="the review folder (holding config.yaml, or config/config.yaml); "
        "default: the demo review",
    )
    parser.add_argument(
        "--reviewer",
        help="who is screening (default: git config user.name, else the login name); "
        "each browser may sign as someone else on the page",
    )
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only). Any other "
        "address serves the network and requires the token printed in the link",
    )
    parser.add_argument(
        "--unblind",
        action="store_true",
        help="show every reviewer the others' decisions and the agreement (default: blind, "
        "only the adjudicator sees them)",
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")


def _default_reviewer() -> str:
    import getpass
    import subprocess

    try:
        name = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=5, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def run(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from reviewflow.app.serve import serve
    from reviewflow.app.server import AppSettings
    from reviewflow.config import REPO_ROOT

    settings = AppSettings(
        review_dir=Path(args.review) if args.review else REPO_ROOT,
        reviewer=" ".join((args.reviewer or _default_reviewer()).split()),
        host=args.host,
        port=args.port,
        unblind=args.unblind,
        token=os.environ.get("REVIEWFLOW_APP_TOKEN", ""),
    )
    return serve(settings, open_browser=not args.no_browser)
