"""Reading the advisory group's action and decision logs in the papers' layouts, from files the
tests write (tests/govmaker.py): the area written once for a run (blank or merged cells),
"Previous meetings" as a heading row of its own or in the area column, dates as date cells,
dd/mm/yyyy text, dd/mm/yy text or Excel serials, status cells that go on with the update, and
every problem named by file, sheet, row and column."""

from __future__ import annotations

from datetime import date

import pytest

from importers.governance import (
    action_reference,
    action_sort_key,
    due_date,
    normalise_action_ref,
    normalise_decision_ref,
    normalise_meeting_ref,
    parse_action_ref,
    read_status,
)
from importers.governance_logs import read_action_log, read_decision_log
from importers.table import CellProblem
from tests.govmaker import (
    ACTION_HEADERS,
    DECISION_HEADERS,
    PACK_ACTION_HEADERS,
    write_log_csv,
    write_log_xlsx,
)

DUE = date(2022, 8, 10)
# A headline report's action table: two areas, the second over three rows, then the earlier
# meetings' actions under a heading of their own.
HEADLINE = [
    {
        "area": "Actions update",
        "reference": "DAG13-01",
        "action": "Provide an update to DAG10.1-03",
        "owner": "Programme (Ian Smith)",
        "due": DUE,
    },
    {
        "area": "Raid Review",
        "reference": "DAG13-03",
        "action": "Feed back on the price-cap risk",
        "owner": "Ofgem",
        "due": DUE,
    },
    {
        "area": "Raid Review",
        "reference": "DAG13-04",
        "action": "Review and update the dissensus log",
        "owner": "Programme (Claire Silk)",
        "due": DUE,
    },
    {
        "area": "Raid Review",
        "reference": "DAG13-05",
        "action": "Look at mechanisms for resolving contention",
        "owner": "Programme (Claire Silk)",
        "due": DUE,
    },
    {"heading": "Previous meetings"},
    {"reference": "DAG11-02", "action": "Discuss participation", "owner": "Chair", "due": DUE},
    {
        "reference": "DAG12-03",
        "action": "Arrange a joint working group",
        "owner": "Chair",
        "due": date(2022, 8, 31),
    },
]
EXPECTED = [  # (reference, meeting, area, previous), written out by hand
    ("DAG13-01", "DAG013", "Actions update", False),
    ("DAG13-03", "DAG013", "Raid Review", False),
    ("DAG13-04", "DAG013", "Raid Review", False),
    ("DAG13-05", "DAG013", "Raid Review", False),
    ("DAG11-02", "DAG011", None, True),
    ("DAG12-03", "DAG012", None, True),
]


def _summary(records) -> list[tuple]:
    return [(r.reference, r.meeting, r.area, r.previous) for r in records]


@pytest.mark.parametrize("dates", ["date", "text", "short", "serial"])
@pytest.mark.parametrize("merge_areas", [False, True])
def test_headline_layout_in_every_date_style(tmp_path, dates, merge_areas):
    path = write_log_xlsx(
        tmp_path / "DAG013 actions.xlsx",
        HEADLINE,
        headers=ACTION_HEADERS,
        dates=dates,
        merge_areas=merge_areas,
        key_values={
            "Meeting Number": "DAG013",
            "Meeting Date and Time": "28 July 2022 09:30-14:00",
            "Classification": "Public",
        },
    )
    result = read_action_log(path)
    assert [str(p) for p in result.problems] == []
    assert _summary(result.records) == EXPECTED
    assert [r.due for r in result.records] == [DUE] * 5 + [date(2022, 8, 31)]
    assert result.records[2].owner == "Programme (Claire Silk)"
    assert result.records[0].row == 7  # title, 3 key/value lines, a blank, the header
    assert (result.meeting, result.meeting_date, result.public) == (
        "DAG013",
        date(2022, 7, 28),
        True,
    )


def test_previous_meetings_in_the_area_column_and_a_label_column(tmp_path):
    """As DAG029's minutes: "Previous Meeting(s)" written in the area cell of the first earlier
    action; as the CCAG paper: a first column of labels ("Actions") merged down the table."""
    rows = [
        {"area": "CR032 Impact Assessment", "reference": "DAG29-01", "action": "Amend CR032"},
        {"area": "UTC vs Clock Times", "reference": "DAG29-02", "action": "Issue a request"},
        {"area": "UTC vs Clock Times", "reference": "DAG29-03", "action": "Raise with FTIG"},
        {"area": "Previous Meeting(s)", "reference": "DAG28-04", "action": "Raise DINs"},
        {"area": "Previous Meeting(s)", "reference": "DAG27-08", "action": "Confirm versions"},
    ]
    path = write_log_xlsx(
        tmp_path / "minutes.xlsx", rows, headers=ACTION_HEADERS, label_column="Actions"
    )
    result = read_action_log(path)
    assert result.problems == []
    assert _summary(result.records) == [
        ("DAG29-01", "DAG029", "CR032 Impact Assessment", False),
        ("DAG29-02", "DAG029", "UTC vs Clock Times", False),
        ("DAG29-03", "DAG029", "UTC vs Clock Times", False),
        ("DAG28-04", "DAG028", None, True),
        ("DAG27-08", "DAG027", None, True),
    ]


def test_pack_layout_status_with_update_and_raised_date(tmp_path):
    """The DAG #8 pack: Ref | Date | Action | Owner | Due Date | Status, the status going on
    with the update ("ONGOING - ..."), references of earlier and extraordinary meetings."""
    rows = [
        {
            "reference": "DES-03-05",
            "raised_on": date(2022, 1, 12),
            "action": "Discuss PRI-20",
            "owner": "Ian Smith",
            "due": date(2022, 4, 13),
            "status": "ONGOING - Dates proposed, awaiting agreement and scheduling.",
        },
        {
            "reference": "DAG04-02",
            "raised_on": date(2022, 2, 9),
            "action": "Follow up on the design principles",
            "owner": "Ian Smith",
            "due": date(2022, 4, 13),
            "status": "RECOMMEND CLOSED - Discussion held between IS and CH.",
        },
        {
            "reference": "DAG06.1-01",
            "raised_on": date(2022, 3, 17),
            "action": "Consult the SDS user group",
            "owner": "Programme (Design Team)",
            "due": date(2022, 4, 13),
            "status": "Action closed.",
        },
        {
            "reference": "DAG07-03",
            "raised_on": date(2022, 3, 23),
            "action": "Bring future versions of the DIP specification",
            "owner": "Programme (Design Team)",
            "due": "ASAP",
            "status": "",
        },
    ]
    path = write_log_xlsx(tmp_path / "pack.xlsx", rows, headers=PACK_ACTION_HEADERS, dates="text")
    result = read_action_log(path)
    assert result.problems == []
    records = result.records
    assert [(r.reference, r.meeting) for r in records] == [
        ("DES-03-05", "DES003"),
        ("DAG04-02", "DAG004"),
        ("DAG06.1-01", "DAG006.1"),
        ("DAG07-03", "DAG007"),
    ]
    assert [r.status for r in records] == ["ongoing", "recommend_closed", "closed", None]
    assert [r.update for r in records] == [
        "Dates proposed, awaiting agreement and scheduling.",
        "Discussion held between IS and CH.",
        None,
        None,
    ]
    assert [r.raised_on for r in records][:2] == [date(2022, 1, 12), date(2022, 2, 9)]
    assert (records[3].due, records[3].due_note) == (None, "ASAP")
    assert [r.area for r in records] == [None, None, None, None]  # the pack has no Area column


def test_csv_with_an_update_column(tmp_path):
    headers = {**ACTION_HEADERS, "update": "Update"}
    rows = [
        {
            "area": "Code Body Assumptions Review",
            "reference": "CCAG03-10",
            "action": "Add code body assumptions to the RAID Framework",
            "owner": "Programme (PMO)",
            "due": date(2022, 3, 23),
        },
        {
            "area": "Code Body Assumptions Review",
            "reference": "CCAG03-11",
            "action": "Provide rewording of DCUSA/A1 assumption",
            "owner": "DCUSA (John Lawton)",
            "due": date(2022, 3, 2),
            "update": "Update: Shared alongside CCAG Headline Report 24/02/22",
        },
    ]
    path = write_log_csv(tmp_path / "ccag.csv", rows, headers=headers, dates="short")
    result = read_action_log(path)
    assert result.problems == []
    assert [(r.reference, r.meeting, r.area, r.due) for r in result.records] == [
        ("CCAG03-10", "CCAG003", "Code Body Assumptions Review", date(2022, 3, 23)),
        ("CCAG03-11", "CCAG003", "Code Body Assumptions Review", date(2022, 3, 2)),
    ]
    assert result.records[1].update == "Shared alongside CCAG Headline Report 24/02/22"


def test_every_problem_names_file_sheet_row_and_column(tmp_path):
    rows = [
        {"area": "A", "reference": "DAG13-01", "action": "Fine", "owner": "Chair", "due": DUE},
        {"area": "A", "reference": "Action 2", "action": "Bad ref", "due": DUE},
        {"area": "A", "reference": "DAG13-03", "action": "Bad date", "due": "31/02/2022"},
        {"area": "A", "reference": "DAG13-01", "action": "Twice", "due": DUE},
        {"area": "A", "reference": "DAG13-05", "action": "", "due": DUE},
        {"area": "A", "action": "No reference at all", "due": DUE},
        {"area": "A", "reference": "DAG13-07", "action": "Odd status", "status": "Parked"},
    ]
    headers = {**ACTION_HEADERS, "status": "Status"}
    path = write_log_xlsx(tmp_path / "bad.xlsx", rows, headers=headers, dates="text", title_rows=())
    problems = [str(p) for p in read_action_log(path).problems]
    assert problems == [
        "bad.xlsx, sheet 'Actions', row 4, column 'Action Ref' (B): not an action reference "
        "(like DAG13-04): 'Action 2'",
        "bad.xlsx, sheet 'Actions', row 5, column 'Due Date' (E): not a date (write "
        "dd/mm/yyyy): '31/02/2022'",
        "bad.xlsx, sheet 'Actions', row 6, column 'Action Ref' (B): action DAG13-01 is listed "
        "twice (first at sheet 'Actions' row 3): 'DAG13-01'",
        "bad.xlsx, sheet 'Actions', row 7, column 'Action' (C): action DAG13-05 has no text",
        "bad.xlsx, sheet 'Actions', row 8, column 'Action Ref' (B): action without a "
        "reference: add one (like DAG13-04) or delete the row",
        "bad.xlsx, sheet 'Actions', row 9, column 'Status' (F): unknown status (use Open, "
        "Ongoing, Recommend closed or Closed, followed by the update if you like): 'Parked'",
    ]


def test_no_table_is_one_problem(tmp_path):
    path = write_log_csv(tmp_path / "notes.csv", [{"x": "y"}], headers={"x": "Notes"})
    assert [str(p) for p in read_action_log(path).problems] == [
        "notes.csv: no action table found: no sheet has a header row with an 'Action Ref' "
        "(or 'Ref') column and an 'Action' column in its first 40 rows"
    ]


def test_decisions_keep_paragraphs_and_numbered_points(tmp_path):
    text = (
        "DAG agreed that:\n"
        "1. The charging methodology relating to the Level Playing Field Principle does not "
        "work for suppliers.\n"
        "2. A joint working group would not be held until further development."
    )
    rows = [
        {"area": "Level Playing Field Principle", "reference": "DAG-DEC-29", "decision": text},
        {"area": "Minutes and Actions", "reference": "DAG-DEC75", "decision": "Minutes approved"},
        {"area": "Minutes and Actions", "reference": "dag-dec-76", "decision": "CR032 to IA"},
    ]
    headers = {**DECISION_HEADERS, "artefacts": "Artefacts"}
    rows[1]["artefacts"] = "MHHSP-BP004; IF-005"
    path = write_log_xlsx(
        tmp_path / "decisions.xlsx",
        rows,
        headers=headers,
        sheet="Decisions",
        merge_areas=True,
        key_values={"Meeting Number": "DAG029"},
    )
    result = read_decision_log(path)
    assert result.problems == []
    assert result.meeting == "DAG029"
    assert [(r.reference, r.area, r.meeting) for r in result.records] == [
        ("DAG-DEC-29", "Level Playing Field Principle", None),
        ("DAG-DEC-75", "Minutes and Actions", None),
        ("DAG-DEC-76", "Minutes and Actions", None),
    ]
    assert result.records[0].text == text
    assert result.records[1].artefacts == ["BP004", "IF005"]


def test_a_bad_meeting_line_is_named(tmp_path):
    path = write_log_xlsx(
        tmp_path / "d.xlsx",
        [{"area": "A", "reference": "DAG-DEC-01", "decision": "Agreed"}],
        headers=DECISION_HEADERS,
        sheet="Decisions",
        key_values={"Meeting Number": "the big one"},
        title_rows=(),
    )
    assert [str(p) for p in read_decision_log(path).problems] == [
        "d.xlsx, sheet 'Decisions', row 1, column 'Meeting Number' (B): not a meeting "
        "reference (like DAG013): 'the big one'"
    ]


# --- the words and references ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("ONGOING - Dates proposed", ("ongoing", "Dates proposed")),
        ("RECOMMEND CLOSED - Discussion held.", ("recommend_closed", "Discussion held.")),
        ("Recommend closure", ("recommend_closed", None)),
        ("Action closed.", ("closed", None)),
        ("Action changed to ongoing.", ("ongoing", None)),
        ("Closed", ("closed", None)),
        (
            "Completed: shared with the headline report",
            ("closed", "shared with the headline report"),
        ),
        ("open", ("open", None)),
        ("In progress", ("ongoing", None)),
        ("Parked", None),
        ("", None),
    ],
)
def test_status_spellings(written, expected):
    assert read_status(written) == expected


@pytest.mark.parametrize(
    ("written", "reference", "meeting"),
    [
        ("DAG13-04", "DAG13-04", "DAG013"),
        (" dag13-04 ", "DAG13-04", "DAG013"),
        ("DAG06.1-01", "DAG06.1-01", "DAG006.1"),
        ("CCAG03-17", "CCAG03-17", "CCAG003"),
        ("DES-03-05", "DES-03-05", "DES003"),
        ("Action 4", None, None),
    ],
)
def test_action_references(written, reference, meeting):
    assert normalise_action_ref(written) == reference
    parsed = parse_action_ref(written)
    assert (parsed.meeting if parsed else None) == meeting


def test_references_and_their_order():
    assert [normalise_meeting_ref(t) for t in ("DAG013", "DAG #8", "dag 13", "DAG006.1", "x")] == [
        "DAG013",
        "DAG008",
        "DAG013",
        "DAG006.1",
        None,
    ]
    assert [normalise_decision_ref(t) for t in ("DAG-DEC-29", "DAG-DEC75", "DAG DEC 5", "X")] == [
        "DAG-DEC-29",
        "DAG-DEC-75",
        "DAG-DEC-05",
        None,
    ]
    assert action_reference("DAG013", 4) == "DAG13-04"
    assert action_reference("DAG006.1", 1) == "DAG06.1-01"
    written = ["DAG13-02", "DAG06.1-01", "DAG06-10", "DAG13-10", "DAG6-02"]
    assert sorted(written, key=action_sort_key) == [
        "DAG6-02",
        "DAG06-10",
        "DAG06.1-01",
        "DAG13-02",
        "DAG13-10",
    ]


def test_due_dates():
    assert due_date("10/08/2022") == (date(2022, 8, 10), None)
    assert due_date("31/08/22") == (date(2022, 8, 31), None)
    assert due_date(44783) == (date(2022, 8, 10), None)  # an Excel serial
    assert due_date("ASAP") == (None, "ASAP")
    assert due_date("16/03/22 (to include in meeting papers)") == (
        date(2022, 3, 16),
        "to include in meeting papers",
    )
    with pytest.raises(CellProblem):
        due_date("31/02/2022")
