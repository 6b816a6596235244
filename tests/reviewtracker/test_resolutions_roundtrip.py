"""The resolutions workbook round trip: export, edit offline (here with openpyxl: columns
reordered, added and deleted, rows deleted and sorted, dispositions spelled as logs spell
them), preview, apply; conflicts for rows changed in the browser after the export; the CLI's
--fields, --dry-run and --json; the browser's upload, preview and apply.

The expected counts and audit events are written out by hand from resolution_data.py.
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from importers.resolutions import read_resolutions
from reviewtracker.extensions import db
from reviewtracker.models import AuditEvent, Comment, CommentResolution, ImportBatch
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.resolutions_import import apply_resolutions, plan_resolutions
from reviewtracker.services.resolutions_workbook import resolutions_workbook
from reviewtracker.services.scope import Scope
from reviewtracker.services.triage import triage_comment
from reviewtracker.unit_of_work import unit_of_work

from .factories import sign_in_as
from .resolution_data import Team, make_team

STAFF = Scope.staff()


@pytest.fixture
def team(app) -> Team:
    with app.app_context():
        return make_team()


def _export() -> bytes:
    return resolutions_workbook(CommentFilter(scope=STAFF))


def _table(data: bytes) -> tuple[list, list[list]]:
    """The exported sheet's header and rows (below the title and instructions)."""
    sheet = load_workbook(io.BytesIO(data))["Resolutions"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return rows[2], rows[3:]


def _edited(data: bytes, edit) -> bytes:
    """The export as a person leaves it: `edit(header, rows)` returns the new table, written
    below a title row of its own."""
    header, rows = _table(data)
    header, rows = edit(header, rows)
    book = Workbook()
    sheet = book.active
    sheet.title = "Resolutions"
    sheet.append(["Our edits, 3 March"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _reorder_and_edit(team: Team, dispositions: dict[int, str], extra_ref: int | None = None):
    """Move Disposition first, drop Proposed Change and Organisation, add a column of notes,
    delete Beta's last two rows, sort by ref descending, set `dispositions` (ref -> text)."""

    def edit(header: list, rows: list[list]) -> tuple[list, list[list]]:
        keep = [h for h in header if h not in ("Proposed Change", "Organisation")]
        order = ["Disposition", *[h for h in keep if h != "Disposition"], "Our notes"]
        table = []
        for row in rows:
            values = dict(zip(header, row, strict=True)) | {"Our notes": "checked"}
            if values["Comment Ref"] in team.other[1:]:
                continue  # deleted rows
            if values["Comment Ref"] in dispositions:
                values["Disposition"] = dispositions[values["Comment Ref"]]
            table.append([values[h] for h in order])
        if extra_ref is not None:
            table.append(["Accepted", extra_ref, 1, "BP004", "1", "3.9", "x", *[None] * 6, "?"])
        table.sort(key=lambda r: -r[order.index("Comment Ref")])
        return order, table

    return edit


def _workbook_events(batch_id: int) -> list[tuple]:
    return db.session.execute(
        select(AuditEvent.comment_id, AuditEvent.field, AuditEvent.before, AuditEvent.after)
        .where(AuditEvent.origin == "workbook", AuditEvent.import_batch_id == batch_id)
        .order_by(AuditEvent.comment_id)
    ).all()


def test_round_trip_with_reordered_columns_deleted_rows_and_a_stale_row(app, team):
    with app.app_context():
        data = _export()
        header, rows = _table(data)
        assert header[:2] == ["Comment Ref", "Stamp"] and len(rows) == 8
        # After the export, Acme's fourth comment is changed in the browser: its row is stale.
        with unit_of_work():
            triage_comment(team.own[3], {"response": "Answered in the browser."}, actor="t")
    # Five dispositions changed, as logs spell them; one is the stale row's.
    five = {
        team.own[0]: "ACCEPTED",
        team.own[1]: "Reject",
        team.own[2]: "Clarification required",
        team.own[3]: "Action",
        team.other[0]: "accepted",
    }
    edited = _edited(data, _reorder_and_edit(team, five, extra_ref=999_999))
    read = read_resolutions(edited, filename="resolutions-edited.xlsx")
    assert read.ok, [str(p) for p in read.problems]
    with app.app_context():
        plan = plan_resolutions(read, ["disposition"])
        # 7 rows (8 - 2 deleted + 1 unknown): 4 changed, 1 stale conflict, 1 unchanged
        # (Acme five), 1 unmatched (999999); no problem.
        assert [c.comment_id for c in plan.changed] == sorted(
            [team.own[0], team.own[1], team.own[2], team.other[0]], reverse=True
        )
        assert [c.comment_id for c in plan.conflicts] == [team.own[3]]
        assert plan.conflicts[0].fields == {"disposition": ("Open", "Action")}
        assert (plan.unchanged, [u[2] for u in plan.unmatched], plan.problems) == (
            1,
            [999_999],
            [],
        )
        with unit_of_work():
            plan = plan_resolutions(read, ["disposition"])
            applied = apply_resolutions(plan, actor="editor@programme.example", data=edited)
        assert (applied.changed, applied.conflicts_applied, applied.conflicts_left) == (4, 0, 1)
        batch = db.session.get(ImportBatch, applied.batch_id)
        assert (batch.kind, batch.file_name, batch.imported_by) == (
            "resolutions",
            "resolutions-edited.xlsx",
            "editor@programme.example",
        )
        assert _workbook_events(applied.batch_id) == sorted(
            [
                (team.own[0], "disposition", "open", "accepted"),
                (team.own[1], "disposition", "open", "rejected"),
                (team.own[2], "disposition", "open", "clarification"),
                (team.other[0], "disposition", "open", "accepted"),
            ]
        )
        assert db.session.get(Comment, team.own[3]).disposition == "open"  # not chosen
        assert db.session.get(Comment, team.own[0]).disposition_origin == "browser"

        # The conflict, chosen: applied too.
        with unit_of_work():
            plan = plan_resolutions(read, ["disposition"])
            assert (len(plan.changed), len(plan.conflicts), plan.unchanged) == (0, 1, 5)
            again = apply_resolutions(
                plan, actor="editor@programme.example", data=edited, take_conflicts=[team.own[3]]
            )
        assert _workbook_events(again.batch_id) == [(team.own[3], "disposition", "open", "action")]


def test_values_it_cannot_read_are_problems_located_and_left_as_they_are(app, team):
    with app.app_context():
        data = _export()

    def edit(header, rows):
        for row in rows:
            values = dict(zip(header, row, strict=True))
            if values["Comment Ref"] == team.own[0]:
                row[header.index("Disposition")] = "Maybe later"
                row[header.index("Response")] = "Kept: the rest of the row applies."
            if values["Comment Ref"] == team.own[1]:
                row[header.index("Due Date")] = "next Tuesday"
                row[header.index("Assignee")] = "nobody@example.org"
        rows.append(["C-12"] + [None] * (len(header) - 1))
        return header, rows

    read = read_resolutions(_edited(data, edit), filename="bad.xlsx")
    messages = sorted(str(p) for p in read.problems)
    assert messages == [
        "bad.xlsx, sheet 'Resolutions', row 11, column 'Comment Ref' (A): not a comment ref 'C-12' "
        "(the number reviewtracker wrote)",
        "bad.xlsx, sheet 'Resolutions', row 3, column 'Disposition' (I): not a disposition: left "
        "as it is 'Maybe later'",
        "bad.xlsx, sheet 'Resolutions', row 4, column 'Due Date' (M): not a date: left as it is "
        "'next Tuesday'",
    ]
    with app.app_context():
        plan = plan_resolutions(read)
        assert any(
            "no active team member with the email 'nobody@example.org'" in str(p)
            for p in plan.problems
        )
        assert [c.comment_id for c in plan.changed] == [team.own[0]]
        assert plan.changed[0].values == {"response": "Kept: the rest of the row applies."}


def test_cli_export_and_import_with_fields_dry_run_and_json(app, team, runner, tmp_path):
    out = tmp_path / "resolutions.xlsx"
    result = runner.invoke(args=["export", "resolutions", "--artefact", "BP005", "-o", str(out)])
    assert result.exit_code == 0, result.output
    header, rows = _table(out.read_bytes())
    assert len(rows) == 3  # BP005: Acme four and five, Beta three

    def edit(header, rows):
        for row in rows:
            row[header.index("Disposition")] = "Accepted"
            row[header.index("Response")] = "Agreed."
            row[header.index("Due Date")] = date(2025, 6, 30)
        return header, rows

    edited = tmp_path / "edited.xlsx"
    edited.write_bytes(_edited(out.read_bytes(), edit))
    dry = runner.invoke(
        args=["import-resolutions", str(edited), "--fields", "disposition", "--dry-run", "--json"]
    )
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output) == {
        "changed": 3,
        "unchanged": 0,
        "conflicts": 0,
        "unmatched": 0,
        "problems": [],
    }
    with app.app_context():
        assert db.session.get(Comment, team.own[3]).disposition == "open"  # a dry run
    done = runner.invoke(
        args=["import-resolutions", str(edited), "--fields", "disposition,due_date", "--json"]
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["changed"] == 3
    with app.app_context():
        comment = db.session.get(Comment, team.own[3])
        assert (comment.disposition, comment.response) == ("accepted", None)  # not a field
        # The assignment's due date (its own column), not the action's: an accepted comment
        # has no action due date.
        assert db.session.get(CommentResolution, team.own[3]).due_on == date(2025, 6, 30)
        assert comment.action_due is None
        assert db.session.get(Comment, team.own[3]).version == 2
        with unit_of_work():
            triage_comment(team.own[4], {"disposition": "rejected"}, actor="t")
    # Now Acme five's row is stale and differs: a conflict left, so the command exits 1.
    stale = runner.invoke(
        args=["import-resolutions", str(edited), "--fields", "disposition", "--json"]
    )
    assert stale.exit_code == 1
    assert json.loads(stale.output)["conflicts"] == 1
    bad = runner.invoke(args=["import-resolutions", str(edited), "--fields", "colour"])
    assert bad.exit_code != 0 and "unknown field colour" in bad.output


def test_browser_upload_preview_and_apply_a_chosen_conflict(app, client, team):
    sign_in_as(client, team.triager_id)
    data = client.get("/resolutions/workbook.xlsx?artefact=BP005").data
    with app.app_context(), unit_of_work():
        triage_comment(team.own[4], {"response": "Changed in the browser."}, actor="t")

    def edit(header, rows):
        for row in rows:
            row[header.index("Disposition")] = "Rejected"
        return header, rows

    upload = {"workbook": (io.BytesIO(_edited(data, edit)), "edited.xlsx")}
    response = client.post("/resolutions/import", data=upload, content_type="multipart/form-data")
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "<strong>2</strong> changed" in page and "<strong>1</strong> conflict" in page
    # The stale row side by side: the browser's response, and the workbook's (blank).
    assert 'Changed in the browser.</td><td class="prose">—</td>' in page
    token = preview_url.rsplit("/", 1)[1]
    form = {"token": token, "fields": ["disposition"], "conflicts": [str(team.own[4])]}
    done = client.post(preview_url, data=form, follow_redirects=True)
    assert "Applied 3 rows from edited.xlsx (1 conflict taken" in done.get_data(as_text=True)
    with app.app_context():
        dispositions = db.session.scalars(
            select(Comment.disposition).where(Comment.id.in_([*team.own[3:], team.other[2]]))
        ).all()
        assert dispositions == ["rejected"] * 3
    # Hostile uploads and tokens: refused with a message, never a 500.
    for name, body in (("x.csv", b"a,b"), ("x.xlsx", b"not a workbook"), ("x.xlsx", b"")):
        bad = client.post(
            "/resolutions/import",
            data={"workbook": (io.BytesIO(body), name)},
            content_type="multipart/form-data",
        )
        assert bad.status_code == 400
    for token in ("0" * 32, "../../etc", "%00", "²" * 32):
        assert client.get(f"/resolutions/import/{token}").status_code == 404


def test_the_workbook_locks_the_reviewers_text_and_offers_the_dispositions(app, team):
    with app.app_context():
        book = load_workbook(io.BytesIO(_export()))
        by_group = load_workbook(
            io.BytesIO(resolutions_workbook(CommentFilter(scope=STAFF), by="artefact"))
        )
    sheet = book["Resolutions"]
    assert book.sheetnames == ["Resolutions", "Read Me"]
    assert sheet.protection.sheet and not sheet.protection.sort and not sheet.protection.deleteRows
    assert sheet.column_dimensions["B"].hidden  # the stamp
    header = [c.value for c in sheet[3]]
    row = {label: sheet.cell(4, i + 1) for i, label in enumerate(header)}
    assert row["Comment"].protection.locked and row["Comment Ref"].protection.locked
    assert not row["Disposition"].protection.locked and not row["Response"].protection.locked
    lists = [dv.formula1 for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert '"Accepted,Action,Rejected,Requires Further Clarification,Open"' in lists
    assert '"BPRWG"' in lists
    assert by_group.sheetnames == ["BP004", "BP005", "Read Me"]
