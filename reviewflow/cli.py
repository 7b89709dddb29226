"""The ``reviewflow`` console command: parses arguments and dispatches, nothing else.

Each subcommand lives in ``reviewflow/commands/<name>.py`` with ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; heavy imports happen inside ``run`` so
that ``reviewflow --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from reviewflow import __version__
from reviewflow.errors import ReviewflowError

__all__ = ["COMMANDS", "build_parser", "main"]

#: Subcommands in process order (name, module under ``reviewflow.commands``).
COMMANDS: tuple[tuple[str, str], ...] = (
    ("run", "run"),
    ("cluster-check", "cluster_check"),
    ("validate", "validate"),
    ("import", "import_file"),
    ("search", "search"),
    ("citations", "citations"),
    ("dedup", "dedup"),
    ("screen", "screen"),
    ("app", "app"),
    ("simulate", "simulate"),
    ("fulltext", "fulltext"),
    ("extraction", "extraction"),
    ("synthesis", "synthesis"),
    ("prisma", "prisma"),
    ("report", "report"),
    ("update", "update"),
    ("audit", "audit"),
    ("replay-check", "replay_check"),
)


def _available_commands() -> list[tuple[str, ModuleType]]:
    found = []
    for name, module_name in COMMANDS:
        try:
            module = importlib.import_module(f"reviewflow.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"reviewflow.commands.{module_name}":
                continue
            raise
        found.append((name, module))
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reviewflow",
        description="Run, audit and update a systematic review.",
    )
    parser.add_argument("--version", action="version", version=f"reviewflow {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, module in _available_commands():
        help_text = getattr(module, "HELP", "")
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from reviewflow.logs import setup_console_logging

    parser = build_parser()
    args = parser.parse_args(argv)
    setup_console_logging(args.verbose)
    try:
        code = int(args._run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except BrokenPipeError:
        # The reader stopped early (``reviewflow audit --json | head``): nothing is wrong.
        _silence_stdout()
        return 0
    except ReviewflowError as exc:
        from reviewflow.logs import redact

        print(redact(f"reviewflow error: {exc}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; everything already written is kept", file=sys.stderr)
        return 130


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


if __name__ == "__main__":
    raise SystemExit(main())
