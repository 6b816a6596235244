"""The demo's design dashboard: the DAG #8 pack's slide for tranches 1 and 2 (April 2022),
written as the pack's workbook and loaded through the real import."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .services.design_import import import_design_dashboard
from .unit_of_work import unit_of_work

_T1_STATUS = (
    "• High levels of comments in first review. Initial updates made, republished for review"
)
_T1_ACTION = "• Resolution of outstanding comments"
_T2_STATUS = (
    "• Design activity ongoing with {} Sub-working Group, on schedule for Tranche 2 release"
)
# The DAG #8 pack's design dashboard for tranches 1 and 2 (April 2022): tranche, service,
# artefacts, RAG last month, RAG this month, planned, expected, status and issues, actions.
DAG8_DESIGN_DASHBOARD: tuple[tuple, ...] = (
    *(
        ("1", service, count, "Green", "Amber", "Apr", "Apr", _T1_STATUS, _T1_ACTION)
        for service, count in (
            ("Load Shaping Service", 5),
            ("Registration Service", 16),
            ("Metering and Data Services", 6),
        )
    ),
    (
        "1", "DIP Technical Documents", 3, "Green", "Green", "Mar", "Mar",
        "• Approved for issue within DIP RFP, accepted that further iteration is expected", "",
    ),
    (
        "2", "Registration Service", 15, "Green", "Amber", "May", "May",
        "• Lack of supplier input into Change of Service work-groups",
        "• Explore options to specifically seek supplier feedback in initial Tranche 2 review",
    ),
    *(
        ("2", service, count, "Green", "Green", "May", "May", _T2_STATUS.format(group), "")
        for service, count, group in (
            ("Advanced Data Service", 2, "Advanced"),
            ("Unmetered Data Service", 1, "Unmetered"),
            ("Smart Data Service", 2, "Smart"),
            ("Demand Disconnection Event", 4, "ECS"),
            ("Marketwide Data Service", 4, "ECS"),
            ("Volume Allocation Service", 4, "ECS"),
        )
    ),
)  # fmt: skip
DEMO_MONTH = "2022-04"
_XLSX_HEADER = (
    "Tranche", "MHHS Service", "Artefacts", "RAG", None, "Planned DAG Month",
    "Expected DAG Month", "Current status and issues", "Actions to resolve",
)  # fmt: skip


def write_design_dashboard_xlsx(path: Path, rows=DAG8_DESIGN_DASHBOARD) -> Path:
    """The pack's slide as a workbook: title rows, "RAG" merged over "Last month | This
    month", the tranche written once per group, the legend below."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Design Dashboard"
    sheet.append(["MHHS Design Dashboard"])
    sheet.append(["INFORMATION: Updates from DAG Working Groups"])
    sheet.append([])
    sheet.append(list(_XLSX_HEADER))
    sheet.append([None, None, None, "Last month", "This month"])
    sheet.merge_cells("D4:E4")
    previous = None
    for tranche, *rest in rows:
        sheet.append([None if tranche == previous else tranche, *rest])
        previous = tranche
    sheet.append([])
    for legend in ("● On track      ● Complete", "● At Risk      ● To be determined"):
        sheet.append([legend])
    sheet.append(["● Not on track, at high risk"])
    book.save(path)
    return path


def load_design_dashboard_demo(actor: str = "demo") -> dict[str, int]:
    """The DAG #8 pack's design dashboard for tranches 1 and 2, imported as April 2022 (March
    gets the pack's "last month" RAGs), through the real import path."""
    with tempfile.TemporaryDirectory() as folder, unit_of_work():
        path = write_design_dashboard_xlsx(Path(folder) / "MHHS Design Dashboard - DAG 8.xlsx")
        report = import_design_dashboard(path, DEMO_MONTH, actor)
        if not report.ok:
            raise RuntimeError("; ".join(str(p) for p in report.errors))
    return {
        "design_records": report.created + report.updated + report.unchanged,
        "design_previous": report.previous_created,
    }
