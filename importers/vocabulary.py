"""The domain's vocabularies, each defined once: the dispositions, the RAG statuses, the
advisory group's action statuses and what an action links to, the artefact lifecycle's states
(with the moves allowed between them), the review rounds' states and the round-to-round
diff's categories, the response states, the reviewers' answers, and the dissensus log's
positions, outcomes and statuses, and how a reviewer's submission came (a log, the web form).

A `Term` is one value: the key the database stores, the label the pages and exports show,
its colour, its definition and, where the comment page offers one, its keyboard key. A
`Vocabulary` holds its terms in their order (the DAG pack's). Everything else derives from
here: the readers (their synonyms are keyed by these keys), the database's CHECK constraints
and sort order, the rollups' columns, the pages, charts, exports and the JavaScript keys.
Adding a value is a change here plus a migration for the CHECK constraint.

Pure Python: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_KEY = re.compile(r"^[a-z][a-z_]*$")  # safe in SQL literals, CSS classes and URLs
_COLOUR = re.compile(r"^#[0-9a-f]{6}$")


@dataclass(frozen=True, slots=True)
class Term:
    key: str  # what the database stores
    label: str  # as the DAG pack writes it
    colour: str  # "#rrggbb", lower case
    definition: str
    shortcut: str | None = None  # the comment page's keyboard key, if it has one
    short_label: str | None = None  # for narrow table headings; else the label

    def __post_init__(self) -> None:
        if not _KEY.match(self.key):
            raise ValueError(f"a term's key is lower-case letters and '_': {self.key!r}")
        if not _COLOUR.match(self.colour):
            raise ValueError(f"{self.key}: colour must be written #rrggbb, not {self.colour!r}")

    @property
    def rgb(self) -> str:
        """The colour as openpyxl takes it: 'RRGGBB', no '#'."""
        return self.colour[1:].upper()


class Vocabulary:
    """The terms of one domain word in their order. Iterating gives the terms; `key in
    vocabulary` and `vocabulary[key]` look one up by its key."""

    __slots__ = ("name", "keys", "_terms", "_by_key")

    def __init__(self, name: str, *terms: Term) -> None:
        self.name = name
        self.keys: tuple[str, ...] = tuple(term.key for term in terms)
        self._terms = terms
        self._by_key = {term.key: term for term in terms}
        if len(self._by_key) != len(terms):
            raise ValueError(f"{name}: two terms share a key")
        shortcuts = [term.shortcut for term in terms if term.shortcut]
        if len(set(shortcuts)) != len(shortcuts):
            raise ValueError(f"{name}: two terms share a keyboard key")

    def __iter__(self) -> Iterator[Term]:
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __getitem__(self, key: str) -> Term:
        return self._by_key[key]

    def __repr__(self) -> str:
        return f"Vocabulary({self.name!r}, {', '.join(self.keys)})"

    def get(self, key: str | None) -> Term | None:
        return self._by_key.get(key) if key is not None else None

    @property
    def labels(self) -> dict[str, str]:
        return {term.key: term.label for term in self._terms}

    @property
    def shortcuts(self) -> dict[str, str]:
        """Key -> keyboard key, for the terms that have one."""
        return {term.key: term.shortcut for term in self._terms if term.shortcut}

    def rank(self, key: str) -> int:
        """The term's place in the order, from 0."""
        return self.keys.index(key)

    def keys_except(self, *keys: str) -> tuple[str, ...]:
        unknown = set(keys) - set(self._by_key)
        if unknown:
            raise KeyError(f"{self.name} has no {', '.join(sorted(unknown))}")
        return tuple(key for key in self._by_key if key not in keys)


# A comment not yet triaged: counted apart ("still open") and shown only while any is.
OPEN = "open"

# The triage outcomes, in the DAG pack's order, open last. Colours: Okabe-Ito, told apart
# with the common colour-vision deficiencies. Definitions: the DAG #8 pack's.
DISPOSITIONS = Vocabulary(
    "disposition",
    Term(
        "accepted",
        "Accepted",
        "#009e73",
        "Comments are agreed and documents have been updated to reflect the changes.",
        shortcut="a",
    ),
    Term(
        "action",
        "Action",
        "#e69f00",
        "Further discussions at sub group level or future actions are required in order for "
        "the changes to be incorporated into the design.",
        shortcut="c",
    ),
    Term(
        "rejected",
        "Rejected",
        "#d55e00",
        "Comments have been reviewed and considered and the programme team have confirmed "
        "that changes will not be incorporated into the design.",
        shortcut="r",
    ),
    Term(
        "clarification",
        "Requires Further Clarification",
        "#56b4e9",
        "Further information is required before a decision can be taken to accept the change "
        "into the design.",
        shortcut="f",
        short_label="Clarification",
    ),
    Term(OPEN, "Open", "#bbbbbb", "Not triaged yet.", shortcut="o"),
)

# Outstanding: a comment still Open, in Action or Requiring Further Clarification (not yet
# Accepted or Rejected). Counted as outstanding issues, carried into the next round.
UNRESOLVED: tuple[str, ...] = DISPOSITIONS.keys_except("accepted", "rejected")

# The design dashboard's monthly status of a tranche x service, in the pack's legend order.
RAG_STATUSES = Vocabulary(
    "rag",
    Term("on_track", "On track", "#2e8540", "On schedule for the planned DAG month."),
    Term("at_risk", "At risk", "#f0a202", "Issues may delay it; actions are in hand."),
    Term(
        "not_on_track",
        "Not on track / high risk",
        "#c62828",
        "Not on track, at high risk of missing the planned DAG month.",
    ),
    Term("complete", "Complete", "#1f6fb2", "The design work is done."),
    Term("tbd", "To be determined", "#8c96a0", "Scope or plan not yet known."),
)

# The advisory group's actions: open when raised, ongoing while worked on, recommended for
# closure by the owner (the group then closes it, or keeps it ongoing), closed. In the order
# the action log reads them. Colours: Okabe-Ito, as the dispositions'.
ACTION_STATUSES = Vocabulary(
    "action_status",
    Term("open", "Open", "#0072b2", "Raised at a meeting; no work reported yet."),
    Term("ongoing", "Ongoing", "#e69f00", "Being worked on; updates reported at each meeting."),
    Term(
        "recommend_closed",
        "Recommend closed",
        "#cc79a7",
        "The owner reports it done and recommends closing it; the group decides.",
    ),
    Term("closed", "Closed", "#009e73", "Closed by the group: nothing more to do."),
)

# What an action links to: an artefact, a comment, a dissensus entry (the dissensus log).
ACTION_LINK_KINDS = Vocabulary(
    "action_link_kind",
    Term("artefact", "Artefact", "#56b4e9", "A design artefact the action concerns."),
    Term("comment", "Comment", "#e69f00", "A reviewer's comment the action resolves."),
    Term("dissensus", "Dissensus entry", "#d55e00", "An entry of the dissensus log."),
)

# The artefact lifecycle (the Design Artefact Tracker's "Status"), in the order an artefact
# passes through it. Labels as the programme's papers write them; `reviewtracker artefacts
# --json` prints the label. Colours: a sequential blue for the way to a baseline, green once
# baselined, grey when withdrawn.
ARTEFACT_STATES = Vocabulary(
    "artefact_state",
    Term("drafting", "drafting", "#c6dbef", "Being written by the programme; not issued yet."),
    Term(
        "under_review",
        "under review",
        "#6baed6",
        "Issued to industry for review (a review round is open on this version).",
    ),
    Term(
        "resolving",
        "comments being resolved",
        "#4292c6",
        "The review window has closed; the design team is triaging and answering the comments.",
    ),
    Term(
        "ready_for_dag",
        "ready for DAG",
        "#2171b5",
        "Comments resolved; submitted to the Design Advisory Group for approval.",
    ),
    Term("approved", "approved", "#41ab5d", "Approved by the DAG; to be baselined."),
    Term(
        "baselined",
        "baselined",
        "#006d2c",
        "Baselined as a version (v1.0, ...): changes now go through change control.",
    ),
    Term(
        "change_control",
        "under change control",
        "#74c476",
        "A change to the baseline is being made under change control (v1.1, ...).",
    ),
    Term(
        "withdrawn",
        "withdrawn",
        "#969696",
        "Removed from review or from its tranche; may be re-issued at a later stage.",
    ),
)

# The moves the lifecycle allows, defined once: from each state, the states a lead may move an
# artefact to. Forms offer these, the lifecycle service refuses any other move ("allowed from
# here: ..."), the register import checks its rows against them. An artefact whose state is
# not set yet (NOT_SET) may be set to any state: that is its first recorded state.
STATE_MOVES: dict[str, tuple[str, ...]] = {
    "drafting": ("under_review", "withdrawn"),
    "under_review": ("resolving", "ready_for_dag", "drafting", "withdrawn"),
    "resolving": ("ready_for_dag", "under_review", "drafting", "withdrawn"),
    "ready_for_dag": ("approved", "baselined", "resolving", "withdrawn"),
    "approved": ("baselined", "resolving", "withdrawn"),
    "baselined": ("change_control", "withdrawn"),
    "change_control": ("baselined", "under_review", "withdrawn"),
    "withdrawn": ("drafting", "under_review"),
}
NOT_SET = "not set"  # how an artefact without a state reads


def allowed_moves(state: str | None) -> tuple[str, ...]:
    """The states an artefact in `state` may move to (None: not set yet, so any state)."""
    if state is None:
        return ARTEFACT_STATES.keys
    return STATE_MOVES[state]


def refused_move_message(reference: str, state: str | None, to_state: str) -> str:
    """The one wording of a refused move: what was asked, and what is allowed from here."""
    here = ARTEFACT_STATES[state].label if state else NOT_SET
    allowed = ", ".join(ARTEFACT_STATES[key].label for key in allowed_moves(state))
    return (
        f"{reference} cannot move from {here} to {ARTEFACT_STATES[to_state].label}: "
        f"allowed from here: {allowed}"
    )


# A review round's state: planned until its opening date, open through its closing date,
# closed after it (or earlier, when a lead closes it).
ROUND_STATES = Vocabulary(
    "round_state",
    Term("planned", "Planned", "#8c96a0", "Created; its window has not opened yet."),
    Term("open", "Open", "#1f6fb2", "Its window is open: comments are coming in."),
    Term("closed", "Closed", "#2e8540", "Its window has closed (on its closing date or early)."),
)

# How a later round's comments on an artefact compare with an earlier round's: the round
# diff's categories (page, JSON, xlsx, README all read these definitions).
ROUND_DIFF = Vocabulary(
    "round_diff",
    Term(
        "new",
        "New",
        "#1f6fb2",
        "Raised in the later round and linked to no earlier comment.",
    ),
    Term(
        "repeated",
        "Repeated",
        "#e69f00",
        "Raised in the later round and linked as repeating an earlier comment of the same "
        'organisation on the same artefact ("repeats #N").',
    ),
    Term(
        "carried_open",
        "Carried forward, unresolved",
        "#d55e00",
        "An earlier round's comment carried into the later round and still Open, Action or "
        "Requires Further Clarification.",
    ),
    Term(
        "resolved",
        "Resolved since",
        "#009e73",
        "An earlier round's comment carried into the later round that has since been Accepted "
        "or Rejected.",
    ),
)

# Where a response stands on its way to the reviewer: written, put up for a lead's review,
# approved by a lead, published to the reviewer. Reviewers see only what was published; a
# change of the disposition or response after review takes it back to draft (services/
# resolution.py holds the moves between them).
RESPONSE_STATES = Vocabulary(
    "response_state",
    Term("draft", "Draft", "#999999", "Being written: not yet put up for review."),
    Term(
        "ready_for_review",
        "Ready for review",
        "#e69f00",
        "Written and waiting for a lead to approve it.",
    ),
    Term("approved", "Approved", "#0072b2", "Approved by a lead, not yet published."),
    Term(
        "published",
        "Published",
        "#009e73",
        "Published: the reviewer sees this disposition and response.",
    ),
)
DRAFT = "draft"
PUBLISHED = "published"

# What a reviewer reads where a disposition has not been published yet.
UNDER_CONSIDERATION = Term(
    "under_consideration",
    "Under consideration",
    "#bbbbbb",
    "The programme has not published its disposition and response yet.",
)
# A reviewer's view of the outcome: the published dispositions (every triage outcome; an open
# comment is never published) or "under consideration".
PUBLISHED_OUTCOMES = Vocabulary(
    "published_outcome",
    *(term for term in DISPOSITIONS if term.key != OPEN),
    UNDER_CONSIDERATION,
)

# A reviewer's answer to a published disposition (HL7's ballots: the commenter withdraws or
# keeps a negative after reading the disposition).
ANSWERS = Vocabulary(
    "answer",
    Term("agree", "Agree", "#009e73", "The reviewer agrees with the disposition and response."),
    Term(
        "can_live_with",
        "Can live with it",
        "#56b4e9",
        "The reviewer does not fully agree but accepts the disposition.",
    ),
    Term(
        "disagree",
        "Disagree",
        "#d55e00",
        "The reviewer disagrees, with a reason; it may open a dissensus entry.",
    ),
)
DISAGREE = "disagree"

# A constituency's position on a dissensus entry at a meeting, as the DAG minutes record them.
POSITIONS = Vocabulary(
    "position",
    Term("approve", "Approve", "#009e73", "The constituency approves the programme's position."),
    Term("reject", "Reject", "#d55e00", "The constituency rejects the programme's position."),
    Term("abstain", "Abstain", "#999999", "The constituency abstained."),
    Term(
        "not_in_attendance",
        "Not in attendance",
        "#dddddd",
        "No representative of the constituency attended the meeting.",
    ),
)

# How a dissensus entry was settled.
DISSENSUS_OUTCOMES = Vocabulary(
    "dissensus_outcome",
    Term("agreed", "Agreed at the meeting", "#009e73", "The meeting reached agreement."),
    Term("chair_decision", "Decided by the chair", "#0072b2", "The chair decided."),
    Term(
        "decided_by_email",
        "Decided by email after the meeting",
        "#56b4e9",
        "Decided by email after the meeting; the post-meeting update records it.",
    ),
    Term(
        "escalated",
        "Escalated to the PSG",
        "#e69f00",
        "Appealed or escalated to the Programme Steering Group.",
    ),
    Term("withdrawn", "Withdrawn", "#999999", "The objection was withdrawn."),
)
DECIDED_BY_EMAIL = "decided_by_email"

# Whether a dissensus entry is still to be settled.
DISSENSUS_STATUSES = Vocabulary(
    "dissensus_status",
    Term("open", "Open", "#e69f00", "Still to be settled: counted among the artefact's issues."),
    Term("closed", "Closed", "#009e73", "Settled: an outcome is recorded."),
)

# How a reviewer organisation's comments reached the tool in a submission (reviewtracker's
# submissions: a log uploaded by the reviewer, or comments typed on the artefact's form).
SUBMISSION_KINDS = Vocabulary(
    "submission_kind",
    Term("log", "Uploaded log", "#1f6fb2", "The reviewer uploaded their organisation's log."),
    Term("form", "Web form", "#6f42c1", "The reviewer typed the comments on the web form."),
)


__all__ = [
    "ACTION_LINK_KINDS",
    "ACTION_STATUSES",
    "ANSWERS",
    "ARTEFACT_STATES",
    "DECIDED_BY_EMAIL",
    "DISAGREE",
    "DISPOSITIONS",
    "DISSENSUS_OUTCOMES",
    "DISSENSUS_STATUSES",
    "DRAFT",
    "NOT_SET",
    "OPEN",
    "POSITIONS",
    "PUBLISHED",
    "PUBLISHED_OUTCOMES",
    "RAG_STATUSES",
    "RESPONSE_STATES",
    "ROUND_DIFF",
    "ROUND_STATES",
    "SUBMISSION_KINDS",
    "STATE_MOVES",
    "Term",
    "UNDER_CONSIDERATION",
    "UNRESOLVED",
    "Vocabulary",
    "allowed_moves",
    "refused_move_message",
]
