"""The comment list: one filter, the query it makes, its page, its chips and its neighbours.

The list page, the artefact pages, bulk triage and the comment page's "Save and next" all
read the same `CommentFilter` from the URL and turn it into SQL here, so they always agree
on which comments a filter means and in which order.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Integer, func, literal_column, select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql import ColumnElement, Select

from importers import normalise_artefact_ref, normalise_tranche
from importers.records import DISPOSITIONS

from ..extensions import db
from ..inputs import clean_text, positive_int
from ..models import (
    DISPOSITION_LABELS,
    DISPOSITION_RANK_SQL,
    Artefact,
    Comment,
    Constituency,
    Organisation,
    ReviewRound,
    Service,
    Tranche,
)
from . import search
from .access import organisation_scope, reviewer_organisation_id

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
}
FIELD_OF_ARG: dict[str, str] = {arg: name for name, arg in URL_ARGS.items()}
# CommentFilter fields that no URL carries.
NOT_IN_URL = frozenset({"organisation_scope"})
MAX_QUERY_LENGTH = 200
PER_PAGE = 50
# A free-text search is counted exactly up to this many matches. A common word matches a
# fifth of a million comments: counting them by disposition costs a pass over all of them
# (about 250 ms each time on a 2-core machine), so beyond this the list says "more than".
SEARCH_COUNT_LIMIT = 10_000


def _positive_int(value: Any) -> int | None:
    return positive_int(value)


def _text(value: Any) -> str | None:
    """The search text: control characters (NUL, ...) dropped, spaces collapsed, cut short."""
    return clean_text(value, MAX_QUERY_LENGTH)


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
    q: str | None = None  # free text in comment / proposed change / response
    sort: str = "artefact"  # artefact | organisation | disposition | changed
    # Not a filter part but a confinement (a reviewer's organisation): never in a URL, never
    # dropped by `without`, and it only narrows (see `scoped`).
    organisation_scope: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> CommentFilter:
        """The filter in request.args. Tolerant: a value it can't use is ignored, never raised."""

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
            service_id=_positive_int(get("service")),
            artefact=normalise_artefact_ref(str(artefact)) if artefact is not None else None,
            review_round=_positive_int(get("round")),
            organisation_id=_positive_int(get("organisation")),
            constituency_id=_positive_int(get("constituency")),
            disposition=disposition if disposition in DISPOSITIONS else None,
            q=_text(get("q")),
            sort=sort if sort in SORTS else "artefact",
        )
        # A signed-in reviewer's filter is always confined to their organisation.
        scope = reviewer_organisation_id()
        return f.scoped(scope) if scope is not None else f

    def scoped(self, organisation_id: int) -> CommentFilter:
        """This filter confined to one organisation's comments: the organisation and
        constituency parts (which would only point elsewhere) give way to the scope."""
        return replace(
            self, organisation_id=None, constituency_id=None, organisation_scope=organisation_id
        )

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


# --- the SQL ---------------------------------------------------------------------------------


def text_search(q: str, *, narrowed: bool = False, filtered: bool = False) -> ColumnElement[bool]:
    """Free-text match over the comment, its proposed change and its response: every word of
    `q` must occur, the last one also as a prefix. The one place the list's search lives; the
    full-text index and its dialect-specific query are in `search` (`narrowed`: other
    conditions pick out few comments; `filtered`: there are other conditions; see
    `search.matches`)."""
    return search.matches(q, narrowed=narrowed, filtered=filtered)


def conditions(f: CommentFilter, *, keyset: bool = False) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a filter, all on the comment table's own columns (subqueries for
    the rest), so counting needs no joins. Always confined to the filter's organisation scope
    and to a signed-in reviewer's organisation, however the filter was made.

    `keyset`: the query adds a condition of its own that picks out few rows (`neighbours`: the
    comments with one sort key), so a broad search is tested on those.
    """
    where: list[ColumnElement[bool]] = organisation_scope(f.organisation_scope)
    if f.tranche is not None or f.review_round is not None:
        rounds = select(ReviewRound.id)
        if f.tranche is not None:
            rounds = rounds.join(Tranche, Tranche.id == ReviewRound.tranche_id).where(
                Tranche.code == f.tranche
            )
        if f.review_round is not None:
            rounds = rounds.where(ReviewRound.number == f.review_round)
        where.append(Comment.review_round_id.in_(rounds))
    if f.artefact is not None:
        where.append(
            Comment.artefact_id.in_(select(Artefact.id).where(Artefact.reference == f.artefact))
        )
    if f.service_id is not None:
        where.append(
            Comment.artefact_id.in_(select(Artefact.id).where(Artefact.service_id == f.service_id))
        )
    if f.organisation_id is not None:
        where.append(Comment.organisation_id == f.organisation_id)
    if f.constituency_id is not None:
        where.append(
            Comment.organisation_id.in_(
                select(Organisation.id).where(Organisation.constituency_id == f.constituency_id)
            )
        )
    if f.disposition is not None:
        where.append(Comment.disposition == f.disposition)
    if f.q:
        # An organisation's or an artefact's comments are few: test those against the search.
        narrowed = f.organisation_id is not None or f.artefact is not None
        where.append(text_search(f.q, narrowed=narrowed, filtered=keyset or bool(where)))
    return where


def _disposition_rank() -> ColumnElement[int]:
    """The disposition's place in DISPOSITIONS, exactly as the index on it is written."""
    return literal_column(DISPOSITION_RANK_SQL, Integer)


def _order(f: CommentFilter) -> str:
    """The sort the filter's queries use: its own, except that comments of one disposition
    sorted by disposition are in id order (the same order: their rank is one value), which
    does not walk the whole disposition index past the other dispositions to find them."""
    if f.sort == "disposition" and f.disposition is not None:
        return "id"
    return f.sort


def _sort_key(sort: str) -> tuple[ColumnElement[Any], bool]:
    """(the sort key, descending?) for a sort name ("id": the tie-break alone)."""
    if sort == "id":
        return Comment.id, False
    if sort == "organisation":
        return Organisation.name_key, False
    if sort == "disposition":
        return _disposition_rank(), False
    if sort == "changed":
        return Comment.updated_at, True
    return Artefact.reference, False


def _for_sort(query: Select, sort: str) -> Select:
    """`query` on the comment table with only the join its sort key needs (none for the
    disposition and the last change): the filter itself is on the comment's own columns."""
    query = query.select_from(Comment)
    if sort == "organisation":
        return query.join(Organisation, Organisation.id == Comment.organisation_id)
    if sort in ("disposition", "changed", "id"):
        return query
    return query.join(Artefact, Artefact.id == Comment.artefact_id)


def _joined(query: Select) -> Select:
    """The list's joins: every comment has an artefact and an organisation."""
    return (
        query.select_from(Comment)
        .join(Artefact, Artefact.id == Comment.artefact_id)
        .join(Organisation, Organisation.id == Comment.organisation_id)
    )


def _ordered(query: Select, sort: str, *, reverse: bool = False) -> Select:
    key, descending = _sort_key(sort)
    if sort == "id":
        return query.order_by(Comment.id.desc() if reverse else Comment.id.asc())
    if descending != reverse:
        return query.order_by(key.desc(), Comment.id.desc())
    return query.order_by(key.asc(), Comment.id.asc())


def filtered_ids(f: CommentFilter) -> Select:
    """select(Comment.id) of the filter's comments in its order (sort key, then id)."""
    order = _order(f)
    return _ordered(_for_sort(select(Comment.id), order).where(*conditions(f)), order)


def count_comments(f: CommentFilter, *, limit: int | None = None) -> int:
    """How many comments the filter lists; with `limit`, counting stops there (a query that
    stops early: the result is min(count, limit))."""
    if limit is None:
        return db.session.scalar(select(func.count(Comment.id)).where(*conditions(f))) or 0
    first = select(Comment.id).where(*conditions(f)).limit(limit).subquery()
    return db.session.scalar(select(func.count()).select_from(first)) or 0


# --- the page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of the list. `items` are rows with the columns the list shows (see
    `LIST_COLUMNS`)."""

    items: list[Any]
    page: int
    per_page: int
    total: int
    # False when `total` is a lower bound (a search counted up to SEARCH_COUNT_LIMIT).
    exact: bool = True

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def first_item(self) -> int:
        """1-based position of the page's first row in the whole list (0 if empty)."""
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_item(self) -> int:
        """1-based position of the page's last row (0 if empty)."""
        return self.first_item + len(self.items) - 1 if self.items else 0

    def iter_pages(self, around: int = 2) -> Iterator[int | None]:
        """Page numbers to link: the first, the last and `around` either side of this one;
        None where numbers are skipped."""
        shown = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        previous = 0
        for number in sorted(n for n in shown if 1 <= n <= self.pages):
            if number - previous > 1:
                yield None
            yield number
            previous = number


LIST_COLUMNS = (
    Comment.id.label("id"),
    Artefact.reference.label("artefact"),
    Artefact.title.label("artefact_title"),
    Organisation.name.label("organisation"),
    Comment.section.label("section"),
    Comment.page.label("page"),
    Comment.line.label("line"),
    Comment.text.label("text"),
    Comment.proposed_change.label("proposed_change"),
    Comment.disposition.label("disposition"),
    Comment.response.label("response"),
    Comment.action_owner.label("action_owner"),
    Comment.reviewer.label("reviewer"),
    Comment.log_comment_id.label("log_comment_id"),
    Comment.updated_at.label("updated_at"),
    Comment.version.label("version"),
)


def comment_page(
    f: CommentFilter, page: int, per_page: int = PER_PAGE, counts: ListCounts | None = None
) -> Page:
    """The `page`-th page (1-based, clamped to the pages there are) of the filter's comments.
    `counts`: the list's counts if the caller has them (the chips), so they are not made twice.
    """
    per_page = max(1, per_page)
    counts = counts if counts is not None else list_counts(f)
    last = max(1, math.ceil(counts.total / per_page))
    page = min(max(1, page), last)
    # The page's ids first (no joins but the sort's), then their rows: the joins run for
    # fifty comments, not for every comment the sort passes over.
    ids = list(db.session.scalars(filtered_ids(f).limit(per_page).offset((page - 1) * per_page)))
    return Page(
        items=comments_by_ids(ids),
        page=page,
        per_page=per_page,
        total=counts.total,
        exact=counts.exact,
    )


def comments_by_ids(ids: list[int]) -> list[Any]:
    """The list's rows for a few comments (a page, a selection), in the order of `ids`."""
    if not ids:
        return []
    rows = db.session.execute(
        _joined(select(*LIST_COLUMNS)).where(Comment.id.in_(ids), *organisation_scope())
    )
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def disposition_counts(f: CommentFilter) -> dict[str, int]:
    """Comments per disposition for the filter without its disposition part (the chips):
    every disposition, zero included, and "total".

    One pass with a FILTERed count per disposition: GROUP BY would sort the rows by
    disposition first (a temporary B-tree on SQLite), three times the cost over 1M comments.
    """
    columns = [
        func.count().filter(Comment.disposition == name).label(name) for name in DISPOSITIONS
    ]
    row = db.session.execute(select(*columns).where(*conditions(f.without("disposition")))).one()
    counts = {name: int(getattr(row, name) or 0) for name in DISPOSITIONS}
    counts["total"] = sum(counts.values())
    return counts


@dataclass(frozen=True)
class ListCounts:
    """The list's numbers: the chips (None when the search is too broad to count them) and
    the filter's total. `exact` is False when `total` only says "more than the limit"."""

    chips: dict[str, int] | None
    total: int
    exact: bool
    limit: int


def list_counts(f: CommentFilter, limit: int | None = None) -> ListCounts:
    """The chips and the total for the list page, in as few passes as they need.

    Without a free-text search they are exact (one pass; the total is a chip), and so they are
    within one organisation or artefact. Otherwise a search that matches more than `limit`
    comments (without the disposition part) is not counted further: its chips are left out
    and its total, if it too is over the limit, is "more than `limit`".
    `limit` defaults to SEARCH_COUNT_LIMIT.
    """
    limit = SEARCH_COUNT_LIMIT if limit is None else limit
    # An organisation's or an artefact's comments are counted whole without looking first.
    if f.q and f.organisation_id is None and f.artefact is None and f.organisation_scope is None:
        broad = count_comments(f.without("disposition"), limit=limit + 1) > limit
        if broad:
            total = count_comments(f, limit=limit + 1) if f.disposition is not None else limit + 1
            return ListCounts(None, min(total, limit + 1), total <= limit, limit)
    chips = disposition_counts(f)
    total = chips[f.disposition] if f.disposition is not None else chips["total"]
    return ListCounts(chips, total, True, limit)


def neighbours(f: CommentFilter, comment_id: int) -> tuple[int | None, int | None]:
    """(previous, next) comment ids around `comment_id` in the filter's order.

    Keyset queries on (sort key, id), each way first among the comments with the same key (by
    id), then beyond that key: two simple conditions the indexes serve, where one OR of both
    made the planner read the list from its start (0.5 s on PostgreSQL at 1,000,000
    comments). Works for a comment outside the filter too (its place in the order).
    """
    order = _order(f)
    key, descending = _sort_key(order)
    current = db.session.execute(
        _for_sort(select(key.label("key")), order).where(Comment.id == comment_id)
    ).one_or_none()
    if current is None:
        return None, None
    value = current.key

    # Among the comments with the same key, the nearest id. An index on (key, id) serves that
    # (the last change's, the disposition rank's, and "id" order itself; an import stamps all
    # its comments with one time); the other keys' comments (an artefact's, an organisation's)
    # are few, so they are all read and the nearest taken: `id + 0` keeps PostgreSQL from
    # walking the primary key instead in the hope of meeting one soon (half a million rows
    # read when the comment is its artefact's last).
    tie = Comment.id if order in ("changed", "disposition", "id") else Comment.id + 0

    def step(forward: bool) -> int | None:
        later = forward != descending  # larger keys come later in an ascending order
        same_key = (
            _for_sort(select(Comment.id), order)
            .where(
                *conditions(f, keyset=True),
                key == value,
                tie > comment_id if later else tie < comment_id,
            )
            .order_by(tie.asc() if later else tie.desc())
        )
        # (Not `keyset` here: a condition "key beyond the value" picks out half the list.)
        beyond = _for_sort(select(Comment.id), order).where(
            *conditions(f), key > value if later else key < value
        )
        for query in (same_key, _ordered(beyond, order, reverse=not forward)):
            found = db.session.scalar(query.limit(1))
            if found is not None:
                return found
        return None

    return step(False), step(True)


def artefact_by_reference(reference: str) -> Artefact | None:
    """The artefact with this canonical reference, its tranche and service loaded."""
    return db.session.scalar(
        select(Artefact)
        .options(joinedload(Artefact.tranche), joinedload(Artefact.service))
        .where(Artefact.reference == reference)
    )


def round_label(number: int) -> str:
    """ "1st review", "2nd review", ... as ReviewRound.label says it."""
    return ReviewRound.label.fget(SimpleNamespace(number=number))


# --- the filter form -------------------------------------------------------------------------


def _own_organisation() -> list[ColumnElement[bool]]:
    """A reviewer's filter lists only their own organisation, never the others' names."""
    scope = reviewer_organisation_id()
    return [] if scope is None else [Organisation.id == scope]


def filter_choices() -> dict[str, list[tuple[Any, str]]]:
    """(value, label) options for each filter select, in the order a user expects."""
    return {
        "tranches": [
            (code, "Tranche TBC" if code == "TBC" else f"Tranche {code}")
            for code in db.session.scalars(select(Tranche.code).order_by(Tranche.position))
        ],
        "services": [
            (row.id, row.name)
            for row in db.session.execute(select(Service.id, Service.name).order_by(Service.name))
        ],
        "artefacts": [
            (row.reference, f"{row.reference} {row.title}".strip())
            for row in db.session.execute(
                select(Artefact.reference, Artefact.title).order_by(Artefact.reference)
            )
        ],
        "rounds": [
            (number, round_label(number))
            for number in db.session.scalars(
                select(ReviewRound.number).distinct().order_by(ReviewRound.number)
            )
        ],
        "organisations": [
            (row.id, row.name)
            for row in db.session.execute(
                select(Organisation.id, Organisation.name)
                .where(*_own_organisation())
                .order_by(Organisation.name_key)
            )
        ],
        "constituencies": [
            (row.id, row.name)
            for row in db.session.execute(
                select(Constituency.id, Constituency.name).order_by(Constituency.position)
            )
        ],
        "dispositions": list(DISPOSITION_LABELS.items()),
        "sorts": list(SORTS.items()),
    }


def describe(f: CommentFilter) -> list[tuple[str, str]]:
    """(URL argument, human label) for each part of the filter that narrows the list, e.g.
    ("organisation", "Organisation: Elexon"); for the active-filter line and confirmations."""
    parts: list[tuple[str, str]] = []
    if f.tranche is not None:
        parts.append(("tranche", "Tranche " + f.tranche))
    lookups = (
        ("service", f.service_id, Service, Service.name, "Service"),
        ("organisation", f.organisation_id, Organisation, Organisation.name, "Organisation"),
        ("constituency", f.constituency_id, Constituency, Constituency.name, "Constituency"),
    )
    for arg, value, model, column, label in lookups:
        if value is not None:
            name = db.session.scalar(select(column).where(model.id == value))
            parts.append((arg, f"{label}: {name if name is not None else f'#{value} (unknown)'}"))
    if f.artefact is not None:
        parts.append(("artefact", "Artefact: " + f.artefact))
    if f.review_round is not None:
        parts.append(("round", round_label(f.review_round).capitalize()))
    if f.disposition is not None:
        parts.append(("disposition", "Disposition: " + DISPOSITION_LABELS[f.disposition]))
    if f.q:
        parts.append(("q", f"Text contains “{f.q}”"))
    return parts


__all__ = [
    "artefact_by_reference",
    "CommentFilter",
    "LIST_COLUMNS",
    "ListCounts",
    "PER_PAGE",
    "Page",
    "SEARCH_COUNT_LIMIT",
    "SORTS",
    "comment_page",
    "comments_by_ids",
    "conditions",
    "count_comments",
    "describe",
    "disposition_counts",
    "filter_choices",
    "filtered_ids",
    "list_counts",
    "neighbours",
    "round_label",
    "text_search",
]
