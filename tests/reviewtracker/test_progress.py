"""Progress over time from import times and the audit trail, through pandas, on the hand-made
round 1: days, burn-down and median days to a disposition counted by hand; and the read result
as a DataFrame."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime

import pytest
from sqlalchemy import update

from importers import read_comment_log
from reviewtracker.extensions import db
from reviewtracker.models import AuditEvent, Comment
from reviewtracker.services.progress import round_progress, tranche_progress
from reviewtracker.services.progress_charts import burndown, median_bars, received_bars
from reviewtracker.services.scope import Scope
from reviewtracker.services.triage import triage_comment
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_xlsx_log

from .lifecycle_data import ACME
from .rounds_data import ROUND_1_ACME, comment_id, round_one

pytestmark = pytest.mark.usefixtures("app_context")
STAFF = Scope.staff()
# When each round-1 comment was imported (the import stamps "now": set here by hand).
IMPORTED = {
    ("Acme Energy", "1"): datetime(2022, 4, 10, 9),
    ("Acme Energy", "2"): datetime(2022, 4, 12, 9),
    ("Acme Energy", "3"): datetime(2022, 4, 20, 9),
    ("Acme Energy", "4"): datetime(2022, 4, 14, 9),
    ("Northgate Data", "1"): datetime(2022, 4, 11, 9),
}


def _dated_round_one(folder) -> int:
    round_id = round_one(folder)
    with unit_of_work():
        for (organisation, log_id), at in IMPORTED.items():
            cid = comment_id(organisation, log_id)
            db.session.execute(update(Comment).where(Comment.id == cid).values(created_at=at))
            # The log gave four of them a disposition: audited at their import.
            db.session.execute(update(AuditEvent).where(AuditEvent.comment_id == cid).values(at=at))
        # Acme's #3 (open) triaged five days after its import.
        open_one = comment_id("Acme Energy", "3")
        triage_comment(open_one, {"disposition": "rejected"}, actor="t")
        db.session.execute(
            update(AuditEvent)
            .where(AuditEvent.comment_id == open_one)
            .values(at=datetime(2022, 4, 25, 9))
        )
    return round_id


def test_received_per_day_and_the_burn_down(tmp_path):
    progress = round_progress(_dated_round_one(tmp_path), STAFF)
    # The window opens on 1 April; the last thing happens on 25 April.
    assert (progress.start, progress.end) == (date(2022, 4, 1), date(2022, 4, 25))
    days = {d["day"]: d for d in progress.days}
    assert len(progress.days) == 25
    received = {day: d["received"] for day, d in days.items() if d["received"]}
    assert received == {
        date(2022, 4, 10): 1,
        date(2022, 4, 11): 1,
        date(2022, 4, 12): 1,
        date(2022, 4, 14): 1,
        date(2022, 4, 20): 1,
    }
    # By hand: four came dispositioned by their log; #3 waited from 20 to 25 April.
    assert days[date(2022, 4, 9)] == {
        "day": date(2022, 4, 9),
        "received": 0,
        "total": 0,
        "dispositioned": 0,
        "open": 0,
    }
    assert (days[date(2022, 4, 15)]["total"], days[date(2022, 4, 15)]["open"]) == (4, 0)
    assert (days[date(2022, 4, 20)]["total"], days[date(2022, 4, 20)]["open"]) == (5, 1)
    assert (days[date(2022, 4, 25)]["dispositioned"], days[date(2022, 4, 25)]["open"]) == (5, 0)
    # Median days from import to disposition: Supplier- Large (Acme) 0, 0, 0 and 5 -> 0;
    # Northgate's constituency 0. Per artefact: BP004 four at 0; BP005 one at 5.
    assert progress.by_artefact == [("BP005", 5.0, 1), ("BP004", 0.0, 4)]
    assert dict((n, m) for n, m, _c in progress.by_constituency) == {
        "Supplier- Large": 0.0,
        "Other- IT Service Provider": 0.0,
    }
    assert tranche_progress("1", STAFF).days == progress.days


def test_the_charts_are_svg_with_a_bar_per_day_and_two_lines(tmp_path):
    progress = round_progress(_dated_round_one(tmp_path), STAFF)
    bars = str(received_bars(progress, "Received <per> day"))
    assert bars.startswith("<svg") and bars.count("<rect") == 5
    assert "Received &lt;per&gt; day" in bars
    lines = str(burndown(progress, "Burn-down"))
    assert 'data-series="open"' in lines and 'data-series="dispositioned"' in lines
    assert str(median_bars(progress.by_artefact, "Median")).count("<rect") == 2
    assert str(received_bars(round_progress(10_000, STAFF), "none")) == ""


def test_a_read_result_is_a_data_frame(tmp_path):
    path = write_xlsx_log(tmp_path / "acme.xlsx", ROUND_1_ACME, key_values=ACME)
    frame = read_comment_log(path).to_frame()
    assert list(frame["artefact"]) == ["BP004", "BP004", "BP005", "BP004"]
    assert frame.groupby("artefact").size().to_dict() == {"BP004": 3, "BP005": 1}
    assert "comment" in frame.columns and len(frame) == 4


def test_the_board_pack_has_a_progress_sheet(tmp_path):
    _dated_round_one(tmp_path)
    import io

    from openpyxl import load_workbook

    from reviewtracker.services.board_pack import board_pack

    sheet = load_workbook(io.BytesIO(board_pack("1", 1)))["Progress"]
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]}
    assert rows[datetime(2022, 4, 20)] == (1, 5, 4, 1)  # received, so far, dispositioned, open
    assert rows["Artefact"] == ("Median days to a disposition", "Comments", None, None)
    assert rows["BP005"][:2] == (5, 1)


def test_the_app_starts_without_pandas():
    """pandas is imported when progress is first drawn, not when the app starts: a process
    that only imports logs (the CLI) or serves other pages does without its 50 MB."""
    code = (
        "import sys; from reviewtracker import create_app; "
        "create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://'}); "
        "print('pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"
