"""The action and decision logs' services: references generated per meeting, every status move
(allowed and refused), updates and edits written down, links, overdue, the next meeting's
view and what was closed since the previous meeting, raising an action from a comment, and a
decision carrying a lifecycle move through its one seam."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from reviewtracker.extensions import db
from reviewtracker.models import (
    Action,
    ActionLink,
    ActionUpdate,
    Artefact,
    Decision,
    DecisionArtefact,
)
from reviewtracker.services import ServiceError, decisions
from reviewtracker.services.action_queries import (
    ActionFilter,
    action_by_reference,
    action_links,
    action_list,
    linked_actions,
)
from reviewtracker.services.actions import (
    NewAction,
    RefusedMove,
    StaleAction,
    add_update,
    edit_action,
    link_action,
    raise_action,
    raise_from_comment,
)
from reviewtracker.services.decision_moves import RequestedMove
from reviewtracker.services.decisions import (
    DecisionFields,
    artefact_decisions,
    decision_by_reference,
    edit_decision,
    record_decision,
)
from reviewtracker.services.dissensus import create_entry
from reviewtracker.services.lifecycle import move_artefacts, timeline
from reviewtracker.services.meeting_pack import meeting_pack
from reviewtracker.services.meetings import next_meeting, previous_meeting
from reviewtracker.services.scope import Scope, UnscopedQuery
from reviewtracker.unit_of_work import unit_of_work

from .factories import add_artefacts
from .governance_data import (
    add_action,
    add_comment,
    add_decision,
    add_meeting,
    add_organisation,
)

pytestmark = pytest.mark.usefixtures("app_context")

STAFF = Scope.staff()
TODAY = date(2022, 8, 20)
LEAD = "lead@example.org"


def _action(reference: str) -> Action:
    return db.session.scalar(select(Action).where(Action.reference == reference))


def _updates(action_id: int) -> list[tuple]:
    rows = db.session.execute(
        select(ActionUpdate.from_status, ActionUpdate.to_status, ActionUpdate.text)
        .where(ActionUpdate.action_id == action_id)
        .order_by(ActionUpdate.id)
    )
    return [tuple(row) for row in rows]


# --- references and moves ---------------------------------------------------------------------


def test_raised_actions_take_the_meetings_next_reference():
    dag13 = add_meeting("DAG013", date(2022, 7, 28))
    add_action("DAG13-01", dag13)
    add_action("DAG13-07", dag13)  # imported with a gap: the next follows the highest
    extraordinary = add_meeting("DAG006.1", date(2022, 3, 17))
    with unit_of_work():
        first = raise_action(dag13, NewAction(text="Bring transition"), LEAD, dated=TODAY)
        second = raise_action(dag13, NewAction(text="Share the log"), LEAD, dated=TODAY)
        other = raise_action(extraordinary, NewAction(text="Consult SDS"), LEAD, dated=TODAY)
        refs = (first.reference, second.reference, other.reference)
    assert refs == ("DAG13-08", "DAG13-09", "DAG06.1-01")
    action = _action("DAG13-08")
    assert (action.status, action.raised_on, action.raised_by) == ("open", TODAY, LEAD)


def test_an_action_needs_its_text():
    dag13 = add_meeting("DAG013", None)
    with pytest.raises(ServiceError, match="needs its text"), unit_of_work():
        raise_action(dag13, NewAction(text="  "), LEAD, dated=TODAY)


# Every move between two statuses, and whether it is allowed: written out by hand.
MOVES = [
    ("open", "ongoing", True),
    ("open", "recommend_closed", True),
    ("open", "closed", True),
    ("ongoing", "open", False),
    ("ongoing", "recommend_closed", True),
    ("ongoing", "closed", True),
    ("recommend_closed", "open", False),
    ("recommend_closed", "ongoing", True),
    ("recommend_closed", "closed", True),
    ("closed", "open", False),
    ("closed", "ongoing", True),
    ("closed", "recommend_closed", False),
]


@pytest.mark.parametrize(("before", "after", "allowed"), MOVES)
def test_every_status_move(before, after, allowed):
    meeting = add_meeting("DAG013", None)
    action_id = add_action("DAG13-01", meeting, status=before)
    dated = date(2022, 8, 10)
    if allowed:
        with unit_of_work():
            add_update(action_id, "Moved", LEAD, dated=dated, to_status=after, expected_version=1)
        action = db.session.get(Action, action_id)
        assert action.status == after
        assert action.closed_on == (dated if after == "closed" else None)
        assert action.origin == "browser"
        assert _updates(action_id) == [(before, after, "Moved")]
    else:
        with pytest.raises(RefusedMove) as refused, unit_of_work():
            add_update(action_id, "Moved", LEAD, dated=dated, to_status=after)
        assert "from here it can move to" in str(refused.value)
        assert db.session.get(Action, action_id).status == before
        assert _updates(action_id) == []


def test_an_update_without_a_move_and_the_refusals():
    meeting = add_meeting("DAG013", None)
    action_id = add_action("DAG13-01", meeting, status="ongoing")
    with unit_of_work():
        add_update(action_id, "Dates proposed", LEAD, dated=TODAY, to_status=None)
    with unit_of_work():  # "moving" to where it is: no move, just the words
        add_update(action_id, "Still on it", LEAD, dated=TODAY, to_status="ongoing")
    assert _updates(action_id) == [(None, None, "Dates proposed"), (None, None, "Still on it")]
    with pytest.raises(ServiceError, match="write the update"), unit_of_work():
        add_update(action_id, "  ", LEAD, dated=TODAY)
    with pytest.raises(StaleAction), unit_of_work():
        add_update(action_id, "Late", LEAD, dated=TODAY, expected_version=1)


def test_edits_are_written_down_as_an_update():
    meeting = add_meeting("DAG013", None)
    action_id = add_action("DAG13-01", meeting, due=date(2022, 8, 10), owner="Chair")
    with unit_of_work():
        changed = edit_action(
            action_id,
            {
                "owner": "Programme (Ian Smith)",
                "due": date(2022, 8, 31),
                "text": "Text of DAG13-01",
            },
            LEAD,
            dated=TODAY,
            expected_version=1,
        )
    assert changed == ["owner", "due"]
    assert _updates(action_id) == [
        (None, None, "Owner: Chair -> Programme (Ian Smith)\nDue date: 10/08/2022 -> 31/08/2022")
    ]
    with pytest.raises(ServiceError, match="no field"), unit_of_work():
        edit_action(action_id, {"status": "closed"}, LEAD, dated=TODAY)


# --- links, overdue, scope ------------------------------------------------------------------


def test_links_to_artefacts_comments_and_dissensus_entries():
    (artefact,) = add_artefacts(("BP004", "1"))
    acme = add_organisation("Acme Energy")
    beta = add_organisation("Beta Power")
    own = add_comment(artefact.id, acme)
    other = add_comment(artefact.id, beta)
    meeting = add_meeting("DAG013", None)
    action_id = add_action("DAG13-01", meeting, public=True)
    with unit_of_work():
        betas_entry = create_entry(title="Beta's objection", actor=LEAD, comment_ids=[other]).id
        link_action(action_id, "artefact", artefact.id, LEAD)
        link_action(action_id, "comment", own, LEAD)
        link_action(action_id, "comment", other, LEAD)
        link_action(action_id, "dissensus", betas_entry, LEAD)
        assert link_action(action_id, "comment", own, LEAD) is None  # linked already
    with pytest.raises(ServiceError, match="no dissensus entry #999"), unit_of_work():
        link_action(action_id, "dissensus", 999, LEAD)
    with pytest.raises(ServiceError, match="no comment #999"), unit_of_work():
        link_action(action_id, "comment", 999, LEAD)
    assert [(v.kind, v.label) for v in action_links(action_id, STAFF)] == [
        ("artefact", "BP004 Title of BP004"),
        ("comment", f"Comment #{own} on BP004"),
        ("comment", f"Comment #{other} on BP004"),
        ("dissensus", "D-001 Beta's objection"),
    ]
    # A reviewer of Acme sees the artefact and their own comment, never Beta's comment or
    # the entry about it.
    assert [(v.kind, v.target_id) for v in action_links(action_id, Scope.organisation(acme))] == [
        ("artefact", artefact.id),
        ("comment", own),
    ]
    assert [r.reference for r in linked_actions("comment", own, STAFF, today=TODAY)] == ["DAG13-01"]


def test_overdue_and_the_list_filters():
    meeting = add_meeting("DAG013", None)
    add_action("DAG13-01", meeting, status="open", due=date(2022, 8, 10))  # overdue
    add_action("DAG13-02", meeting, status="ongoing", due=date(2022, 8, 19))  # overdue
    add_action("DAG13-03", meeting, status="ongoing", due=TODAY)  # due today: not yet
    add_action("DAG13-04", meeting, status="recommend_closed", due=date(2022, 8, 1))
    add_action("DAG13-05", meeting, status="closed", due=date(2022, 8, 1))
    add_action("DAG13-06", meeting, status="open", owner="Programme (Claire Silk)")
    rows = action_list(STAFF, ActionFilter(), today=TODAY)
    assert [(r.reference, r.overdue) for r in rows] == [
        ("DAG13-01", True),
        ("DAG13-02", True),
        ("DAG13-03", False),
        ("DAG13-04", False),
        ("DAG13-05", False),
        ("DAG13-06", False),
    ]
    only = action_list(STAFF, ActionFilter(overdue=True), today=TODAY)
    assert [r.reference for r in only] == ["DAG13-01", "DAG13-02"]
    ongoing = action_list(STAFF, ActionFilter(status="ongoing"), today=TODAY)
    assert [r.reference for r in ongoing] == ["DAG13-02", "DAG13-03"]
    claire = action_list(STAFF, ActionFilter(owner="claire"), today=TODAY)
    assert [r.reference for r in claire] == ["DAG13-06"]


def test_reviewers_see_only_public_items_and_a_scope_is_required():
    meeting = add_meeting("DAG013", None)
    add_action("DAG13-01", meeting, public=True)
    add_action("DAG13-02", meeting, public=False)
    add_decision("DAG-DEC-29", meeting, public=False)
    reviewer = Scope.organisation(1)
    rows = action_list(reviewer, ActionFilter(), today=TODAY)
    assert [r.reference for r in rows] == ["DAG13-01"]
    assert action_by_reference("DAG13-02", reviewer) is None
    assert action_by_reference("DAG13-02", STAFF) is not None
    assert decision_by_reference("DAG-DEC-29", reviewer) is None
    with pytest.raises(UnscopedQuery):
        action_list(None, ActionFilter(), today=TODAY)


# --- the next meeting's view -------------------------------------------------------------------


def test_the_pack_groups_as_the_papers_and_lists_what_was_closed_since():
    dag11 = add_meeting("DAG011", date(2022, 6, 15))
    dag12 = add_meeting("DAG012", date(2022, 7, 13))
    dag13 = add_meeting("DAG013", date(2022, 7, 28))
    ccag = add_meeting("CCAG003", date(2022, 2, 23))  # another group: never "earlier"
    add_action("DAG11-02", dag11, status="ongoing")
    add_action("DAG11-06", dag11, status="closed", closed_on=date(2022, 7, 13))  # at DAG012
    add_action("DAG12-03", dag12, status="recommend_closed")
    add_action("DAG12-04", dag12, status="closed", closed_on=date(2022, 7, 20))  # since DAG012
    add_action("DAG12-05", dag12, status="closed", closed_on=date(2022, 8, 2))  # after DAG013
    add_action("DAG13-01", dag13, area="Actions update")
    add_action("DAG13-02", dag13, area="Actions update", status="closed", closed_on=TODAY)
    add_action("DAG13-03", dag13, area="Raid Review")
    add_action("DAG13-04", dag13, area="Raid Review")
    add_action("DAG13-13", dag13, area="Summary and Next Steps")
    add_action("CCAG03-01", ccag, status="open")
    add_decision("DAG-DEC-29", dag13, area="Level Playing Field Principle")
    add_decision("DAG-DEC-28", dag12)
    pack = meeting_pack(dag13, STAFF, today=TODAY)
    assert pack.previous.reference == "DAG012"
    assert [(g.area, [r.reference for r in g.rows]) for g in pack.groups] == [
        ("Actions update", ["DAG13-01", "DAG13-02"]),
        ("Raid Review", ["DAG13-03", "DAG13-04"]),
        ("Summary and Next Steps", ["DAG13-13"]),
    ]
    assert [r.reference for r in pack.earlier_open] == ["DAG11-02", "DAG12-03"]
    assert [r.reference for r in pack.closed_since] == ["DAG12-04"]
    assert [d.reference for d in pack.decisions] == ["DAG-DEC-29"]
    assert pack.actions == 7


def test_which_meeting_is_next():
    assert next_meeting(TODAY) is None
    add_meeting("DAG013", date(2022, 7, 28))
    assert next_meeting(TODAY).reference == "DAG013"  # none ahead: the latest
    add_meeting("DAG014", date(2022, 8, 24))
    add_meeting("DAG015", date(2022, 9, 14))
    assert next_meeting(TODAY).reference == "DAG014"
    assert next_meeting(date(2022, 8, 24)).reference == "DAG014"
    dag15 = next_meeting(date(2022, 8, 25))
    assert previous_meeting(dag15).reference == "DAG014"


# --- from a comment ------------------------------------------------------------------------------


def test_a_comment_in_action_raises_an_action_for_the_next_meeting():
    (artefact,) = add_artefacts(("BP004", "1"))
    acme = add_organisation("Acme Energy")
    comment = add_comment(
        artefact.id, acme, owner="Claire Silk", due=date(2022, 9, 1), text="Step 3\n is  unclear."
    )
    accepted = add_comment(artefact.id, acme, disposition="accepted")
    with pytest.raises(ServiceError, match="no meeting"), unit_of_work():
        raise_from_comment(comment, LEAD, today=TODAY)
    add_meeting("DAG013", date(2022, 7, 28))
    add_meeting("DAG014", date(2022, 8, 24))
    with unit_of_work():
        reference = raise_from_comment(comment, LEAD, today=TODAY).reference
    action = _action(reference)
    assert reference == "DAG14-01"
    assert action.text == f"Resolve comment #{comment} on BP004 (Acme Energy): Step 3 is unclear."
    assert (action.area, action.owner, action.due) == (
        "BP004 Title of BP004",
        "Claire Silk",
        date(2022, 9, 1),
    )
    links = db.session.execute(
        select(ActionLink.kind, ActionLink.target_id).where(ActionLink.action_id == action.id)
    ).all()
    assert sorted(links) == [("artefact", artefact.id), ("comment", comment)]
    refused = pytest.raises(ServiceError, match="only a comment whose disposition is Action")
    with refused, unit_of_work():
        raise_from_comment(accepted, LEAD, today=TODAY)


# --- decisions and the lifecycle seam ---------------------------------------------------------


def test_decisions_are_numbered_across_the_groups_meetings():
    dag13 = add_meeting("DAG013", None)
    dag26 = add_meeting("DAG026", None)
    add_decision("DAG-DEC-29", dag13)
    with unit_of_work():
        text = "DAG agreed that:\n1. The charging does not work.\n2. No joint group."
        made = record_decision(dag26, DecisionFields(text=text, area="LPF"), LEAD)
        assert made.reference == "DAG-DEC-30"
        given = record_decision(dag26, DecisionFields(text="Approved"), LEAD, reference="dag-dec55")
        assert given.reference == "DAG-DEC-55"
    assert decision_by_reference("DAG-DEC-30", STAFF).text == text
    with pytest.raises(ServiceError, match="already exists"), unit_of_work():
        record_decision(dag26, DecisionFields(text="Again"), LEAD, reference="DAG-DEC-55")
    unknown = DecisionFields(text="X", artefacts=("BP999",))
    with pytest.raises(ServiceError, match="not in the artefact register: BP999"), unit_of_work():
        record_decision(dag26, unknown, LEAD)


def test_a_decision_carries_a_lifecycle_move_applied_in_the_same_step(monkeypatch):
    """The requested move (artefacts, state, date) is recorded on the decision through
    apply_lifecycle_move, called once, in the decision's unit of work, and made: the moved
    artefact is baselined, its timeline naming the decision; the other stays as it was."""
    des196, dip = add_artefacts(("DES196", "2"), ("IF005", "2"))
    dag26 = add_meeting("DAG026", date(2023, 7, 12))
    fields = DecisionFields(
        text="The SRO approved the baselining of the DES196 D-Flow and Interface Mapping",
        area="D-Flow and Interface Mapping",
        artefacts=("DES196", "IF005"),
    )
    move = RequestedMove((des196.id,), "baselined", date(2023, 7, 12))
    calls = []
    real = decisions.apply_lifecycle_move
    monkeypatch.setattr(
        decisions,
        "apply_lifecycle_move",
        lambda decision, requested, actor: (
            calls.append((decision.reference, requested, actor)) or real(decision, requested, actor)
        ),
    )
    with unit_of_work():
        decision_id = record_decision(dag26, fields, LEAD, move=move).id
    assert calls == [("DAG-DEC-01", move, LEAD)]
    decision = db.session.get(Decision, decision_id)
    assert (decision.move_state, decision.move_on) == ("baselined", date(2023, 7, 12))
    moves = db.session.execute(
        select(DecisionArtefact.artefact_id, DecisionArtefact.moves)
        .where(DecisionArtefact.decision_id == decision_id)
        .order_by(DecisionArtefact.artefact_id)
    ).all()
    assert [tuple(row) for row in moves] == [(des196.id, True), (dip.id, False)]
    # The artefact's page lists the decision with the move it carries for it.
    shown = artefact_decisions(des196.id, STAFF)
    assert [(d.reference, d.move_state, d.move_on) for d in shown] == [
        ("DAG-DEC-01", "baselined", date(2023, 7, 12))
    ]
    assert [(d.reference, d.move_state) for d in artefact_decisions(dip.id, STAFF)] == [
        ("DAG-DEC-01", None)
    ]
    assert (db.session.get(Artefact, des196.id).state, db.session.get(Artefact, dip.id).state) == (
        "baselined",
        None,
    )
    entries = timeline(des196.id)
    assert [(e.field, e.after, e.decision_ref) for e in entries] == [
        ("state", "baselined", "DAG-DEC-01")
    ]
    # Edited again with the same move: the artefact is baselined already, no second entry.
    with unit_of_work():
        edit_decision(decision_id, fields, LEAD, move=move, expected_version=1)
    assert len(timeline(des196.id)) == 1
    # Edited without a move: the move is cleared, the artefacts stay linked.
    with unit_of_work():
        edit_decision(decision_id, fields, LEAD, move=None, expected_version=2)
    assert db.session.get(Decision, decision_id).move_state is None


def test_a_refused_move_leaves_no_decision_behind():
    (des196,) = add_artefacts(("DES196", "2"))
    with unit_of_work():
        move_artefacts([des196.id], "drafting", on=date(2023, 7, 1), actor=LEAD)
    dag26 = add_meeting("DAG026", None)
    move = RequestedMove((des196.id,), "baselined", date(2023, 7, 12))
    message = "DES196 cannot move from drafting to baselined: allowed from here: under review"
    with pytest.raises(ServiceError, match=message), unit_of_work():
        record_decision(
            dag26, DecisionFields(text="Approved", artefacts=("DES196",)), LEAD, move=move
        )
    assert db.session.scalar(select(db.func.count()).select_from(Decision)) == 0
    assert db.session.get(Artefact, des196.id).state == "drafting"


def test_the_seam_checks_the_move_it_records():
    (des196,) = add_artefacts(("DES196", "2"))
    dag26 = add_meeting("DAG026", None)
    fields = DecisionFields(text="Approved", artefacts=("DES196",))
    for move, message in (
        (
            RequestedMove((des196.id,), "Baselined!", date(2023, 7, 12)),
            "not an artefact lifecycle state",
        ),
        (RequestedMove((), "baselined", date(2023, 7, 12)), "needs the artefacts"),
        (RequestedMove((99_999,), "baselined", date(2023, 7, 12)), "no artefact with id 99999"),
    ):
        with pytest.raises(ServiceError, match=message), unit_of_work():
            record_decision(dag26, fields, LEAD, move=move)
