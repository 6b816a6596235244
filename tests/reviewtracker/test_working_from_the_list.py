"""Working from the list and the comment page: downloads of the filtered list, compact rows,
"3 of 35" and "Save and next open", the bulk confirmation naming what it overwrites, marking a
duplicate that would replace a response, the action owner rule, and people by their names."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import AuditEvent, Comment, Organisation, User
from reviewtracker.services import ServiceError
from reviewtracker.services.bulk_triage import bulk_plan, bulk_triage
from reviewtracker.services.comment_import import import_comment_log
from reviewtracker.services.triage import mark_duplicate, triage_comment
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_xlsx_log

from .factories import add_artefacts, comment_rows

ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}
TESS = "tess@example.org"


@pytest.fixture
def world(app, tmp_path: Path) -> dict:
    """Six of Acme's comments (log ids 1-6) over BP004, BP005 and IF005, imported."""
    with app.app_context():
        add_artefacts(("BP004", "1"), ("BP005", "1"), ("IF005", "1"))
        log = write_xlsx_log(tmp_path / "Acme_T1_log.xlsx", comment_rows(6), key_values=ACME)
        batch = import_comment_log(log).batch_id
        ids = dict(db.session.execute(select(Comment.log_comment_id, Comment.id)).all())
        organisation = db.session.scalar(select(Organisation.id))
    return {"ids": ids, "organisation": organisation, "batch": batch, "log": log}


def _triage(app, comment_id: int, changes: dict, actor: str = TESS):
    with app.app_context(), unit_of_work():
        return triage_comment(comment_id, changes, actor=actor)


def _stored(app, comment_id: int) -> tuple:
    with app.app_context():
        c = db.session.get(Comment, comment_id)
        return c.disposition, c.response, c.action_owner, c.action_due


def _events(app, comment_id: int, field: str) -> list[tuple]:
    with app.app_context():
        query = select(AuditEvent.before, AuditEvent.after, AuditEvent.origin).where(
            AuditEvent.comment_id == comment_id, AuditEvent.field == field
        )
        return [tuple(row) for row in db.session.execute(query.order_by(AuditEvent.id))]


# --- the action owner rule ---------------------------------------------------------------------


def test_an_owner_belongs_to_a_comment_in_action(app, world):
    one = world["ids"]["1"]
    with pytest.raises(ServiceError, match="only for comments in Action"):
        _triage(app, one, {"action_owner": "Design team"})  # still open
    _triage(app, one, {"disposition": "action", "action_owner": "Design team",
                       "action_due": date(2025, 1, 31)})  # fmt: skip
    assert _stored(app, one)[2:] == ("Design team", date(2025, 1, 31))
    with pytest.raises(ServiceError, match="only for comments in Action"):
        _triage(app, one, {"disposition": "accepted", "action_owner": "Someone else"})
    # Out of Action: the owner and due date go, audited.
    _triage(app, one, {"disposition": "accepted"})
    assert _stored(app, one) == ("accepted", None, None, None)
    assert _events(app, one, "action_owner")[-1] == ("Design team", None, "browser")
    assert _events(app, one, "action_due")[-1] == ("2025-01-31", None, "browser")


def test_bulk_and_duplicates_and_reimports_keep_the_rule(app, world, tmp_path):
    ids = world["ids"]
    for log_id in ("1", "2", "4"):
        _triage(app, ids[log_id], {"disposition": "action", "action_owner": "Ops"})
    with app.app_context():
        # An owner for open comments is refused, naming how many are not in Action.
        with pytest.raises(ServiceError, match="1 of the selected comments is not in Action"):
            bulk_plan([ids["1"], ids["3"]], None, {"action_owner": "Ops"})
        # A new disposition clears what it overwrites; the plan says so.
        plan = bulk_plan([ids["1"], ids["2"]], None, {"disposition": "rejected"})
        assert plan.per_field == {"disposition": 2, "action_owner": 2, "action_due": 0}
        assert plan.overwritten == {"disposition": 2, "action_owner": 2, "action_due": 0}
        assert [(o.field, o.value) for o in plan.examples] == [
            ("disposition", "action"), ("disposition", "action"),
            ("action_owner", "Ops"), ("action_owner", "Ops"),
        ]  # fmt: skip
        with unit_of_work():
            assert bulk_triage([ids["1"], ids["2"]], None, {"disposition": "rejected"}, TESS) == 2
        # A duplicate follows its original out of Action.
        with unit_of_work():
            mark_duplicate(ids["4"], ids["1"], actor=TESS)
    assert _stored(app, ids["1"])[2] is None and _stored(app, ids["2"])[2] is None
    assert _stored(app, ids["4"]) == ("rejected", None, None, None)
    # A re-import that moves a comment out of Action (a decision the log set) clears it too.
    rows = comment_rows(6)
    rows[2]["disposition"] = "Action"  # comment 3
    with app.app_context():
        import_comment_log(write_xlsx_log(tmp_path / "v2.xlsx", rows, key_values=ACME))
    _triage(app, ids["3"], {"action_owner": "Ops"})  # in Action now, from the log
    rows[2]["disposition"] = "Accepted"
    with app.app_context():
        report = import_comment_log(write_xlsx_log(tmp_path / "v3.xlsx", rows, key_values=ACME))
    assert _stored(app, ids["3"])[:3] == ("accepted", None, None)
    assert _events(app, ids["3"], "action_owner")[-1] == ("Ops", None, "import")
    with app.app_context():
        cleared = db.session.scalar(
            select(AuditEvent.import_batch_id)
            .where(AuditEvent.comment_id == ids["3"], AuditEvent.field == "action_owner")
            .order_by(AuditEvent.id.desc())
        )
    assert cleared == report.batch_id


# --- the comment page ----------------------------------------------------------------------------


def test_the_page_says_where_it_is_and_saves_to_the_next_open(app, client, login, world):
    ids = world["ids"]
    login("triager")
    _triage(app, ids["2"], {"disposition": "accepted"})
    _triage(app, ids["3"], {"disposition": "rejected"})
    # Sorted by artefact: BP004 (1, 4), BP005 (2, 5), IF005 (3, 6), each by id.
    page = client.get(f"/comments/{ids['4']}").get_data(as_text=True)
    assert re.search(r"data-place>2 of 6<", page)
    page = client.get(f"/comments/{ids['5']}?disposition=open").get_data(as_text=True)
    assert re.search(r"data-place>3 of 4<", page)  # 1, 4, 5, 6 are open
    form = dict.fromkeys(("response", "action_owner", "action_due", "internal_note"), "")
    form |= {"disposition": "accepted", "version": "1", "save_next_open": "Save and next open"}
    saved = client.post(f"/comments/{ids['1']}", data=form)
    assert saved.headers["Location"] == f"/comments/{ids['4']}"  # the next one, and open
    saved = client.post(f"/comments/{ids['4']}", data=form)
    assert saved.headers["Location"] == f"/comments/{ids['5']}"  # 2 is accepted: skipped
    last = client.post(f"/comments/{ids['6']}", data=form)
    assert last.headers["Location"] == "/comments/"
    with client.session_transaction() as session:
        assert ("info", "There is no open comment after it in this list.") in session["_flashes"]


def test_a_duplicate_asks_before_replacing_a_response(app, client, login, world):
    ids = world["ids"]
    login("triager")
    _triage(app, ids["1"], {"disposition": "rejected", "response": "Out of scope."})
    _triage(app, ids["4"], {"response": "We will add the exception path."})
    asked = client.post(
        f"/comments/{ids['4']}/duplicate", data={"other": str(ids["1"]), "version": "2"}
    )
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "data-duplicate-confirm" in page
    assert "We will add the exception path." in page and "Out of scope." in page
    assert _stored(app, ids["4"])[1] == "We will add the exception path."  # nothing yet
    for odd in ("no", "", "YES"):
        again = client.post(
            f"/comments/{ids['4']}/duplicate",
            data={"other": str(ids["1"]), "version": "2", "confirm": odd},
        )
        assert again.status_code == 200  # asked again, never a 500
    # A control character: the app-wide answer (inputs.refuse_control_characters), a 400.
    nul = client.post(
        f"/comments/{ids['4']}/duplicate",
        data={"other": str(ids["1"]), "version": "2", "confirm": "yes\x00"},
    )
    assert nul.status_code == 400
    done = client.post(
        f"/comments/{ids['4']}/duplicate",
        data={"other": str(ids["1"]), "version": "2", "confirm": "yes"},
    )
    assert done.status_code == 302
    assert _stored(app, ids["4"])[:2] == ("rejected", "Out of scope.")
    # Without a response of its own there is nothing to lose: no question.
    plain = client.post(
        f"/comments/{ids['5']}/duplicate", data={"other": str(ids["2"]), "version": "1"}
    )
    assert plain.status_code == 302


def test_histories_name_people_and_imports(app, client, login, world, make_user):
    make_user("triager", TESS)
    with app.app_context():
        db.session.execute(db.update(User).where(User.email == TESS).values(name="Tess Tran"))
        db.session.commit()
    _triage(app, world["ids"]["1"], {"disposition": "accepted", "response": "Agreed."})
    rows = comment_rows(6)
    rows[1]["disposition"] = "Rejected"
    with app.app_context():
        import_comment_log(write_xlsx_log(world["log"].parent / "v2.xlsx", rows, key_values=ACME))
    login("viewer")
    who = re.findall(
        r'<td class="actor">([^<]+)</td>',
        client.get(f"/comments/{world['ids']['1']}").get_data(as_text=True),
    )
    assert who == ["Tess Tran", "Tess Tran"]
    who = re.findall(
        r'<td class="actor">([^<]+)</td>',
        client.get(f"/comments/{world['ids']['2']}").get_data(as_text=True),
    )
    assert who == ["import of v2.xlsx"]


# --- the list ------------------------------------------------------------------------------------


def test_the_list_downloads_what_it_shows(client, login, world):
    login("triager")
    organisation = world["organisation"]
    page = client.get(f"/comments/?organisation={organisation}&disposition=open").get_data(
        as_text=True
    )
    links = dict(re.findall(r'href="([^"]+)" data-download="(\w+)"', page))
    assert {v: k.replace("&amp;", "&") for k, v in links.items()} == {
        "xlsx": f"/exports/comments.xlsx?organisation={organisation}&disposition=open",
        "csv": f"/exports/comments.csv?organisation={organisation}&disposition=open",
        "responses": f"/exports/responses/{organisation}.xlsx",
    }
    everything = client.get("/comments/").get_data(as_text=True)
    assert 'data-download="xlsx"' in everything and 'data-download="responses"' not in everything


def test_a_reviewer_gets_no_responses_button_for_the_list(client, login, world):
    login("reviewer", organisation=world["organisation"])
    page = client.get(f"/comments/?organisation={world['organisation']}").get_data(as_text=True)
    assert 'data-download="xlsx"' in page and 'data-download="responses"' not in page


@pytest.mark.parametrize(
    ("cookie", "density"),
    [("compact", "compact"), ("comfortable", "comfortable"), ("x" * 3000, "comfortable"),
     ("compact\x00", "comfortable"), ("²", "comfortable")],
)  # fmt: skip
def test_compact_rows_are_the_browsers_choice(client, login, world, cookie, density):
    login("viewer")
    client.set_cookie("list_density", cookie)
    page = client.get("/comments/")
    assert page.status_code == 200
    assert f'class="grid comments {density}"' in page.get_data(as_text=True)


def test_the_bulk_confirmation_lists_what_it_overwrites(app, client, login, world):
    ids = world["ids"]
    login("triager")
    _triage(app, ids["1"], {"response": "Typed by Tess."})
    data = {"scope": "selected", "ids": [str(ids["1"]), str(ids["4"])],
            "response": "The same answer for both."}  # fmt: skip
    page = client.post("/comments/bulk", data=data).get_data(as_text=True)
    overwrites = page[page.index("data-overwrites") : page.index("confirm-actions")]
    assert "Response: 1 comment" in overwrites and "Typed by Tess." in overwrites
    assert f"#{ids['1']}" in overwrites and f"#{ids['4']}" not in overwrites
