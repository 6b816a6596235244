"""Which comments a list shows: the filter in the URL, and the scope it is confined to.

The list page, the artefact pages, bulk triage, the comment page's "Save and next" and the
exports all read the same `CommentFilter` from the URL; `comment_queries` turns it into SQL.
A filter that will be queried carries the viewer's `Scope` (never in the URL): a reviewer's
filter is confined to their organisation whatever the URL says, and a filter without a scope
cannot be queried at all (`comment_queries.conditions` raises).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from importers import normalise_artefact_ref, normalise_tranche
from importers.vocabulary import (
    ANSWERS,
    DISPOSITIONS,
    OPEN,
    PUBLISHED_OUTCOMES,
    RESPONSE_STATES,
    UNDER_CONSIDERATION,
)

from ..inputs import clean_text, flag, positive_int
from .scope import Scope, require

SORTS: dict[str, str] = {
    "artefact": "Artefact",
    "organisation": "Organisation",
    "disposition": "Disposition",
    "changed": "Last change",
}
# CommentFilter field -> its URL argument (fields not listed use their own name).
URL_ARGS: dict[str, str] = {
    "service_id": "service",
    "review_round": "round",
    "organisation_id": "organisation",
    "constituency_id": "constituency",
    "assignee_id": "assignee",
    "working_group_id": "group",
    "work_of_id": "work_of",
    "response_state": "state",
    "answer": "answer",
}
FIELD_OF_ARG: dict[str, str] = {arg: name for name, arg in URL_ARGS.items()}
# CommentFilter fields that no URL carries.
NOT_IN_URL = frozenset({"scope"})
# The design team's working parts: who resolves a comment, its due date, its response state.
# Never a reviewer's (their filter drops them): the reviewer reads the published outcome only.
INTERNAL_PARTS = (
    "assignee_id",
    "working_group_id",
    "work_of_id",
    "unassigned",
    "overdue",
    "response_state",
    "answer",
)
MAX_QUERY_LENGTH = 200


def _text(value: Any) -> str | None:
    """The search text: control characters (NUL, ...) dropped, spaces collapsed, cut short."""
    return clean_text(value, MAX_QUERY_LENGTH)


def _state(value: Any) -> str | None:
    key = str(value).strip().lower() if value is not None else None
    return key if key in RESPONSE_STATES else None


NO_ANSWER = "none"


def _answer(value: Any) -> str | None:
    key = str(value).strip().lower() if value is not None else None
    return key if key in ANSWERS or key == NO_ANSWER else None


# To a reviewer an open comment is one whose outcome is not published yet.
OPEN_FOR_REVIEWERS = {OPEN: UNDER_CONSIDERATION.key}


@dataclass(frozen=True)
class CommentFilter:
    """Which comments to list, as the URL says. Every part is optional; parts combine (AND)."""

    tranche: str | None = None  # "1".."4","TBC"  (URL arg: tranche)
    service_id: int | None = None  # URL arg: service
    artefact: str | None = None  # canonical reference, e.g. "BP004" (URL arg: artefact)
    review_round: int | None = None  # round number (URL arg: round)
    organisation_id: int | None = None  # URL arg: organisation
    constituency_id: int | None = None  # URL arg: constituency
    disposition: str | None = None  # accepted/action/rejected/clarification/open
    # (a reviewer's: one of PUBLISHED_OUTCOMES, the published outcome)
    q: str | None = None  # free text in comment / proposed change / response
    sort: str = "artefact"  # artefact | organisation | disposition | changed
    assignee_id: int | None = None  # assigned to this user (URL arg: assignee)
    working_group_id: int | None = None  # assigned to this working group (URL arg: group)
    work_of_id: int | None = None  # assigned to this user or one of their groups ("My work")
    unassigned: bool | None = None  # neither a person nor a group (URL arg: unassigned=1)
    overdue: bool | None = None  # due date passed, response not yet approved (overdue=1)
    response_state: str | None = None  # one of RESPONSE_STATES (URL arg: state)
    answer: str | None = None  # the reviewer's answer (ANSWERS), or "none": published, unanswered
    # Whose view the filter serves: not a filter part but a confinement, never in a URL, never
    # dropped by `without`. None: the filter only builds URLs; querying it raises.
    scope: Scope | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str], scope: Scope) -> CommentFilter:
        """The filter in request.args, for `scope`'s view. Tolerant: a value it can't use is
        ignored, never raised."""

        def get(name: str) -> Any:
            value = args.get(name)
            return None if value is None or str(value).strip() == "" else value

        tranche = get("tranche")
        disposition = get("disposition")
        disposition = str(disposition).strip().lower() if disposition is not None else None
        sort = str(get("sort") or "").strip().lower()
        artefact = get("artefact")
        f = cls(
            tranche=normalise_tranche(str(tranche)) if tranche is not None else None,
            service_id=positive_int(get("service")),
            artefact=normalise_artefact_ref(str(artefact)) if artefact is not None else None,
            review_round=positive_int(get("round")),
            organisation_id=positive_int(get("organisation")),
            constituency_id=positive_int(get("constituency")),
            disposition=disposition
            if disposition in DISPOSITIONS or disposition in PUBLISHED_OUTCOMES
            else None,
            assignee_id=positive_int(get("assignee")),
            working_group_id=positive_int(get("group")),
            work_of_id=positive_int(get("work_of")),
            unassigned=True if flag(get("unassigned")) else None,
            overdue=True if flag(get("overdue")) else None,
            response_state=_state(get("state")),
            answer=_answer(get("answer")),
            q=_text(get("q")),
            sort=sort if sort in SORTS else "artefact",
        )
        return f.for_scope(scope)

    def for_scope(self, scope: Scope) -> CommentFilter:
        """This filter for `scope`'s view. A reviewer's is confined to their organisation: the
        organisation and constituency parts (which could only point elsewhere) give way."""
        scope = require(scope)
        if scope.is_reviewer:
            internal = dict.fromkeys(INTERNAL_PARTS)
            disposition = OPEN_FOR_REVIEWERS.get(self.disposition, self.disposition)
            if disposition not in PUBLISHED_OUTCOMES:
                disposition = None
            return replace(
                self,
                organisation_id=None,
                constituency_id=None,
                disposition=disposition,
                scope=scope,
                **internal,
            )
        if self.disposition not in DISPOSITIONS:
            return replace(self, disposition=None, scope=scope)
        return replace(self, scope=scope)

    def to_args(self, **overrides: Any) -> dict[str, str]:
        """URL arguments for this filter, only the non-default ones: url_for(..., **f.to_args()).

        Overrides are keyed by field name or URL argument name; None drops an argument. Keys
        that are not filter parts (page, ...) are passed through.
        """
        values: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value != item.default and item.name not in NOT_IN_URL:
                values[URL_ARGS.get(item.name, item.name)] = value
        for key, value in overrides.items():
            values[URL_ARGS.get(key, key)] = value
        defaults = {URL_ARGS.get(item.name, item.name): item.default for item in fields(self)}
        return {
            key: str(value)
            for key, value in values.items()
            if value is not None
            and key not in NOT_IN_URL
            and not (key in defaults and value == defaults[key])
        }

    def without(self, name: str) -> CommentFilter:
        """The same filter without one part (a field name or its URL argument name)."""
        name = FIELD_OF_ARG.get(name, name)
        if name in NOT_IN_URL:
            raise ValueError(f"{name} is a confinement, not a filter part")
        default = {item.name: item.default for item in fields(self)}[name]
        return replace(self, **{name: default})

    @property
    def is_filtered(self) -> bool:
        """True if any part other than the sort order narrows the list."""
        return any(
            getattr(self, item.name) is not None
            for item in fields(self)
            if item.name != "sort" and item.name not in NOT_IN_URL
        )


__all__ = ["CommentFilter", "INTERNAL_PARTS", "NO_ANSWER", "MAX_QUERY_LENGTH", "SORTS", "URL_ARGS"]
