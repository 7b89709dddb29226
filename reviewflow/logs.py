"""Routing a stage's logging into its Snakemake log file, and clean errors for users."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from reviewflow.errors import ReviewflowError

__all__ = ["log_to_file", "setup_console_logging"]


def setup_console_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@contextlib.contextmanager
def log_to_file(path: str | os.PathLike[str]) -> Iterator[None]:
    """Send logging and stderr to ``path`` for the duration of a Snakemake script.

    A :class:`ReviewflowError` ends the script with its message (in the log and on the
    terminal) and exit status 1 instead of a traceback: the user sees which file, line and
    field to fix. Any other exception is a bug and keeps its traceback in the log.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    terminal = sys.__stderr__
    with open(path, "w", encoding="utf-8") as handle:
        handler = logging.StreamHandler(handle)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
        )
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        old_stderr = sys.stderr
        sys.stderr = handle
        try:
            yield
        except ReviewflowError as exc:
            handle.write(f"error: {exc}\n")
            if terminal is not None:
                terminal.write(f"reviewflow error: {exc}\n")
            raise SystemExit(1) from None
        finally:
            sys.stderr = old_stderr
            root.removeHandler(handler)
