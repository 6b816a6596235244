"""The comment list (filters, chips, paging) and bulk triage with its confirmation step."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from importers.vocabulary import DISPOSITIONS, PUBLISHED_OUTCOMES, RESPONSE_STATES

from ..auth import role_required, viewer_scope
from ..inputs import local_path, positive_int
from ..services import ServiceError
from ..services.bulk_triage import bulk_plan, bulk_triage
from ..services.comment_choices import describe, describe_assignment, filter_choices
from ..services.comment_filter import CommentFilter
from ..services.comment_queries import comment_page, comments_by_ids, list_counts, today
from ..unit_of_work import unit_of_work
from . import bp
from .forms import BulkTriageForm

FILTER_PREFIX = "f-"  # the list's filter, carried in the bulk form beside its own fields
MAX_SELECTED = 5000


def page_number(args) -> int:
    """`?page=N`, 1 if absent or not a page number (a page beyond the last shows the last)."""
    return positive_int(args.get("page")) or 1


def list_context(
    f: CommentFilter,
    page: int,
    endpoint: str = "comments.index",
    params: dict | None = None,
    fixed: Iterable[str] = (),
) -> dict:
    """What comments/_list.html needs: the page of comments, the chips, the filter form's
    options, and `list_url(**overrides)` for links that keep the filter.

    `fixed` names filter parts that the page's own URL carries (the artefact of an artefact
    page): they are neither shown in the filter form nor repeated in the query string.
    """
    params = dict(params or {})
    fixed = set(fixed)
    reviewer = f.scope is not None and f.scope.is_reviewer
    if reviewer:
        # A reviewer's list is their organisation's: nothing to choose there.
        fixed |= {"organisation", "constituency"}
    dropped = dict.fromkeys(fixed)

    def list_url(**overrides) -> str:
        return url_for(endpoint, **params, **f.to_args(**{**dropped, **overrides}))

    counts = list_counts(f)
    return {
        "f": f,
        "page": comment_page(f, page, counts=counts),
        "counts": counts,
        "choices": filter_choices(f.scope),
        "active_filters": [part for part in describe(f) if part[0] not in fixed],
        "list_url": list_url,
        "list_action": url_for(endpoint, **params),
        "clear_url": url_for(
            endpoint, **params, **({"sort": f.sort} if f.sort != "artefact" else {})
        ),
        "fixed": fixed,
        # A reviewer reads the published outcomes ("under consideration" until then).
        "labels": (PUBLISHED_OUTCOMES if reviewer else DISPOSITIONS).labels,
        "bulk_labels": DISPOSITIONS.labels,
        "states": RESPONSE_STATES.labels,
        "has_detail": "comments.detail" in current_app.view_functions,
        # Artefact pages list every organisation's comments: not for reviewers.
        "artefact_links": current_user.has_role("viewer"),
        # The design team's working fields (action owner): not for reviewers.
        "internal_fields": not reviewer,
        "has_import": "imports.upload" in current_app.view_functions,
        "downloads": _downloads(f, reviewer),
        "density": list_density(),
        "can_triage": current_user.has_role("triager"),
        "can_publish": current_user.has_role("lead"),
        "today": today(),
        "bulk_form": BulkTriageForm(formdata=None, back=request.full_path.rstrip("?")),
    }


# The list's density, a choice the browser keeps (app.js sets the cookie): "compact" fits one
# line per comment, twice the rows on a screen; anything else is the comfortable default.
DENSITY_COOKIE = "list_density"
COMPACT = "compact"


def list_density() -> str:
    return COMPACT if request.cookies.get(DENSITY_COOKIE) == COMPACT else "comfortable"


def _downloads(f: CommentFilter, reviewer: bool) -> dict[str, str]:
    """The list's downloads, for its filter: the register as xlsx and csv, and for the staff
    looking at one organisation's comments, that organisation's responses log."""
    args = f.to_args()
    links = {
        "xlsx": url_for("downloads.comments_xlsx", **args),
        "csv": url_for("downloads.comments_csv", **args),
    }
    if f.organisation_id is not None and not reviewer:
        links["responses"] = url_for("downloads.responses_xlsx", organisation_id=f.organisation_id)
    return links


@bp.get("/")
@role_required("viewer", reviewers=True)
def index():
    f = CommentFilter.from_args(request.args, viewer_scope())
    return render_template("comments/index.html", **list_context(f, page_number(request.args)))


def selection(form: MultiDict) -> tuple[list[int] | None, CommentFilter]:
    """(ticked ids, or None for "every comment matching"; the list's filter) from a bulk POST."""
    f = CommentFilter.from_args(
        {
            key[len(FILTER_PREFIX) :]: value
            for key, value in form.items()
            if key.startswith(FILTER_PREFIX)
        },
        viewer_scope(),
    )
    if form.get("scope") == "filter":
        return None, f
    numbers = (positive_int(value) for value in form.getlist("ids")[:MAX_SELECTED])
    return [number for number in numbers if number is not None], f


def back_to(target: str | None, f: CommentFilter) -> str:
    """Where to return after a bulk change: the list it came from (a path on this site)."""
    return local_path(target) or url_for("comments.index", **f.to_args())


@bp.post("/bulk")
@role_required("triager")
def bulk():
    form = BulkTriageForm()
    ids, f = selection(request.form)
    back = back_to(form.back.data, f)
    if not form.validate():
        errors = "; ".join(
            f"{form[name].label.text}: {' '.join(e)}" for name, e in form.errors.items()
        )
        flash(f"Nothing changed: {errors}", "error")
        return redirect(back)
    changes = form.changes()
    if not changes:
        flash(
            "Nothing changed: choose a disposition, a response, an action owner, an assignee, "
            "a working group, a due date or a response state.",
            "error",
        )
        return redirect(back)
    if ids == []:
        flash(
            "Nothing changed: tick the comments to change, or choose every comment matching.",
            "error",
        )
        return redirect(back)
    # A filtered selection stays tied to the filter: ids that no longer match it are left.
    selection_filter = f if ids is None else None
    may_approve = current_user.has_role("lead")
    try:
        if form.confirm.data == "yes":
            with unit_of_work():
                changed = bulk_triage(
                    ids, selection_filter, changes, current_user.email, may_approve=may_approve
                )
            flash(f"{changed} comment{'' if changed == 1 else 's'} updated.", "success")
            return redirect(back)
        plan = bulk_plan(ids, selection_filter, changes, may_approve=may_approve)
    except ServiceError as error:
        flash(f"Nothing changed: {error}", "error")
        return redirect(back)
    return render_template(
        "comments/bulk_confirm.html",
        form=form,
        plan=plan,
        ids=ids,
        f=f,
        filter_args=f.to_args(),
        filter_prefix=FILTER_PREFIX,
        active_filters=describe(f),
        changes=changes,
        shown=shown_changes(changes),
        carried={
            name: request.form[name][:20000] for name in CARRIED_FIELDS if request.form.get(name)
        },
        labels=DISPOSITIONS.labels,
        field_labels=BULK_LABELS,
        rows=comments_by_ids(ids, f.scope) if ids else [],
        back=back,
    )


def shown_changes(changes: dict[str, object]) -> list[tuple[str, str, str]]:
    """(field, label, value as shown) for the confirmation page's table of changes."""
    rows = []
    for name, value in changes.items():
        label, text = BULK_LABELS[name], "—" if value is None else str(value)
        if name == "disposition":
            text = DISPOSITIONS[str(value)].label
        elif name == "response_state":
            text = RESPONSE_STATES[str(value)].label
        elif name in ("assignee_id", "working_group_id") and value is not None:
            text = describe_assignment(name, value)
        elif value is None:
            text = "Nobody (cleared)"
        rows.append((name, label, text))
    return rows


# The bulk form's own fields, carried from the form to its confirmation as typed.
CARRIED_FIELDS = (
    "disposition",
    "action_owner",
    "response",
    "assignee",
    "working_group",
    "due_on",
    "response_state",
)
# The confirmation's names of the fields a bulk change sets or clears (the action's due date
# only ever cleared: a disposition other than Action takes it with the owner).
BULK_LABELS = {
    "disposition": "Disposition",
    "action_owner": "Action owner",
    "action_due": "Action due",
    "response": "Response",
    "assignee_id": "Assignee",
    "working_group_id": "Working group",
    "due_on": "Due date",
    "response_state": "Response state",
}
