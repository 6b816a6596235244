"""The design dashboard pages: the month's table as the DAG pack lays it out, a lead's form for
one tranche x service's status, and the month-by-month history of one service."""

from __future__ import annotations

from itertools import groupby
from operator import attrgetter

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from importers.reference import TRANCHES
from importers.vocabulary import RAG_STATUSES

from ..auth import role_required
from ..extensions import db
from ..inputs import positive_int
from ..models import DesignStatus, Service
from ..services import ServiceError
from ..services.design_history import service_history
from ..services.design_status import (
    FIELD_LABELS,
    STATUS_FIELDS,
    StaleStatus,
    design_dashboard,
    find_status,
    months_with_records,
    service_ids_by_name,
    set_status,
)
from ..services.months import (
    current_month,
    is_month,
    month_label,
    neighbour_in_range,
    next_month,
    previous_month,
)
from ..services.people import names_for
from ..unit_of_work import unit_of_work
from . import bp
from .design_forms import DesignStatusForm


def _common() -> dict:
    return {
        "rag_statuses": RAG_STATUSES,
        "month_label": month_label,
        "is_month": is_month,  # a month stored before the range was checked gets no link
        "can_edit": current_user.has_role("lead"),
    }


@bp.get("/design-dashboard")
@role_required("viewer")
def design():
    month = request.args.get("month") or None
    if month is not None and not is_month(month):
        abort(404)
    dashboard = design_dashboard(month)
    months = sorted({*months_with_records(), current_month(), dashboard.month}, reverse=True)
    groups = [
        (tranche, list(rows))
        for tranche, rows in groupby(dashboard.rows, key=attrgetter("tranche"))
    ]
    return render_template(
        "dashboard/design.html",
        dashboard=dashboard,
        groups=groups,
        months=months,
        service_ids=service_ids_by_name(),
        services=db.session.scalars(select(Service).order_by(Service.name)).all(),
        tranches=TRANCHES,
        earlier=neighbour_in_range(previous_month(dashboard.month)),
        later=neighbour_in_range(next_month(dashboard.month)),
        **_common(),
    )


@bp.get("/design-dashboard/new")
@role_required("lead")
def design_add():
    """The dashboard's "add a service" form (a plain GET form) lands here: on to its edit page."""
    tranche, month = request.args.get("tranche", ""), request.args.get("month", "")
    service_id = positive_int(request.args.get("service_id"))
    if tranche not in TRANCHES or not is_month(month) or service_id is None:
        abort(404)
    return redirect(
        url_for("dashboard.design_edit", tranche=tranche, service_id=service_id, month=month)
    )


def _service_or_404(tranche: str, service_id: int) -> Service:
    if tranche not in TRANCHES:
        abort(404)
    return db.get_or_404(Service, service_id)


@bp.route("/design-dashboard/<tranche>/<int:service_id>/<month>", methods=["GET", "POST"])
@role_required("lead")
def design_edit(tranche: str, service_id: int, month: str):
    service = _service_or_404(tranche, service_id)
    if not is_month(month):
        abort(404)
    record = find_status(tranche, service_id, month)
    started_from = None
    if request.method == "POST":
        form = DesignStatusForm()
        if form.validate():
            return _save(form, tranche, service, month)
        flash("Nothing was saved: please correct the fields marked below.", "error")
    elif record is not None:
        form = DesignStatusForm(data=_form_data(record, record.version))
    else:
        # Start this month from last month: the previous month's record, if there is one.
        started_from = find_status(tranche, service_id, previous_month(month))
        form = DesignStatusForm(data=_form_data(started_from, 0))
    status = 400 if form.errors else 200
    return _edit_page(form, tranche, service, month, record, started_from), status


def _form_data(record: DesignStatus | None, version: int) -> dict[str, str]:
    values = {name: (getattr(record, name, None) or "") for name in STATUS_FIELDS}
    return values | {"version": str(version)}


def _save(form: DesignStatusForm, tranche: str, service: Service, month: str):
    where = f"{service.name}, tranche {tranche}, {month_label(month)}"
    try:
        with unit_of_work():
            change = set_status(
                tranche,
                service.id,
                month,
                form.values(),
                current_user.email,
                "browser",
                expected_version=int(form.version.data),
            )
    except StaleStatus as error:  # rolled back: nothing of it was written
        # Keep what the lead typed; show what is saved now; a second save overwrites it.
        record = find_status(tranche, service.id, month)
        form.version.data = str(record.version if record is not None else 0)
        flash(f"{error}. Compare with the saved values below, then save again.", "error")
        return _edit_page(form, tranche, service, month, record, None, conflict=True), 409
    except ServiceError as error:
        flash(f"Nothing was saved: {error}", "error")
        record = find_status(tranche, service.id, month)
        return _edit_page(form, tranche, service, month, record, None), 400
    if change.changed:
        saved = ", ".join(FIELD_LABELS[name] for name in change.changed)
        flash(f"Saved {where}: {saved}.", "success")
    elif change.created:
        flash(f"Saved {where} (all fields blank).", "success")
    else:
        flash(f"Nothing to save for {where}: no field was changed.", "info")
    return redirect(url_for("dashboard.design", month=month))


def _edit_page(
    form: DesignStatusForm,
    tranche: str,
    service: Service,
    month: str,
    record: DesignStatus | None,
    started_from: DesignStatus | None,
    *,
    conflict: bool = False,
):
    last = find_status(tranche, service.id, previous_month(month))
    return render_template(
        "dashboard/design_edit.html",
        names=names_for([record.updated_by] if record else []),
        form=form,
        fields=STATUS_FIELDS,
        tranche=tranche,
        service=service,
        month=month,
        record=record,
        started_from=started_from,
        last=last,
        conflict=conflict,
        **_common(),
    )


@bp.get("/design-dashboard/<tranche>/<int:service_id>")
@role_required("viewer")
def design_history(tranche: str, service_id: int):
    service = _service_or_404(tranche, service_id)
    months = service_history(tranche, service_id)
    actors = [entry.updated_by for entry in months]
    actors += [event.actor for entry in months for event in entry.events]
    return render_template(
        "dashboard/design_history.html",
        tranche=tranche,
        service=service,
        months=months,
        names=names_for(actors),
        field_labels=FIELD_LABELS,
        this_month=current_month(),
        **_common(),
    )
