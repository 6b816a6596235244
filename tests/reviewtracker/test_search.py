"""Full-text search (services.search): the words of a query in any of the three columns, all of
them required, the last one as a prefix; hostile queries never reach the MATCH / tsquery syntax;
the index follows every write (triage, re-import, undo). Runs on SQLite (FTS5) and, with
REVIEWTRACKER_TEST_DATABASE_URL, on PostgreSQL (tsvector + GIN)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event, select, text

from reviewtracker.extensions import db
from reviewtracker.models import Comment, ImportBatch, Organisation
from reviewtracker.services import search
from reviewtracker.services.comment_filter import CommentFilter
from reviewtracker.services.comment_import import ImportOptions, import_comment_log
from reviewtracker.services.comment_queries import count_comments, filtered_ids, neighbours
from reviewtracker.services.import_history import undo_batch
from reviewtracker.services.reference import init_db
from reviewtracker.services.scope import Scope
from reviewtracker.services.triage import triage_comment
from reviewtracker.unit_of_work import unit_of_work
from tests.logmaker import write_csv_log

from .factories import add_artefacts

pytestmark = pytest.mark.usefixtures("app_context")
STAFF = Scope.staff()

ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}
BRAVO = {"Organisation": "Bravo Power", "Constituency": "Supplier - Medium"}

ROWS = [
    {
        "log_comment_id": "1",
        "artefact": "BP004",
        "comment": "The swimlane omits the acknowledgement; a clarification is needed.",
        "proposed_change": "Add the gazetteer lookup to step 4.2.",
        "disposition": "",
    },
    {
        "log_comment_id": "2",
        "artefact": "BP004",
        "comment": "Step 3 and the swimlane disagree about the de-appointment flow.",
        "proposed_change": "Align the swimlane with the narrative.",
        "disposition": "Accepted",
        "response": "Agreed: the quokka working group updates it.",
    },
    {
        "log_comment_id": "3",
        "artefact": "BP005",
        "comment": "Timing of the “réconciliation” is unclear (AND/OR NEAR the cut-off?).",
        "proposed_change": "",
        "disposition": "",
    },
]
HOSTILE = [
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(swimlane step)",
    "swimlane AND",
    "OR swimlane",
    "swimlane NOT step",
    '"',
    '""',
    '"swimlane',
    "swimlane*",
    "*",
    "-",
    "-swimlane",
    "^swimlane",
    "text:swimlane",
    "{text response}: swimlane",
    "(swimlane",
    ")",
    "'",
    "''",
    "\\",
    "swimlane\\",
    "%",
    "_",
    "&",
    "|",
    "!",
    "<->",
    ":*",
    "'':*",
    "swimlane & !step",
    "swimlane:*",
    "NULL",
    "\x00",
    "swim'lane",
]


def ids(q: str, **filter_args) -> list[int]:
    return sorted(db.session.scalars(filtered_ids(CommentFilter(q=q, **filter_args, scope=STAFF))))


def by_log_id(*log_ids: str) -> list[int]:
    return sorted(db.session.scalars(select(Comment.id).where(Comment.log_comment_id.in_(log_ids))))


def import_log(path: Path, rows: list[dict], who: dict = ACME, **options):
    report = import_comment_log(
        write_csv_log(path, rows, key_values=who), options=ImportOptions(tranche="1", **options)
    )
    assert report.written, [str(p) for p in report.problems]
    return report


def index_is_consistent() -> bool:
    """SQLite: FTS5's own check of the index against the comment table (raises if it is out of
    step). PostgreSQL: a stored generated column can't drift; nothing to check."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            text("INSERT INTO comment_fts(comment_fts, rank) VALUES ('integrity-check', 1)")
        )
        db.session.rollback()  # an INSERT by its form: end it, as an import refuses to follow one
    return True


@pytest.fixture
def logged(app, tmp_path: Path):
    add_artefacts(("BP004", "1"), ("BP005", "1"))
    return import_log(tmp_path / "acme.csv", ROWS)


def test_finds_a_word_in_each_of_the_three_columns(logged):
    assert ids("acknowledgement") == by_log_id("1")  # the comment's text
    assert ids("gazetteer") == by_log_id("1")  # its proposed change
    assert ids("quokka") == by_log_id("2")  # its response (from the log)
    assert ids("swimlane") == by_log_id("1", "2")  # text of one, text and change of the other
    assert ids("SwimLane") == ids("swimlane")  # case-insensitive
    assert index_is_consistent()


def test_every_word_is_required_in_any_column(logged):
    assert ids("swimlane gazetteer") == by_log_id("1")  # text + proposed change
    assert ids("swimlane quokka") == by_log_id("2")  # text + response
    assert ids("swimlane zeppelin") == []
    assert ids("gazetteer quokka") == []  # each in another comment
    # Word order does not matter; combined with the other filters.
    assert ids("quokka swimlane", disposition="accepted") == by_log_id("2")
    assert ids("quokka swimlane", disposition="open") == []


def test_narrowed_by_an_organisation_or_an_artefact_it_finds_the_same(logged, tmp_path: Path):
    """With an organisation or an artefact in the filter, the rows they select are tested
    against the search (search.matches, narrowed): the same comments as the search alone."""
    bravo_rows = [dict(ROWS[0], comment="Bravo's swimlane."), dict(ROWS[2], comment="None.")]
    import_log(tmp_path / "bravo.csv", bravo_rows, who=BRAVO)
    acme = db.session.scalar(select(Organisation.id).where(Organisation.name == "Acme Energy"))
    everywhere = set(ids("swimlane"))
    assert len(everywhere) == 3
    of_acme = set(db.session.scalars(select(Comment.id).where(Comment.organisation_id == acme)))
    on_bp004 = set(by_log_id("1", "2"))  # both logs' comments 1 and 2 are on BP004
    assert ids("swimlane", organisation_id=acme) == sorted(everywhere & of_acme)
    assert ids("swimlane", artefact="BP004") == sorted(everywhere & on_bp004)
    assert ids("swimlane quokka", organisation_id=acme, artefact="BP004") == by_log_id("2")
    assert ids("clarif", organisation_id=acme) == sorted(set(ids("clarif")) & of_acme)
    assert ids("--", organisation_id=acme) == []
    assert count_comments(CommentFilter(q="swimlane", organisation_id=acme, scope=STAFF)) == 2


def test_is_broad_counts_the_hits_up_to_the_threshold(logged):
    # "swimlane" is in comments 1 and 2.
    assert search.is_broad("swimlane", hits=1)
    assert not search.is_broad("swimlane", hits=2)
    assert not search.is_broad("zeppelin", hits=0)
    assert not search.is_broad("--", hits=0)  # no words: nothing to count
    assert not search.is_broad("swimlane")  # BROAD_HITS is in the thousands


FILTERS = [
    {},
    {"disposition": "open"},
    {"disposition": "accepted"},
    {"tranche": "1"},
    {"artefact": "BP004"},
    {"tranche": "1", "disposition": "open", "sort": "changed"},
    {"sort": "organisation"},
    {"sort": "disposition"},
]


def test_a_broad_search_finds_the_same_comments_in_the_same_order(logged, tmp_path, monkeypatch):
    """A search with more than BROAD_HITS hits is tested row by row instead of starting from its
    hits (search.matches): only the plan changes, never the comments, their order, counts or
    neighbours."""
    import_log(
        tmp_path / "bravo.csv", [dict(r, comment=r["comment"] + " Bravo.") for r in ROWS], BRAVO
    )
    queries = ["swimlane", "clarif", "swimlane quokka", "4.2", "zeppelin", "--"]

    def results() -> dict:
        found = {}
        for q in queries:
            for args in FILTERS:
                f = CommentFilter(q=q, **args, scope=STAFF)
                ordered = list(db.session.scalars(filtered_ids(f)))
                around = [neighbours(f, comment_id) for comment_id in ordered]
                found[q, tuple(args.items())] = (ordered, count_comments(f), around)
        return found

    rare = results()
    monkeypatch.setattr(search, "BROAD_HITS", 0)  # every search with a hit is broad
    assert search.is_broad("swimlane") and not search.is_broad("zeppelin")
    assert results() == rare
    assert rare["swimlane", ()][1] == 4 and rare["swimlane", (("disposition", "open"),)][1] == 2
    listed, _count, around = rare["swimlane", (("sort", "organisation"),)]
    assert around[0] == (None, listed[1]) and around[-1] == (listed[-2], None)


def test_the_last_word_matches_as_a_prefix(logged):
    assert ids("clarif") == by_log_id("1")
    assert ids("swimlane clarif") == by_log_id("1")
    assert ids("clarif swimlane") == []  # only the last word is a prefix
    assert ids("clarification swimlane") == by_log_id("1")
    assert ids("ackn") == by_log_id("1")
    # A last word shorter than PREFIX_MIN is a whole word ("st" would be most words).
    assert search.PREFIX_MIN == 3
    assert ids("st") == []
    assert ids("ste") == by_log_id("1", "2")  # step


def test_words_with_punctuation_match_their_tokens_in_a_row(logged):
    assert ids("de-appointment") == by_log_id("2")
    assert ids("appointment") == by_log_id("2")
    assert ids("4.2") == by_log_id("1")
    assert ids("cut-off?).") == by_log_id("3")
    assert ids("“réconciliation”") == by_log_id("3")
    assert ids("(AND/OR") == by_log_id("3")  # the words "and" and "or" in a row


@pytest.mark.parametrize("query", HOSTILE)
def test_operators_and_punctuation_in_a_query_never_error(logged, query):
    found = ids(query)
    count_comments(CommentFilter(q=query, scope=STAFF))
    if not search.words(query):
        assert found == []  # only punctuation: matches nothing
    else:
        assert set(found) <= set(by_log_id("1", "2", "3"))


def test_operator_words_are_searched_as_words(logged):
    assert ids("swimlane NOT step") == []  # "not" is a word nobody wrote, not an operator
    assert ids("swimlane OR quokka") == []  # "or" is a word, and not in comment 2
    assert ids("AND") == by_log_id("2", "3")  # the word "and" (and words starting with it)
    assert ids("NEAR") == by_log_id("3")
    assert ids("-swimlane") == by_log_id("1", "2")  # not a negation
    assert ids('"swimlane') == ids("swimlane") == ids("swimlane*")
    assert ids("text:gazetteer") == []  # not a column filter: "text" is not in its text
    assert ids("gazetteer:lookup") == by_log_id("1")  # the two words in a row


def test_a_query_of_only_punctuation_matches_nothing(logged):
    for query in ('"*"', "- - -", "()", "''", "…", "_"):
        assert search.words(query) == []
        assert ids(query) == []


def test_the_quoting_of_each_dialect(app):
    assert search.fts5_query('say "hi" NEAR') == '"say" """hi""" "NEAR"*'
    assert search.fts5_query("a ab") == '"a" "ab"'
    assert search.fts5_query("!!") is None
    assert search.tsquery("it's a\\b clarif") == "'it''s' & 'a\\\\b' & 'clarif':*"
    assert search.tsquery("- *") is None


def test_triage_keeps_the_index_in_step(logged):
    target = by_log_id("1")[0]
    triage_comment(target, {"response": "Handled by the wombat sub-group."}, actor="ana")
    assert ids("wombat") == [target]
    triage_comment(target, {"response": "Handled by the numbat sub-group."}, actor="ana")
    assert ids("wombat") == []
    assert ids("numbat") == [target]
    triage_comment(target, {"response": None}, actor="ana")
    assert ids("numbat") == []
    assert ids("gazetteer") == [target]  # the rest of the comment still indexed
    triage_comment(target, {"disposition": "rejected"}, actor="ana")  # not an indexed column
    assert ids("gazetteer") == [target]
    assert index_is_consistent()


def test_a_re_import_that_changes_the_text_updates_the_index(logged, tmp_path: Path):
    changed = [dict(ROWS[0], comment="The swimlane omits the platypus."), *ROWS[1:]]
    report = import_log(tmp_path / "acme-v2.csv", changed)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    assert ids("platypus") == by_log_id("1")
    assert ids("acknowledgement") == []
    assert ids("gazetteer") == by_log_id("1")
    assert ids("swimlane") == by_log_id("1", "2")
    assert index_is_consistent()


def test_undoing_an_import_removes_its_comments_from_the_index(logged, tmp_path: Path):
    bravo_rows = [
        dict(ROWS[0], comment="A capybara in the swimlane.", proposed_change="Remove it."),
    ]
    bravo = import_log(tmp_path / "bravo.csv", bravo_rows, who=BRAVO)
    assert len(ids("capybara")) == 1
    assert len(ids("swimlane")) == 3
    with unit_of_work():  # as the undo page does: committed before the next import
        undo_batch(bravo.batch_id, "ana@example.org")
    assert ids("capybara") == []
    assert ids("swimlane") == by_log_id("1", "2")
    assert index_is_consistent()
    # Imported again (SQLite may hand out the same ids again): found once, not twice.
    import_log(tmp_path / "bravo-again.csv", bravo_rows, who=BRAVO)
    assert len(ids("capybara")) == 1
    assert index_is_consistent()


def _search_triggers() -> dict[str, str]:
    """SQLite's search triggers on the comment table: name -> CREATE TRIGGER as stored."""
    sql = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'comment'"
    return dict(db.session.execute(text(sql)).all())


def test_the_bulk_import_re_creates_the_triggers_as_the_migration_made_them(app, tmp_path):
    """An import drops the insert and update triggers for its bulk writes and re-creates them:
    they come back exactly as the migration created them (the app holds no copy of the DDL)."""
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's index triggers")
    migrated = _search_triggers()  # the template database: init_db, i.e. the migrations
    assert set(migrated) == {"comment_fts_insert", "comment_fts_delete", "comment_fts_update"}
    executed: list[str] = []

    def record(_connection, _cursor, statement: str, *_rest) -> None:
        executed.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        add_artefacts(("BP004", "1"), ("BP005", "1"))
        import_log(tmp_path / "acme.csv", ROWS)  # new comments: bulk_insert
        changed = [dict(ROWS[0], comment="The swimlane omits the ocelot.")]
        import_log(tmp_path / "acme-2.csv", changed)  # a changed text: bulk_update
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    re_created = {sql.split()[2] for sql in executed if sql.startswith("CREATE TRIGGER")}
    assert re_created == {"comment_fts_insert", "comment_fts_update"}
    assert _search_triggers() == migrated
    assert ids("ocelot") == by_log_id("1")
    assert index_is_consistent()


def test_a_failed_bulk_write_rolls_the_trigger_change_back(logged):
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's index triggers")
    # Outside a transaction the DROP would be committed at once: refused.
    refused = pytest.raises(RuntimeError, match="open write transaction")
    with refused, search.bulk_insert(logged.batch_id):
        pass
    # Inside one (as in the import), a failure rolls the DROP back with the rows.
    batch = ImportBatch(file_name="x.csv", sha256="0" * 64, imported_by="t")
    db.session.add(batch)
    db.session.flush()
    with pytest.raises(ValueError), search.bulk_insert(batch.id):
        raise ValueError("the import failed half-way")
    db.session.rollback()
    present = db.session.scalar(
        text("SELECT count(*) FROM sqlite_master WHERE name = 'comment_fts_insert'")
    )
    assert present == 1


def test_init_db_again_leaves_the_index_as_it_is(logged):
    init_db()
    assert ids("gazetteer") == by_log_id("1")
    assert ids("quokka swimlane") == by_log_id("2")
    assert index_is_consistent()
