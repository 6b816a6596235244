"""The demo's programme around the comments: review rounds, the artefacts' lifecycle, the DAG #8
meeting with its actions and decisions, working groups, reviewers' answers and a dissensus
entry. Everything goes through the services the pages and the CLI call, in the demo loader's
unit of work; nothing here commits.

Wording and dates come from the DAG #8 pack (13 April 2022): Tranche 1's first review (707
comments), its re-issue for a second review (IF024 removed from the tranche pending further
work), Tranche 2 issued to BPRWG on 4 April with comments closing on Friday 15 April, the DIP
documents to come back to DAG "not before May 2022". Tranche 1's second review is the demo's
one open round: its window is set around the day the demo is loaded, so that it reads open.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from .extensions import db
from .models import Artefact, Comment, Organisation
from .services.actions import NewAction, add_update, raise_action
from .services.answers import answer_comment
from .services.bulk_triage import bulk_triage
from .services.decision_moves import RequestedMove
from .services.decisions import DecisionFields, artefact_ids, record_decision
from .services.dissensus import open_from_comment
from .services.lifecycle import Change, issue_version, move_artefacts
from .services.meetings import create_meeting
from .services.rounds import RoundPlan, create_round, import_invitations, start_next_round
from .services.scope import Scope
from .services.working_groups import create_group

# Tranche 1's first review period (the pack gives its outcome, not its dates: the weeks before
# the re-issue), Tranche 2's first review as the pack announces it.
T1_FIRST_OPENS, T1_FIRST_CLOSES = date(2022, 2, 21), date(2022, 3, 11)
T1_REISSUED = date(2022, 3, 28)
T2_FIRST_OPENS, T2_FIRST_CLOSES = date(2022, 4, 4), date(2022, 4, 15)
DAG8_HELD = date(2022, 4, 13)

# Organisations invited to Tranche 1's first review that sent no comments (constituencies the
# pack's table lists with 0 comments). Made-up names, as the demo's others.
SILENT_INVITEES = (
    ("Beacon Smart Communications", "Central Systems Provider- Smart DCC"),
    ("Fenwick Energy", "Supplier- Small"),
    ("Granite Business Energy", "Supplier- I&C"),
)
WITHDRAWN = "IF024"  # "removed from this tranche pending further work"
BASELINED = "IF009"  # the demo's one baseline, by a DAG #8 decision
REDRAFTED = ("DES001", "DES002")  # DAG07-03: future versions back to DAG once updated


def load_programme_demo(
    tranche_1: list[str], tranche_1_others: list[str], tranche_2: list[str], actor: str
) -> dict[str, int]:
    """The rounds, lifecycle, governance, working groups, answers and dissensus of the demo;
    the references are the tranches' artefacts as the register lists them. Inside the
    caller's unit of work, after the comments are triaged and published."""
    summary = _rounds(tranche_1, tranche_1_others, tranche_2, actor)
    summary |= _governance(actor)
    summary |= _working_groups(actor)
    summary |= _answers(actor)
    return summary


def _ids(references: list[str] | tuple[str, ...]) -> dict[str, int]:
    rows = db.session.execute(
        select(Artefact.reference, Artefact.id).where(Artefact.reference.in_(references))
    )
    return dict(rows.all())


def _issue(references: list[str], label: str, on: date, note: str, actor: str) -> None:
    for artefact_id in _ids(references).values():
        issue_version(artefact_id, label, issued_on=on, change=Change(actor, on, note))


def _rounds(
    tranche_1: list[str], tranche_1_others: list[str], tranche_2: list[str], actor: str
) -> dict[str, int]:
    """Tranche 1: the first review (closed; 18 organisations invited, 15 responded), then the
    second review open with the unresolved comments carried forward. Tranche 2: the first
    review (closed on the pack's closing date)."""
    first = [*tranche_1, *tranche_1_others]
    _issue(first, "v0.1", T1_FIRST_OPENS, "issued for the first review", actor)
    responded = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id)))
    t1_first = create_round(
        RoundPlan(
            "1",
            1,
            T1_FIRST_OPENS,
            T1_FIRST_CLOSES,
            name="First review",
            scope_note="Business process diagrams, requirements and interface specifications "
            "of Tranche 1, issued to BPRWG for review.",
            artefacts=dict.fromkeys(first, "v0.1"),
            organisation_ids=responded,
        ),
        actor=actor,
    )
    invitees = "Organisation,Constituency\n" + "".join(
        f"{name},{constituency}\n" for name, constituency in SILENT_INVITEES
    )
    invited = import_invitations(t1_first.id, invitees.encode(), "tranche-1-invitations.csv")
    if invited.problems:
        raise RuntimeError(f"demo invitations refused: {invited.problems[0]}")
    ids = _ids([WITHDRAWN, *REDRAFTED])
    move_artefacts(
        [ids[WITHDRAWN]],
        "withdrawn",
        on=T1_REISSUED,
        note="Removed from this tranche pending further work; will be re-issued at a later stage.",
        actor=actor,
    )
    move_artefacts(
        [ids[r] for r in REDRAFTED],
        "drafting",
        on=DAG8_HELD,
        note="Future versions come back to DAG once further updates are incorporated, not "
        "before May 2022 (DAG07-03).",
        actor=actor,
    )
    second = [r for r in tranche_1 if r not in (WITHDRAWN, BASELINED)]
    _issue(second, "v0.2", T1_REISSUED, "re-issued for the second review", actor)
    today = date.today()
    _t1_second, carried = start_next_round(
        t1_first.id,
        RoundPlan(
            "1",
            2,
            today - timedelta(days=4),
            today + timedelta(days=10),
            name="Second review",
            scope_note="Updated artefacts re-issued for a further two-week review. Further "
            "review comments are requested in relation to the data items only.",
            artefacts=dict.fromkeys(second, "v0.2"),
        ),
        actor=actor,
    )
    _issue(tranche_2, "v0.1", T2_FIRST_OPENS, "issued to BPRWG for review", actor)
    t2_invited = list(
        db.session.scalars(select(Organisation.id).where(Organisation.name.in_(TRANCHE_2_INVITED)))
    )
    create_round(
        RoundPlan(
            "2",
            1,
            T2_FIRST_OPENS,
            T2_FIRST_CLOSES,
            name="First review",
            scope_note="Published on the MHHS Portal with a status of 'Under Review' and "
            "Action With 'BPRWG'.",
            artefacts=dict.fromkeys(tranche_2, "v0.1"),
            organisation_ids=t2_invited,
        ),
        actor=actor,
    )
    return {"invited": len(responded) + invited.added, "carried": carried}


# Tranche 2's invitations: the six organisations that have sent comments, three that have not.
TRANCHE_2_INVITED = (
    "Northgate Data Systems",
    "Meridian Metering Services",
    "Kestrel Data Collection",
    "Elexon",
    "Albion Energy Supply",
    "Western Grid Distribution",
    "Helix Utility Software",
    "Crown Power Retail",
    "Energy Code Services",
)

# DAG #8's actions: (text, area, owner, due, due note, artefacts, updates as (text, status)).
DAG8_ACTIONS = (
    (
        "Programme to issue paper for review by the Smart Market Segment Sub-Group (SDS) "
        "detailing matters for determination on Target Response Times for meter data retrieval",
        "Level playing field principle",
        "Programme (Design Team)",
        date(2022, 5, 11),
        None,
        (),
        (
            (
                "Paper issued to SDS; updates via the Level Playing Field Principle standing "
                "agenda item.",
                "closed",
            ),
        ),
    ),
    (
        "Programme to bring future versions of DIP Functional Specification and Non-Functional "
        "Requirements to DAG, once further updates incorporated",
        "DIP Technical Documents",
        "Programme (Design Team)",
        date(2022, 5, 11),
        None,
        REDRAFTED,
        (
            (
                "Programme advise confirmation will be provided to DAG when timeframes known for "
                "next iterations of documents, which will not be before May 2022.",
                "ongoing",
            ),
        ),
    ),
    (
        "Design team to review activity and capacity around resolution of Tranche 1 comments "
        "in 'Action' and 'Requires Further Clarification' status to ensure processes are robust",
        "Design artefact review",
        "Programme (Claire Silk)",
        date(2022, 4, 27),
        None,
        (),
        (
            (
                "Activity to resolve comments in 'Action' and 'Requires Further Clarification' "
                "status is underway.",
                "recommend_closed",
            ),
        ),
    ),
    (
        "DAG members to provide cost implications of Option 1 relating to primary and "
        "secondary requirements within the technical addressing options to the PMO",
        "Design decisions",
        "DAG members",
        None,
        "Next DAG",
        (),
        (),
    ),
    (
        "Programme to present the SharePoint front end of the post baseline design repository "
        "tooling, loaded with Tranche 1 business process diagrams and interfaces",
        "Post baseline design repository tooling",
        "Programme (Simon Harrison)",
        None,
        "TBC",
        (),
        (),
    ),
)
DAG8_DECISIONS = (
    ("Minutes from DAG007 held 23 March 2022 approved.", "Minutes and actions", ()),
    (
        "DAG approved the updated DAG Design Principles, including the draft customer design "
        "principle and Design Principle 8 referencing all relevant industry codes.",
        "DAG design principles",
        (),
    ),
    (
        "DAG approved IF009 Registration Service Notification of Disconnection for baseline: "
        "its Tranche 1 comments are resolved.",
        "Design artefact review",
        (BASELINED,),
    ),
)


def _governance(actor: str) -> dict[str, int]:
    """DAG #8 (13 April 2022): five actions (one closed, one ongoing and overdue, one
    recommended for closure, two open without a date) and three decisions, the last
    baselining IF009."""
    meeting = create_meeting("DAG008", DAG8_HELD, "DAG #8")
    for text, area, owner, due, due_note, artefacts, updates in DAG8_ACTIONS:
        new = NewAction(text, area, owner, due, due_note, public=True)
        links = tuple(("artefact", i) for i in _ids(artefacts).values())
        action = raise_action(meeting.id, new, actor, dated=DAG8_HELD, links=links)
        for update, status in updates:
            add_update(
                action.id, update, actor, dated=DAG8_HELD + timedelta(days=14), to_status=status
            )
    baselined = _ids([BASELINED])[BASELINED]
    move_artefacts(
        [baselined],
        "ready_for_dag",
        on=date(2022, 4, 8),
        note="Comments resolved; submitted to DAG for approval.",
        actor=actor,
    )
    for text, area, artefacts in DAG8_DECISIONS:
        move = (
            RequestedMove(tuple(artefact_ids(artefacts)), "baselined", DAG8_HELD)
            if artefacts
            else None
        )
        record_decision(meeting.id, DecisionFields(text, area, True, artefacts), actor, move=move)
    return {"meetings": 1, "actions": len(DAG8_ACTIONS), "decisions": len(DAG8_DECISIONS)}


# Working groups, and the Tranche 1 comments in Action each resolves (by artefact).
WORKING_GROUPS = (
    ("BPRWG", "Business Process & Requirements Working Group", ("BP004", "BP005")),
    ("TDWG", "Technical Design Working Group", ("IF005",)),
)


def _working_groups(actor: str) -> dict[str, int]:
    assigned = 0
    for name, description, references in WORKING_GROUPS:
        group = create_group(name, description)
        ids = list(
            db.session.scalars(
                select(Comment.id)
                .join(Artefact)
                .where(Artefact.reference.in_(references), Comment.disposition == "action")
            )
        )
        assigned += bulk_triage(ids, None, {"working_group_id": group.id}, actor)
    return {"assigned": assigned}


ANSWERING = "Meridian Metering Services"
DISAGREEMENT = (
    "The legacy and unmetered cases are within the scope of MHHS: leaving them out of this "
    "process leaves supplier agents without a defined path. We ask DAG to reconsider."
)
LIVE_WITH = (
    "We would have preferred the service level in this version, but accept it will follow in "
    "a later version."
)


def _answers(actor: str) -> dict[str, int]:
    """One organisation answers four of its published Tranche 1 dispositions: two accepted
    ones it agrees with, one in Action it can live with, one rejected it disagrees with; the
    disagreement opens a dissensus entry."""
    organisation = db.session.scalar(select(Organisation.id).where(Organisation.name == ANSWERING))
    scope = Scope.organisation(organisation)

    def first(disposition: str, n: int) -> list[int]:
        return list(
            db.session.scalars(
                select(Comment.id)
                .where(
                    Comment.organisation_id == organisation,
                    Comment.disposition == disposition,
                )
                .order_by(Comment.id)
                .limit(n)
            )
        )

    for comment_id in first("accepted", 2):
        answer_comment(comment_id, scope, "agree", actor=actor)
    (live_with,) = first("action", 1)
    answer_comment(live_with, scope, "can_live_with", reason=LIVE_WITH, actor=actor)
    (disagreed,) = first("rejected", 1)
    answer_comment(disagreed, scope, "disagree", reason=DISAGREEMENT, actor=actor)
    open_from_comment(disagreed, actor)
    return {"answers": 4, "dissensus": 1}
