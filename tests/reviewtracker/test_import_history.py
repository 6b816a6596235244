"""Import history and undo: remove exactly what a batch added, never what was triaged since."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import AuditEvent, Comment, ImportBatch, Organisation, ReviewRound
from reviewtracker.services import ServiceError
from reviewtracker.services.comment_import import ImportOptions, import_comment_log
from reviewtracker.services.import_history import (
    NoSuchBatch,
    import_history,
    undo_batch,
    undo_plan,
)
from reviewtracker.services.triage import triage_comment
from tests.logmaker import write_xlsx_log

from .factories import add_artefacts, comment_rows, count

ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}
BRAVO = {"Organisation": "Bravo Power", "Constituency": "Supplier - Medium"}

pytestmark = pytest.mark.usefixtures("app_context")  # service tests, in the app's context


def _import(path: Path, **options):
    report = import_comment_log(path, options=ImportOptions(**options))
    assert report.written, [str(p) for p in report.problems]
    return report


@pytest.fixture
def artefacts(app_context):
    add_artefacts(("BP004", "1"), ("BP005", "1"), ("IF005", "1"))


def test_undo_removes_exactly_the_comments_the_batch_added(artefacts, tmp_path: Path):
    kept = _import(write_xlsx_log(tmp_path / "bravo.xlsx", comment_rows(2), key_values=BRAVO))
    rows = comment_rows(3, disposition="Accepted", response="Agreed")
    undone = _import(write_xlsx_log(tmp_path / "acme.xlsx", rows, key_values=ACME), review_round=2)
    assert count(Comment) == 5
    assert count(AuditEvent, AuditEvent.import_batch_id == undone.batch_id) == 6
    plan = undo_plan(undone.batch_id)
    assert plan.allowed and plan.removable == 3 and not plan.blockers

    result = undo_batch(undone.batch_id, "ana@example.org")

    assert (result.removed_comments, result.removed_events) == (3, 6)
    assert count(Comment) == 2
    assert count(Comment, Comment.import_batch_id == kept.batch_id) == 2
    assert count(AuditEvent, AuditEvent.import_batch_id == undone.batch_id) == 0
    batch = db.session.get(ImportBatch, undone.batch_id)
    assert batch.undone_by == "ana@example.org" and batch.undone_at is not None
    assert batch.added == 3  # the record of what the import did stays
    # The organisation and the review round only this batch used went with it.
    assert result.removed_organisations == 1 and result.removed_rounds == 1
    assert [o.name for o in db.session.scalars(select(Organisation))] == ["Bravo Power"]
    assert [r.number for r in db.session.scalars(select(ReviewRound))] == [1]
    history = import_history()
    assert [b.id for b in history.page.items] == [undone.batch_id, kept.batch_id]
    assert history.remaining == {kept.batch_id: 2}


def test_undo_after_triage_is_refused_naming_the_comment(artefacts, tmp_path: Path):
    report = _import(write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(3), key_values=ACME))
    triaged = db.session.scalar(select(Comment).where(Comment.log_comment_id == "2"))
    triage_comment(triaged.id, {"disposition": "rejected"}, actor="bo@example.org")
    events = count(AuditEvent)

    plan = undo_plan(report.batch_id)
    assert not plan.allowed
    assert [b.comment_id for b in plan.blockers] == [triaged.id]
    with pytest.raises(ServiceError) as refused:
        undo_batch(report.batch_id, "ana@example.org")

    message = str(refused.value)
    assert "BP005 comment 2" in message and f"#{triaged.id}" in message
    assert "bo@example.org" in message and "1 of the 3 comments" in message
    assert count(Comment) == 3 and count(AuditEvent) == events
    assert db.session.get(ImportBatch, report.batch_id).undone_at is None


def test_a_comment_updated_by_a_later_import_blocks_undo(artefacts, tmp_path: Path):
    first = _import(write_xlsx_log(tmp_path / "v1.xlsx", comment_rows(2), key_values=ACME))
    rows = comment_rows(3)
    rows[0]["comment"] = "Comment number 1, reworded by the reviewer."
    second = _import(write_xlsx_log(tmp_path / "v2.xlsx", rows, key_values=ACME))
    assert (second.added, second.updated, second.unchanged) == (1, 1, 1)

    with pytest.raises(ServiceError, match=f"updated by import batch {second.batch_id}"):
        undo_batch(first.batch_id, "ana@example.org")
    assert count(Comment) == 3

    # The later batch can be undone: its added comment goes, its update stays.
    result = undo_batch(second.batch_id, "ana@example.org")
    assert (result.removed_comments, result.updates_kept) == (1, 1)
    assert "updates it made to 1 existing comment stay" in str(result)
    texts = set(db.session.scalars(select(Comment.text)))
    assert texts == {"Comment number 1, reworded by the reviewer.", comment_rows(2)[1]["comment"]}


def test_a_batch_that_added_nothing_cannot_be_undone(artefacts, tmp_path: Path):
    path = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(2), key_values=ACME)
    _import(path)
    again = _import(path)
    assert again.added == 0
    with pytest.raises(ServiceError, match="added no comments .* can't be undone"):
        undo_batch(again.batch_id, "ana@example.org")
    assert count(Comment) == 2


def test_undo_twice_and_unknown_batches_are_refused(artefacts, tmp_path: Path):
    report = _import(write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(2), key_values=ACME))
    undo_batch(report.batch_id, "ana@example.org")
    with pytest.raises(ServiceError, match="already undone .* by ana@example.org"):
        undo_batch(report.batch_id, "bo@example.org")
    with pytest.raises(NoSuchBatch):
        undo_batch(9999, "ana@example.org")


def test_a_duplicate_marked_outside_the_batch_blocks_undo(artefacts, tmp_path: Path):
    first = _import(write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(2), key_values=ACME))
    _import(write_xlsx_log(tmp_path / "bravo.xlsx", comment_rows(1), key_values=BRAVO))
    original = db.session.scalar(
        select(Comment).where(Comment.import_batch_id == first.batch_id).order_by(Comment.id)
    )
    other = db.session.scalar(select(Comment).where(Comment.import_batch_id != first.batch_id))
    other.duplicate_of_id = original.id
    db.session.commit()
    plan = undo_plan(first.batch_id)
    assert not plan.allowed
    assert plan.blockers[0].reason == f"comment #{other.id} is marked as a duplicate of it"


def test_history_is_newest_first_and_paged(artefacts, tmp_path: Path):
    path = write_xlsx_log(tmp_path / "acme.xlsx", comment_rows(1), key_values=ACME)
    ids = [_import(path).batch_id for _ in range(5)]
    # Same-second imports: the id breaks the tie; an older timestamp sorts last.
    oldest = db.session.get(ImportBatch, ids[2])
    oldest.imported_at -= timedelta(days=3)
    db.session.commit()
    first = import_history(page=1, per_page=2).page
    assert [b.id for b in first.items] == [ids[4], ids[3]]
    assert (first.page, first.pages, first.total, first.has_next) == (1, 3, 5, True)
    last = import_history(page=3, per_page=2).page
    assert [b.id for b in last.items] == [ids[2]] and last.has_prev and not last.has_next
    assert import_history(page=99, per_page=2).page.page == 3
    assert import_history(page=1, per_page=2).remaining == {}
