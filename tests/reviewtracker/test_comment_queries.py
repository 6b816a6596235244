"""The comment list's filter service: the filter from the URL, the SQL it makes, the page,
the chips and the neighbours, against the demo data set and against SQL counted by hand.

Service tests, in the test's own app context. The expected orders are sorted here, in Python,
from the comments' plain columns (`in_order`), never taken from the service's own SQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from reviewtracker.extensions import db
from reviewtracker.models import (
    Artefact,
    Comment,
    Constituency,
    Organisation,
    ReviewRound,
    Service,
    Tranche,
)
from reviewtracker.services.comment_choices import describe, filter_choices
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_import import ImportOptions, import_comment_log
from reviewtracker.services.comment_queries import (
    comment_page,
    count_comments,
    disposition_counts,
    filtered_ids,
    neighbours,
)
from reviewtracker.services.scope import Scope
from reviewtracker.services.triage import triage_comment
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_csv_log

from .demo_copy import load_demo_copy
from .factories import add_artefacts

pytestmark = pytest.mark.usefixtures("app_context")

SORTS = ("artefact", "organisation", "disposition", "changed")
STAFF = Scope.staff()
# The disposition sort, written out: accepted, action, rejected, clarification, open.
RANK = {"accepted": 0, "action": 1, "rejected": 2, "clarification": 3, "open": 4}


@pytest.fixture
def demo(app, tmp_path_factory):
    load_demo_copy(app, tmp_path_factory)


def organisation_id(name: str) -> int:
    return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def staff(**parts) -> CommentFilter:
    """A filter with these parts, for the staff's view (every organisation)."""
    return CommentFilter(**parts, scope=STAFF)


def ids(f: CommentFilter) -> list[int]:
    return list(db.session.scalars(filtered_ids(f)))


def in_order(tranche: str, sort: str, disposition: str | None = None) -> list[int]:
    """The ids of a tranche's comments (of one disposition) in the list's `sort` order, sorted
    here from plain rows: the sort key (artefact reference, organisation name key, the
    disposition's place, the last change newest first), then the id."""
    rows = db.session.execute(
        select(
            Comment.id,
            Artefact.reference,
            Organisation.name_key,
            Comment.disposition,
            Comment.updated_at,
        )
        .join(Artefact, Artefact.id == Comment.artefact_id)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .join(ReviewRound, ReviewRound.id == Comment.review_round_id)
        .join(Tranche, Tranche.id == ReviewRound.tranche_id)
        .where(Tranche.code == tranche)
    ).all()
    keys = {
        "artefact": lambda r: (r.reference, r.id),
        "organisation": lambda r: (r.name_key, r.id),
        "disposition": lambda r: (RANK[r.disposition], r.id),
        "changed": lambda r: (r.updated_at, r.id),
    }
    rows = [r for r in rows if disposition is None or r.disposition == disposition]
    return [r.id for r in sorted(rows, key=keys[sort], reverse=sort == "changed")]


# --- the filter from the URL -----------------------------------------------------------------


def test_from_args_reads_every_part():
    f = CommentFilter.from_args(
        {
            "tranche": "1",
            "service": "3",
            "artefact": "BP004",
            "round": "2",
            "organisation": "7",
            "constituency": "5",
            "disposition": "action",
            "q": "settlement run",
            "sort": "changed",
        },
        STAFF,
    )
    assert f == CommentFilter(
        "1", 3, "BP004", 2, 7, 5, "action", "settlement run", "changed", scope=STAFF
    )


def test_from_args_is_tolerant_and_normalises():
    f = CommentFilter.from_args(
        {
            "tranche": "Tranche 9",
            "service": "abc",
            "artefact": "mhhsp-bp-4",
            "round": "-1",
            "organisation": "1e3",
            "constituency": "99999999999999",
            "disposition": "ACCEPTED",
            "q": "   ",
            "sort": "; drop table comment",
            "page": "x",
        },
        STAFF,
    )
    assert f == staff(artefact="BP004", disposition="accepted")
    assert CommentFilter.from_args({"tranche": "tbc", "q": "  two   words "}, STAFF) == staff(
        tranche="TBC", q="two words"
    )
    assert CommentFilter.from_args({}, STAFF) == staff()
    assert CommentFilter.from_args({"artefact": "not a reference"}, STAFF).artefact is None
    assert len(CommentFilter.from_args({"q": "x" * 1000}, STAFF).q) == 200


def test_to_args_round_trips_and_keeps_only_what_is_set():
    f = staff(tranche="1", organisation_id=4, disposition="open", sort="changed")
    args = f.to_args()
    # The scope is the viewer's, never in a URL.
    assert args == {"tranche": "1", "organisation": "4", "disposition": "open", "sort": "changed"}
    assert CommentFilter.from_args(args, STAFF) == f
    assert CommentFilter().to_args() == {} == staff().to_args()
    # Overrides by field or argument name; None drops; extra keys (page) pass through.
    assert f.to_args(disposition=None, page=2, organisation_id=9) == {
        "tranche": "1",
        "organisation": "9",
        "sort": "changed",
        "page": "2",
    }
    assert f.to_args(sort="artefact", round=None) == {
        "tranche": "1",
        "organisation": "4",
        "disposition": "open",
    }
    assert f.without("disposition") == staff(tranche="1", organisation_id=4, sort="changed")
    assert f.without("organisation").organisation_id is None
    assert f.is_filtered and not staff(sort="changed").is_filtered


# --- what the filter selects -----------------------------------------------------------------


def test_filters_combine_and_equal_a_count_written_in_sql(demo):
    elexon = organisation_id("Elexon")
    f = CommentFilter.from_args(
        {"tranche": "1", "organisation": str(elexon), "disposition": "accepted"}, STAFF
    )
    by_hand = db.session.scalar(
        select(func.count(Comment.id))
        .join(ReviewRound, ReviewRound.id == Comment.review_round_id)
        .join(Tranche, Tranche.id == ReviewRound.tranche_id)
        .where(
            Tranche.code == "1",
            Comment.organisation_id == elexon,
            Comment.disposition == "accepted",
        )
    )
    assert 0 < by_hand < 114  # Elexon's 114 tranche 1 comments, not all accepted
    assert count_comments(f) == by_hand
    assert comment_page(f, 1).total == by_hand
    assert len(ids(f)) == by_hand
    # Each part narrows: dropping the disposition gives all of Elexon's tranche 1 comments.
    assert count_comments(f.without("disposition")) == 114
    assert count_comments(staff(tranche="1")) == 707
    assert count_comments(staff(tranche="2")) == 240
    assert count_comments(staff()) == 947


def test_artefact_service_constituency_and_round_filters(demo):
    assert count_comments(staff(artefact="BP004")) == 54
    assert count_comments(staff(artefact="BP004", disposition="action")) == 13
    assert count_comments(staff(artefact="DES001")) == 0
    service = db.session.scalar(select(Service.id).where(Service.name == "Load Shaping Service"))
    by_hand = db.session.scalar(
        select(func.count(Comment.id)).join(Artefact).where(Artefact.service_id == service)
    )
    # BP018 25 + BRS007 34 + METH005 64 + IF022 20 + IF023 31 in tranche 1.
    assert count_comments(staff(service_id=service)) == by_hand == 174
    it_providers = db.session.scalar(
        select(Constituency.id).where(Constituency.name == "Other- IT Service Provider")
    )
    assert count_comments(staff(tranche="1", constituency_id=it_providers)) == 310
    assert count_comments(staff(review_round=1)) == 947
    assert count_comments(staff(review_round=2)) == 0
    assert count_comments(staff(tranche="3")) == 0


def test_tranche_is_the_review_rounds_tranche(tmp_path: Path):
    """A comment's tranche is its review round's: a tranche 2 artefact commented on in a
    tranche 1 review counts in tranche 1."""
    add_artefacts(("BP004", "1"), ("BP001", "2"))
    rows = [
        {"log_comment_id": "1", "artefact": "BP004", "comment": "One."},
        {"log_comment_id": "2", "artefact": "BP001", "comment": "Two."},
    ]
    path = write_csv_log(tmp_path / "log.csv", rows, key_values={"Organisation": "Acme"})
    options = ImportOptions(tranche="1", constituency="Supplier- Large")
    assert import_comment_log(path, options=options).written
    assert count_comments(staff(tranche="1")) == 2
    assert count_comments(staff(tranche="2")) == 0
    assert count_comments(staff(tranche="1", artefact="BP001")) == 1


def test_free_text_search_is_case_insensitive_over_text_change_and_response(demo):
    target = db.session.scalar(select(Comment).order_by(Comment.id).limit(1))
    with unit_of_work():
        triage_comment(target.id, {"response": "Covered by the ZEBRA-42 working group"}, actor="t")
    assert ids(staff(q="zebra-42")) == [target.id]
    assert ids(staff(q="ZEBRA-42 WORKING")) == [target.id]
    # Proposed change (only there): every demo comment of that concern has this change.
    in_change = count_comments(staff(q="exception path with an owner"))
    by_hand = db.session.scalar(
        select(func.count(Comment.id)).where(
            Comment.proposed_change.like("%exception path with an owner%")
        )
    )
    assert in_change == by_hand > 0
    # The comment text, combined with another filter.
    in_text = staff(q="settlement run", tranche="2")
    assert 0 < count_comments(in_text) < 240
    # LIKE wildcards are searched for literally.
    assert count_comments(staff(q="%")) == 0
    assert count_comments(staff(q="_")) == 0


# --- the chips -------------------------------------------------------------------------------


def test_disposition_counts_are_the_chips(demo):
    tranche_1 = {
        "accepted": 446,
        "action": 187,
        "rejected": 44,
        "clarification": 30,
        "open": 0,
        "total": 707,
    }
    assert disposition_counts(staff(tranche="1")) == tranche_1
    # The chips ignore the filter's own disposition: every chip stays clickable.
    assert disposition_counts(staff(tranche="1", disposition="rejected")) == tranche_1
    counts = disposition_counts(staff(tranche="2"))
    assert counts["total"] == 240 and counts["open"] > 100
    assert sum(counts[name] for name in tranche_1 if name != "total") == 240
    assert disposition_counts(staff(tranche="3")) == dict.fromkeys(tranche_1, 0)


# --- the page and the order ------------------------------------------------------------------


def test_pages_of_fifty(demo):
    f = staff(tranche="1", sort="organisation")
    everything = in_order("1", "organisation")
    assert len(everything) == 707
    first, second = comment_page(f, 1), comment_page(f, 2)
    assert (first.total, first.pages, first.page) == (707, 15, 1)
    assert [row.id for row in first.items] == everything[:50]
    assert [row.id for row in second.items] == everything[50:100]
    assert second.has_prev and second.has_next and (second.prev_num, second.next_num) == (1, 3)
    assert (second.first_item, second.last_item) == (51, 100)
    last = comment_page(f, 15)
    assert [row.id for row in last.items] == everything[700:] and not last.has_next
    assert comment_page(f, 99).page == 15  # clamped
    assert comment_page(f, -3).page == 1
    assert list(comment_page(f, 8).iter_pages()) == [1, None, 6, 7, 8, 9, 10, None, 15]
    row = first.items[0]
    assert {"artefact", "organisation", "section", "text", "disposition", "response"} <= set(
        row._fields
    )
    empty = comment_page(staff(tranche="4"), 3)
    assert (empty.items, empty.total, empty.pages, empty.page) == ([], 0, 1, 1)


@pytest.mark.parametrize("sort", SORTS)
def test_sort_orders(demo, sort):
    listed = ids(staff(tranche="2", sort=sort))
    assert listed == in_order("2", sort)
    assert len(set(listed)) == 240


@pytest.mark.parametrize("sort", SORTS)
def test_neighbours_follow_the_list_order(demo, sort):
    f = staff(tranche="2", sort=sort)
    listed = in_order("2", sort)
    assert len(listed) == 240
    for index in (0, 1, 49, 50, 120, len(listed) - 2, len(listed) - 1):
        previous = listed[index - 1] if index > 0 else None
        following = listed[index + 1] if index + 1 < len(listed) else None
        assert neighbours(f, listed[index]) == (previous, following), index


def test_neighbours_with_ties_and_outside_the_filter(demo):
    # Every tranche 1 comment has the same disposition rank within a disposition: ties break
    # on the id, so the walk visits each comment once.
    f = staff(tranche="1", sort="disposition", disposition="rejected")
    listed = in_order("1", "disposition", "rejected")
    assert len(listed) == 44
    walked, current = [listed[0]], listed[0]
    while True:
        current = neighbours(f, current)[1]
        if current is None:
            break
        walked.append(current)
    assert walked == listed
    assert neighbours(f, 10**9) == (None, None)
    # One disposition sorted by disposition is in id order (one rank: the tie-break decides),
    # and a comment outside the filter (just triaged out of it) gets its place by id: "Save
    # and next" goes on from where the triager was, not back to the start of the list.
    assert listed == sorted(listed)
    outsider = db.session.scalar(
        select(Comment.id)
        .where(Comment.disposition == "accepted", Comment.id > listed[0], Comment.id < listed[-1])
        .limit(1)
    )
    previous, following = neighbours(f, outsider)
    assert previous == max(i for i in listed if i < outsider)
    assert following == min(i for i in listed if i > outsider)


def test_filter_choices_and_description(demo):
    choices = filter_choices(STAFF)
    assert [code for code, _ in choices["tranches"]] == ["1", "2", "3", "4", "TBC"]
    assert ("BP004", "BP004 Data Collection") in choices["artefacts"]
    assert choices["rounds"] == [(1, "1st review"), (2, "2nd review")]  # the demo's rounds
    assert len(choices["organisations"]) == 18  # 15 commented, 3 invited sent nothing
    assert len(choices["constituencies"]) == 13
    assert "Load Shaping Service" in {name for _, name in choices["services"]}
    assert [key for key, _ in choices["sorts"]] == list(SORTS)
    elexon = organisation_id("Elexon")
    f = staff(tranche="1", organisation_id=elexon, disposition="clarification", q="DIP")
    assert describe(f) == [
        ("tranche", "Tranche 1"),
        ("organisation", "Organisation: Elexon"),
        ("disposition", "Disposition: Requires Further Clarification"),
        ("q", "Text contains “DIP”"),
    ]
