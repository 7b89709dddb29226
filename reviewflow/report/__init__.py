"""The review report: one self-contained HTML file (rule ``write_report``)."""

from __future__ import annotations

from reviewflow.report.render import (
    GENERATED_MARK,
    ReportConfig,
    ReportInputs,
    find_chromium,
    html_to_pdf,
    run_report_stage,
)

__all__ = [
    "GENERATED_MARK",
    "ReportConfig",
    "ReportInputs",
    "find_chromium",
    "html_to_pdf",
    "run_report_stage",
]
