"""The archive lock: one writer per archive, and the second one is told who holds it."""

from __future__ import annotations

import os

import pytest

from reviewflow.errors import SourceError
from reviewflow.sources.archive_run import archive_lock


def test_a_second_writer_is_refused_with_the_holders_process_id(tmp_path):
    archive = tmp_path / "search" / "archive"
    with archive_lock(archive):
        with pytest.raises(SourceError, match=rf"process {os.getpid()}\) is still writing"):
            with archive_lock(archive):
                pass  # pragma: no cover - never reached
    with archive_lock(archive):  # released: the next job takes it
        assert (tmp_path / "search" / "archive.lock.owner").read_text().strip() == str(os.getpid())
