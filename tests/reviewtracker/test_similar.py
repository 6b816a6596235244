"""Similar comments: near-duplicates on the same artefact score above the threshold, comments
that say something else score below it. Sets A and B are the evidence the threshold was
chosen on; set C was written afterwards, blind, to check it, and 8 of its 27 pairs fall on
the wrong side (strict xfails)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from sqlalchemy import select

from reviewtracker.demo import CONCERNS
from reviewtracker.extensions import db
from reviewtracker.models import Comment
from reviewtracker.services import ServiceError
from reviewtracker.services.comment_import import import_comment_log
from reviewtracker.services.scope import Scope
from reviewtracker.services.similar import SIMILARITY_THRESHOLD, similar_comments, similarity
from tests.logmaker import write_xlsx_log

from .factories import add_artefacts

STAFF = Scope.staff()
ACME = {"Organisation": "Acme Energy", "Constituency": "Supplier - Large"}

# Set A. Pairs a triager would call duplicates: rephrased, reordered, misspelt, or the same
# comment with a sentence or a whole paragraph added.
NEAR_DUPLICATES = [
    (
        "The trigger for step 4 is not clear when the meter technical details arrive after the "
        "settlement run has started. Please state which party owns the exception.",
        "Trigger for step 4 unclear where meter technical details arrive after the settlement "
        "run has started - please state which party owns the exception and the timescale.",
    ),
    (
        "Timing of the appointment notification is given as 'as soon as possible'. A measurable "
        "service level is needed so that parties can design and test to it.",
        "Timing of the appointment notification is given as 'as soon as possible'. A measurable "
        "service level is needed so that parties can design and test to it. We suggest 5 "
        "working days.",
    ),
    (
        "Error handling for a rejected consumption data submission is missing: what does the "
        "sender do on a validation failure?",
        "error handling for a rejected consumption data submisison is missing - what does the "
        "sender do on validation failure? Is a retry expected?",
    ),
    (
        "The swimlane shows the Registration Service sending the notification directly to the "
        "Data Service, but all messages should be routed through the DIP.",
        "The swimlane shows the Registration Service sending the notification directly to the "
        "Data Service. The design principles say all messages go through the DIP; please "
        "confirm.",
    ),
    (
        "Section 3.2 uses 'MTD' and section 4.1 uses 'meter technical details'; please use one "
        "defined term.",
        "Section 3.2 uses MTD while 4.1 uses meter technical details. Please use a single defined "
        "term.",
    ),
    (
        "The trigger for step 4 is not clear when the meter technical details arrive after the "
        "settlement run has started.",
        "The trigger for step 4 is not clear when the meter technical details arrive after the "
        "settlement run has started. In our experience with the current arrangements, this "
        "happens in roughly one case in twenty and the resulting exception is currently handled "
        "manually by both parties.",
    ),
    (
        "Please confirm the DIP routes the message.",
        "Please confirm that the DIP routes this message.",
    ),
]

# Pairs on the same artefact that share the domain's vocabulary but say different things,
# including short comments whose every word appears in the longer one.
UNRELATED = [
    (
        "The trigger for step 4 is not clear when the meter technical details arrive after the "
        "settlement run has started. Please state which party owns the exception.",
        "Error handling for a rejected consumption data submission is missing: what does the "
        "sender do on a validation failure?",
    ),
    (
        "Timing of the appointment notification is given as 'as soon as possible'. A measurable "
        "service level is needed so that parties can design and test to it.",
        "The swimlane shows the Registration Service sending the notification directly to the "
        "Data Service, but all messages should be routed through the DIP.",
    ),
    (
        "It is not clear how the disconnection is handled for a related MPAN where the secondary "
        "registration is with a different supplier.",
        "The description of the disconnection notification assumes a smart meter with a working "
        "communications link; the legacy cases should be described too.",
    ),
    (
        "Typo in section 2.1.",
        "The description of the energisation status change is not clear in section 2.1 and the "
        "typo in the diagram should be fixed; also the swimlane is wrong.",
    ),
    (
        "Please clarify the data items carried by the interface.",
        "Please clarify who owns the exception when the interface is rejected by the "
        "Registration Service.",
    ),
    (
        "Step 6 refers to the supplier data change but the interface catalogue does not list the "
        "data items it carries.",
        "Step 6 should be removed: the supplier data change is already covered by the "
        "Registration Service process in BP010.",
    ),
    (
        "Agree with the approach.",
        "Agree with the approach but the timing of the notification needs a measurable service "
        "level.",
    ),
]


@pytest.mark.parametrize(("a", "b"), NEAR_DUPLICATES)
def test_near_duplicates_score_above_the_threshold(a, b):
    assert similarity(a, b) >= SIMILARITY_THRESHOLD
    assert similarity(a, b) == similarity(b, a)


@pytest.mark.parametrize(("a", "b"), UNRELATED)
def test_unrelated_comments_score_below_the_threshold(a, b):
    assert similarity(a, b) < SIMILARITY_THRESHOLD


# Set B. Written as a held-out set after the first threshold (75) was chosen on set A: design
# review comments on MHHS-style artefacts (interfaces, BRS, process maps, data items). Each
# first text is a point one reviewer raised; in HELD_OUT_REWORDINGS another reviewer makes the
# same point in their own words, in HELD_OUT_DIFFERENT_POINTS someone makes another point on
# the same artefact with the same vocabulary. The pairs were written first and measured
# afterwards, at threshold 75: the rewordings scored 80.5-97.4 (all above); eight of the ten
# different points scored 49.8-69.7 and two scored 75.6 and 76.1, on the wrong side (they were
# strict xfails). The threshold was then re-chosen on sets A and B together, so set B is no
# longer held out: it is calibration data, like set A, and its two former xfails are ordinary
# assertions now. Set C below is the held-out check of the new threshold.
HELD_OUT_REWORDINGS = [
    (
        "IF-013 does not say whether the Data Service must acknowledge receipt of the "
        "appointment details. Please confirm whether an acknowledgement is expected and within "
        "what time.",
        "Please confirm whether the Data Service is expected to acknowledge receipt of the "
        "appointment details in IF-013, and within what timescale.",
    ),
    (
        "The BRS does not define what happens when the Registration Service receives a "
        "de-appointment for an agent that is not currently appointed to the MPAN.",
        "What happens when the Registration Service receives a de-appointment for an agent who "
        "is not currently appointed to the MPAN? The BRS does not define this.",
    ),
    (
        "Step 5 of the process says the Supplier 'should' send the notification. Should this be "
        "'must'? As written the step is optional.",
        "In step 5 the Supplier 'should' send the notification; we think this needs to be "
        "'must', otherwise the step is optional.",
    ),
    (
        "The validation rules for the UTC settlement period field are not given. Please add them "
        "to the data item catalogue.",
        "Validation rules for the UTC settlement period field are missing from the data item "
        "catalogue - please add them.",
    ),
    (
        "The process map does not cover the case where the meter is removed before the change "
        "of supplier completes.",
        "The process map does not cover the case where the meter is removed before the change "
        "of supplier has completed. This is a common scenario for prepayment customers and "
        "needs its own swimlane.",
    ),
    (
        "Estimated consumption is sent to the Load Shaping Service before actual reads are "
        "available, but the document does not say whether the estimate is replaced when the "
        "actual reads arrive.",
        "The document doesn't say whether estimated consumption sent to the Load Shaping "
        "Service is replaced once the actual reads become available.",
    ),
    (
        "Please clarify which party is responsible for resolving a missing half-hourly read for "
        "an unmetered supply.",
        "Please clarify which party is responsible for resolving missing half hourly reads for "
        "unmetered supplies.",
    ),
    (
        "The timings in the table in section 4.3 are given in working days, but the interface "
        "specification uses calendar days. Please align them.",
        "Section 4.3 gives the timings in working days whereas the interface specification uses "
        "calendar days; these should be aligned.",
    ),
    (
        "The diagram on page 12 is unreadable when printed. Please provide a higher resolution "
        "version.",
        "The diagram on page 12 cannot be read when printed; could a higher resolution version "
        "be provided?",
    ),
    (
        "We do not agree that the Metering Service should notify the Supplier of a meter "
        "exchange via the Registration Service. A direct message through the DIP would be "
        "faster.",
        "We disagree that the Metering Service should notify the Supplier of a meter exchange "
        "via the Registration Service: a direct DIP message would be quicker.",
    ),
]

HELD_OUT_DIFFERENT_POINTS = [
    (
        HELD_OUT_REWORDINGS[0][0],
        "IF-013 lists the appointment details sent to the Data Service but the data item for "
        "the effective from date is missing.",
    ),
    (
        HELD_OUT_REWORDINGS[1][0],
        "The BRS should state how long the Registration Service keeps the history of agent "
        "appointments for an MPAN.",
    ),
    # Calibration data: measured 76.1, above the old threshold 75 (then a strict xfail); the
    # highest different-point score of sets A and B, so it fixes the bottom of the gap.
    pytest.param(
        HELD_OUT_REWORDINGS[2][0],
        "Step 5 of the process sends the notification to the Supplier, but step 7 sends the "
        "same notification again. Is this a duplicate?",
        id="step-5-should-vs-step-7-repeat",
    ),
    (
        HELD_OUT_REWORDINGS[3][0],
        "The data item catalogue gives the UTC settlement period as an integer; a date and time "
        "would avoid conversion errors at the clock change.",
    ),
    (
        HELD_OUT_REWORDINGS[4][0],
        "The process map shows the change of supplier completing before the new Supplier "
        "appoints its agents; please check the order.",
    ),
    (
        HELD_OUT_REWORDINGS[5][0],
        "The Load Shaping Service should receive actual reads from the Data Service at the same "
        "time as the Supplier does, not a day later.",
    ),
    (
        HELD_OUT_REWORDINGS[6][0],
        "Please clarify how the half-hourly consumption for an unmetered supply is calculated "
        "when the inventory changes mid-month.",
    ),
    (
        HELD_OUT_REWORDINGS[7][0],
        "Section 4.3 should include the timing for the Supplier to respond to a rejected "
        "registration.",
    ),
    (
        "Agree with the proposed design.",
        "Agree with the proposed design for smart meters, but legacy advanced meters are not "
        "covered and need a process of their own.",
    ),
    # Calibration data: measured 75.6, above the old threshold 75 (then a strict xfail).
    pytest.param(
        HELD_OUT_REWORDINGS[9][0],
        "The Metering Service should notify the Data Service of a meter exchange as well as "
        "the Supplier, so that reads taken on the old meter are not lost.",
        id="meter-exchange-route-vs-recipients",
    ),
]


@pytest.mark.parametrize(("a", "b"), HELD_OUT_REWORDINGS)
def test_held_out_rewordings_score_at_or_above_the_threshold(a, b):
    assert similarity(a, b) >= SIMILARITY_THRESHOLD


@pytest.mark.parametrize(("a", "b"), HELD_OUT_DIFFERENT_POINTS)
def test_held_out_different_points_score_below_the_threshold(a, b):
    assert similarity(a, b) < SIMILARITY_THRESHOLD


def _pairs(params: list) -> list[tuple[str, str]]:
    """The (a, b) texts of a parametrize list, with or without pytest.param entries."""
    return [tuple(getattr(p, "values", p)) for p in params]


def test_set_b_shares_no_text_with_set_a():
    """Set B was written as a held-out set: not one comment of it is among set A's pairs."""
    tuning = {text for pair in NEAR_DUPLICATES + UNRELATED for text in pair}
    pairs = HELD_OUT_REWORDINGS + _pairs(HELD_OUT_DIFFERENT_POINTS)
    held_out = {text for pair in pairs for text in pair}
    assert len(held_out) == 31  # 20 rewordings, 10 different points, "Agree with the ..."
    assert not tuning & held_out


# Set C. A held-out check of the threshold chosen on sets A and B (77.5), written before any
# of it was measured and committed on its own before it was: realistic review comments on
# MHHS design artefacts (business process diagrams, interface specifications, registration,
# metering and settlement steps, DIP messages, data items), short and long, terse and
# wordy, some quoting the document. In SET_C_REWORDINGS a second reviewer makes the first
# one's point in their own words; in SET_C_DIFFERENT_POINTS someone makes another point on
# the same artefact, with the same vocabulary.
SET_C_REWORDINGS = [
    (
        "BP007 step 3: who sends the MTD?",
        "Step 3 of BP007 - which party sends the MTD?",
    ),
    (
        "Section 5.2 says 'the Registration Service shall validate the MPAN against the Market "
        "Participant Identifier'. MPANs are not validated against MPIDs; this should reference "
        "the MPAN's LDSO. Please correct.",
        "The statement in 5.2 that 'the Registration Service shall validate the MPAN against the "
        "Market Participant Identifier' looks wrong - an MPAN is validated against its LDSO, not "
        "an MPID. Please correct the wording.",
    ),
    (
        "IF-021 has the Connection Type Indicator as mandatory, but the BRS says it is only sent "
        "for new connections. Which is right?",
        "Conflict between IF-021 and the BRS: the interface makes Connection Type Indicator "
        "mandatory, the BRS says it is only sent for new connections. Please resolve.",
    ),
    (
        "The DIP message for the segment change (PUB-005) does not say what the receiving "
        "Supplier should do if it receives the message for an MPAN it is no longer registered "
        "to. In a change of supplier that crosses the segment change this will happen "
        "regularly, and without a defined response each Supplier will build its own handling.",
        "What should a Supplier do when PUB-005 (segment change) arrives for an MPAN it has since "
        "lost on change of supplier? This will happen often when the two overlap; please define "
        "the expected response rather than leave it to each Supplier.",
    ),
    (
        "The settlement timetable in appendix B still shows RF at 14 months. Under MHHS the "
        "final run is at 4 months; please update the appendix.",
        "Appendix B settlement timetable is out of date: it shows RF at 14 months, but the MHHS "
        "final reconciliation run is at 4 months.",
    ),
    (
        "DI-042 Meter Read Type: the valid set lists 'C' twice with different descriptions.",
        "Duplicate code in the valid set for DI-042 (Meter Read Type): 'C' appears twice, with "
        "two different descriptions.",
    ),
    (
        "Diagram missing a legend.",
        "The diagram has no legend.",
    ),
    (
        "Please confirm whether the Registration Service rejects an appointment request for a "
        "Metering Service that has not passed qualification, or accepts it and raises an "
        "exception.",
        "If a Supplier appoints a Metering Service that is not yet qualified, does the "
        "Registration Service reject the request outright or accept it and raise an exception? "
        "Please confirm.",
    ),
    (
        "We believe the swimlane for the Advanced Data Service is missing from the BPMN for "
        "BP012; the ADS receives the read and should be shown.",
        "BP012 BPMN: the Advanced Data Service has no swimlane, although it receives the read. "
        "Please add it.",
    ),
    (
        "The 'D+1' timescale in step 8 is ambiguous: does D mean the day the read was taken or "
        "the day it was received?",
        "Step 8 says 'D+1'. Is D the read date or the date the read was received? Please define.",
    ),
    (
        "The process does not cover a meter exchange where the new meter cannot communicate on "
        "installation.",
        "The process does not cover a meter exchange where the new meter cannot communicate on "
        "installation. We see this on around 5% of exchanges in rural areas, and the Data "
        "Service would need to fall back to manual reads until comms are established.",
    ),
    (
        "Is the consent flag for half-hourly data held by the Supplier or by the Data Service? "
        "The document is not clear.",
        "not clear from the doc whether the consent flag for HH data sits with the supplier or "
        "the data service??",
    ),
    (
        "Table 3 lists the Unmetered Supplies Operator as a recipient of the inventory update, "
        "but the process diagram does not show this flow.",
        "The inventory update flow to the Unmetered Supplies Operator listed in Table 3 is not "
        "shown on the process diagram.",
    ),
]

SET_C_DIFFERENT_POINTS = [
    (
        SET_C_REWORDINGS[0][0],
        "BP007 step 3: the MTD should go to the Data Service as well.",
    ),
    (
        SET_C_REWORDINGS[1][0],
        "Section 5.2 says 'the Registration Service shall validate the MPAN' but does not say "
        "what happens when validation fails. Please add the rejection path.",
    ),
    (
        SET_C_REWORDINGS[2][0],
        "IF-021 gives the Connection Type Indicator a length of 1, but the data item catalogue "
        "gives it a length of 2.",
    ),
    (
        SET_C_REWORDINGS[3][0],
        "PUB-005 (segment change) is published to the Supplier but not to the Data Service, "
        "which also needs to know the segment of the MPAN to process its reads.",
    ),
    (
        SET_C_REWORDINGS[4][0],
        "The settlement timetable in appendix B does not show the SF run at all; please add it "
        "with its timing.",
    ),
    (
        SET_C_REWORDINGS[5][0],
        "DI-042 Meter Read Type: the description of 'C' (customer read) should say whether "
        "photos are accepted as evidence.",
    ),
    (
        SET_C_REWORDINGS[6][0],
        "Diagram missing the exception path for a rejected read.",
    ),
    (
        SET_C_REWORDINGS[7][0],
        "Please confirm how long the Registration Service keeps an appointment request that is "
        "pending qualification of the Metering Service.",
    ),
    (
        SET_C_REWORDINGS[8][0],
        "We believe the BPMN for BP012 shows the Advanced Data Service sending the read to the "
        "Supplier before validation; validation should come first.",
    ),
    (
        SET_C_REWORDINGS[9][0],
        "The 'D+1' timescale in step 8 is too tight for reads collected manually; D+3 would be "
        "achievable.",
    ),
    (
        SET_C_REWORDINGS[10][0],
        "The process does not say who pays for a meter exchange where the new meter is faulty "
        "on installation.",
    ),
    (
        SET_C_REWORDINGS[11][0],
        "The consent flag for half-hourly data is held by the Supplier, but the document does "
        "not say how a change of consent is passed to the Data Service.",
    ),
    (
        SET_C_REWORDINGS[12][0],
        "Table 3 lists the Unmetered Supplies Operator as a recipient of the inventory update; "
        "it should also list the Meter Administrator.",
    ),
    (
        "Agree with section 4.",
        "Agree with section 4 except the timing of the registration response, which should be 2 "
        "working days rather than 5.",
    ),
]


def test_set_c_shares_no_text_with_sets_a_and_b():
    """Set C is held out: not one comment of it is among the pairs the threshold was chosen
    on."""
    tuning_pairs = NEAR_DUPLICATES + UNRELATED + HELD_OUT_REWORDINGS
    tuning = {text for pair in tuning_pairs + _pairs(HELD_OUT_DIFFERENT_POINTS) for text in pair}
    held_out = {text for pair in SET_C_REWORDINGS + SET_C_DIFFERENT_POINTS for text in pair}
    assert len(SET_C_REWORDINGS) >= 12 and len(SET_C_DIFFERENT_POINTS) >= 12
    assert len(held_out) == 41  # 26 rewordings, 13 different points, "Agree with section 4..."
    assert not tuning & held_out


# Set C measured, after the commit above, at threshold 77.5: the rewordings scored 67.9-89.3,
# the different points 57.5-88.4; 8 of the 27 pairs are on the wrong side. The pairs are kept
# as written (the lists above are unchanged since that commit); the wrong-side ones are strict
# xfails marked with their score, by index, so if one ever changes side its mark must go.
# - Rewordings below: restructured (a statement turned into a question, a terse "BP012 BPMN:"
#   heading), or short texts that share only a few words ("Diagram missing a legend." / "The
#   diagram has no legend.").
# - Different points above: the second comment repeats the first one's subject (the same
#   actor, request, flag or table) and asks for something else.
# The groups overlap (67.9 < 88.4), so no threshold separates set C: 75 and 77.5 put 8 pairs
# on the wrong side, 70 and 80 nine; the fewest is 7, at 70.8-71.5. The threshold was not
# moved for set C: that would make it tuning data, and it is the only unseen check we have.
SET_C_REWORDINGS_BELOW = {3: 67.9, 6: 69.5, 8: 72.5, 9: 71.5}
SET_C_DIFFERENT_POINTS_ABOVE = {7: 80.6, 10: 78.6, 11: 88.4, 12: 78.8}


def _set_c_params(pairs: list[tuple[str, str]], wrong_side: dict[int, float], why: str) -> list:
    return [
        pytest.param(
            a,
            b,
            marks=[pytest.mark.xfail(strict=True, reason=f"measured {wrong_side[i]}: {why}")]
            if i in wrong_side
            else [],
            id=f"c{i}",
        )
        for i, (a, b) in enumerate(pairs)
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    _set_c_params(SET_C_REWORDINGS, SET_C_REWORDINGS_BELOW, "a rewording below the threshold"),
)
def test_set_c_rewordings_score_at_or_above_the_threshold(a, b):
    assert similarity(a, b) >= SIMILARITY_THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"),
    _set_c_params(
        SET_C_DIFFERENT_POINTS, SET_C_DIFFERENT_POINTS_ABOVE, "another point at or above it"
    ),
)
def test_set_c_different_points_score_below_the_threshold(a, b):
    assert similarity(a, b) < SIMILARITY_THRESHOLD


def test_set_c_figures():
    """The numbers the module docstring and the comment above quote for set C."""
    same = [similarity(a, b) for a, b in SET_C_REWORDINGS]
    different = [similarity(a, b) for a, b in SET_C_DIFFERENT_POINTS]
    assert (min(same), max(same)) == (67.9, 89.3)
    assert (min(different), max(different)) == (57.5, 88.4)
    below = {i: score for i, score in enumerate(same) if score < SIMILARITY_THRESHOLD}
    above = {i: score for i, score in enumerate(different) if score >= SIMILARITY_THRESHOLD}
    assert below == SET_C_REWORDINGS_BELOW
    assert above == SET_C_DIFFERENT_POINTS_ABOVE


def test_the_threshold_is_the_midpoint_of_the_gap_over_sets_a_and_b():
    """The numbers the module docstring quotes: over sets A and B together, the lowest
    same-point score and the highest different-point score, and the threshold halfway."""
    same = [similarity(a, b) for a, b in NEAR_DUPLICATES + HELD_OUT_REWORDINGS]
    different = [similarity(a, b) for a, b in UNRELATED + _pairs(HELD_OUT_DIFFERENT_POINTS)]
    assert (min(same), max(different)) == (78.8, 76.1)
    assert max(different) < SIMILARITY_THRESHOLD < min(same)
    # Scores have one decimal: 77.5 draws the same line as the midpoint, 77.45.
    assert abs(SIMILARITY_THRESHOLD - (min(same) + max(different)) / 2) <= 0.05 + 1e-9
    # Identical texts, up to case and punctuation, score 100; nothing scores against nothing.
    assert similarity("Please confirm.", "please CONFIRM") == 100
    assert similarity("", "Please confirm.") == 0


def test_demo_concerns_same_concern_similar_different_concern_not():
    """The demo data's generated comments: one concern about two topics is near the same
    comment; two different concerns about the same topic are not."""
    topics = ("meter technical details update", "appointment notification")

    def text(concern: str, topic: str) -> str:
        return concern.format(topic=topic, step=3, section="2.4")

    for concern in CONCERNS:
        assert similarity(text(concern, topics[0]), text(concern, topics[1])) >= 80
    for one, other in itertools.combinations(CONCERNS, 2):
        assert similarity(text(one, topics[0]), text(other, topics[0])) < SIMILARITY_THRESHOLD


def _import(tmp_path: Path, name: str, rows: list[tuple[str, str]]) -> list[Comment]:
    """Import (artefact, text) rows as one log; the comments in row order."""
    log = [
        {"log_comment_id": str(i), "artefact": f"MHHSP-{artefact}", "comment": text}
        for i, (artefact, text) in enumerate(rows, start=1)
    ]
    report = import_comment_log(write_xlsx_log(tmp_path / name, log, key_values=ACME))
    assert report.ok, [str(p) for p in report.problems]
    ids = db.session.scalars(
        select(Comment.id).where(Comment.import_batch_id == report.batch_id).order_by(Comment.id)
    )
    return [db.session.get(Comment, i) for i in ids]


@pytest.mark.usefixtures("app_context")
def test_similar_comments_on_the_same_artefact_best_first(tmp_path: Path):
    add_artefacts(("BP004", "1"), ("BP005", "1"))
    original, rephrased = NEAR_DUPLICATES[0]
    longer = original + " We have seen this in the current arrangements too."
    comments = _import(
        tmp_path,
        "log.xlsx",
        [
            ("BP004", original),
            ("BP004", UNRELATED[0][1]),  # something else, same artefact
            ("BP004", rephrased),
            ("BP005", original),  # the same words, but about another document
            ("BP004", longer),
        ],
    )
    first, unrelated, second, elsewhere, third = comments
    found = similar_comments(first.id, STAFF)
    assert [c.id for c, _ in found] == [third.id, second.id]
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)
    assert all(score >= SIMILARITY_THRESHOLD for score in scores)
    assert unrelated.id not in {c.id for c, _ in found}
    assert elsewhere.id not in {c.id for c, _ in found}
    assert [c.id for c, _ in similar_comments(first.id, STAFF, limit=1)] == [third.id]
    assert similar_comments(unrelated.id, STAFF) == []
    # The comment on the other artefact has no neighbour there.
    assert similar_comments(elsewhere.id, STAFF) == []


@pytest.mark.usefixtures("app_context")
def test_similar_comments_of_an_unknown_comment_is_refused():
    with pytest.raises(ServiceError):
        similar_comments(12345, STAFF)
