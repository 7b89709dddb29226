"""Extraction stage: the form from config, workbooks out, filled workbooks checked and read back.

``form`` builds and checks the form; ``export`` writes the workbook and CSV copies;
``sheets`` reads and writes cells safely; ``validate`` checks a filled workbook; ``stage``
holds the Snakemake entry points.
"""

from __future__ import annotations

from reviewflow.extraction.stage import check_filled, run_export_stage, run_import_stage

__all__ = ["check_filled", "run_export_stage", "run_import_stage"]
