"""The comment register's CSV, byte for byte, for a few comments written by hand: dates and
date-times, a formula-like text, quotes and line breaks, empty cells, the staff's working
disposition against a reviewer's published one. The same bytes on SQLite and on PostgreSQL
(REVIEWTRACKER_TEST_DATABASE_URL): the register reads its rows from the driver
(services/driver_query.py) and writes its CSV itself (services/csv_text.py)."""

from __future__ import annotations

import codecs
from datetime import date, datetime

import pytest
from sqlalchemy import Date, Integer, bindparam, literal, select, update

from reviewtracker.extensions import db
from reviewtracker.models import Comment, PublishedResponse
from reviewtracker.services import comment_register
from reviewtracker.services.bulk_triage import bulk_triage
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_queries import filtered_ids
from reviewtracker.services.comment_register import comment_register_csv
from reviewtracker.services.driver_query import DriverQuery
from reviewtracker.services.publishing import publish
from reviewtracker.services.scope import Scope
from reviewtracker.services.triage import triage_comment

from .dashboard_data import add_comment

pytestmark = pytest.mark.usefixtures("app_context")

LEAD = "lead@programme"


def _comments() -> int:
    """Three comments (ids 1, 2, 3), the first published; returns Acme's organisation id."""
    first = add_comment(
        "BP004",
        "=SUM(A1)",
        log_comment_id="A-1",
        section="3.1",
        page="12",
        comment_type="Editorial",
        reviewer="Ann Example",
        raised_on=date(2024, 3, 8),
        proposed_change='Say "why", please',
        source_file="acme.xlsx",
        source_sheet="Comments",
        source_row=7,
        internal_note="+ check with Bob",
        created_at=datetime(2024, 3, 1, 8, 0),
    )
    add_comment(
        "BP004",
        "Line one\nline two",
        disposition="action",
        action_owner="Bob",
        action_due=date(2024, 4, 1),
        created_at=datetime(2024, 3, 2, 8, 0),
        updated_at=datetime(2024, 3, 10),
    )
    duplicate = add_comment("BP001", "Fine", organisation="Beta Power", duplicate_of_id=first.id)
    triage_comment(
        first.id, {"disposition": "accepted", "response": "Agreed, in full."}, actor=LEAD
    )
    bulk_triage([first.id], None, {"response_state": "approved"}, LEAD, may_approve=True)
    assert publish([first.id], None, LEAD) == 1
    # (The duplicate follows its original's outcome.) Times as if written then.
    for comment_id, when in (
        (first.id, datetime(2024, 3, 9, 10, 11, 12, 345678)),
        (duplicate.id, datetime(2024, 3, 11, 12, 0, 0, 999999)),
    ):
        db.session.execute(update(Comment).where(Comment.id == comment_id).values(updated_at=when))
    db.session.execute(update(PublishedResponse).values(published_at=datetime(2024, 3, 9, 11, 0)))
    db.session.commit()
    return first.organisation_id


def _lines(data: bytes) -> list[str]:
    assert data.startswith(codecs.BOM_UTF8)
    return data[len(codecs.BOM_UTF8) :].decode().split("\r\n")


def test_the_staff_register_csv_byte_for_byte():
    _comments()
    data = comment_register_csv(CommentFilter(scope=Scope.staff()), internal_notes=True)
    assert _lines(data) == [
        "Comment,Tranche,Review Round,Design Artefact,Artefact Title,MHHS Service,Organisation,"
        "Constituency,Comment ID,Section,Page,Line,Comment Type,Reviewer,Date Raised,"
        "Reviewer Comment,Proposed Change,Disposition,Response,Action Owner,Action Due,"
        "Duplicate Of,Source File,Source Sheet,Source Row,Last Changed,Internal Note",
        "3,1,1,BP001,Title of BP001,,Beta Power,Supplier- Large,,,,,,,,Fine,,Accepted,"
        '"Agreed, in full.",,,1,,,,'
        "2024-03-11 12:00:00,",
        "1,1,1,BP004,Title of BP004,,Acme Energy,Supplier- Large,A-1,3.1,12,,Editorial,"
        'Ann Example,2024-03-08,\'=SUM(A1),"Say ""why"", please",Accepted,'
        '"Agreed, in full.",,,,acme.xlsx,Comments,7,2024-03-09 10:11:12,\'+ check with Bob',
        '2,1,1,BP004,Title of BP004,,Acme Energy,Supplier- Large,,,,,,,,"Line one\nline two",'
        ",Action,,Bob,2024-04-01,,,,,2024-03-10 00:00:00,",
        "",
    ]


def test_a_reviewers_register_csv_byte_for_byte():
    acme = _comments()
    data = comment_register_csv(CommentFilter(scope=Scope.organisation(acme)))
    assert _lines(data) == [
        "Comment,Tranche,Review Round,Design Artefact,Artefact Title,MHHS Service,Organisation,"
        "Constituency,Comment ID,Section,Page,Line,Comment Type,Reviewer,Date Raised,"
        "Reviewer Comment,Proposed Change,Disposition,Response,Source File,Source Sheet,"
        "Source Row,Last Changed",
        "1,1,1,BP004,Title of BP004,,Acme Energy,Supplier- Large,A-1,3.1,12,,Editorial,"
        'Ann Example,2024-03-08,\'=SUM(A1),"Say ""why"", please",Accepted,'
        '"Agreed, in full.",acme.xlsx,Comments,7,2024-03-09 11:00:00',
        '2,1,1,BP004,Title of BP004,,Acme Energy,Supplier- Large,,,,,,,,"Line one\nline two",'
        ",Under consideration,,,,,2024-03-02 08:00:00",
        "",
    ]


def test_a_driver_query_returns_what_sqlalchemy_returns():
    _comments()
    ids = [bindparam("first", type_=Integer), bindparam("second", type_=Integer)]
    query = (
        select(
            Comment.id,
            Comment.raised_on,
            Comment.updated_at,
            literal(date(2024, 1, 2), Date),  # a constant with a bind processor (SQLite)
            Comment.text,
        )
        .where(Comment.id.in_(ids), Comment.created_at > datetime(2024, 3, 1, 12))
        .order_by(Comment.id)
    )
    params = {"first": 1, "second": 3}
    expected = [tuple(row) for row in db.session.execute(query, params)]
    assert len(expected) == 1 and expected[0][0] == 3
    with DriverQuery(db.session.connection(), query) as driver:
        columns = driver.processed(list(zip(*driver.rows(params), strict=True)))
    assert list(zip(*columns, strict=True)) == expected


@pytest.mark.parametrize("sort", ["artefact", "organisation", "disposition", "changed"])
def test_a_register_read_two_comments_at_a_time_is_the_same(monkeypatch, sort):
    """Chunks of two (the last one short, its ids padded): the list's order, the same bytes."""
    _comments()
    for n in range(4):
        add_comment("BP002", f"More, {n}", organisation=("Acme Energy", "Beta Power")[n % 2])
    f = CommentFilter(scope=Scope.staff(), sort=sort)
    whole = comment_register_csv(f, internal_notes=True)
    monkeypatch.setattr(comment_register, "REGISTER_CHUNK", 2)
    assert comment_register_csv(f, internal_notes=True) == whole
    listed = [int(line.split(",")[0]) for line in _lines(whole)[1:-1]]
    assert listed == list(db.session.scalars(filtered_ids(f))) and len(listed) == 7
