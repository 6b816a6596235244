"""The artefact pages: per tranche, grouped by service, with comment counts; one artefact."""

from __future__ import annotations

from dataclasses import replace

from flask import abort, redirect, render_template, request, url_for

from importers import normalise_artefact_ref
from importers.reference import TRANCHES
from importers.vocabulary import ARTEFACT_STATES, DISPOSITIONS, DISSENSUS_STATUSES

from ..auth import role_required, viewer_scope
from ..comments.views import list_context, page_number
from ..governance.panels import artefact_governance
from ..lifecycle.views import artefact_lifecycle
from ..services.artefacts import artefact_by_reference
from ..services.comment_filter import CommentFilter
from ..services.comment_queries import disposition_counts
from ..services.dissensus import entries_for_artefact, open_dissensus_counts
from ..services.rollups import tranche_artefacts, tranche_overview
from . import bp


@bp.get("/")
@role_required("viewer")
def index():
    """The first tranche that has artefacts (tabs lead to the others)."""
    overview = tranche_overview(viewer_scope())
    first = next((t.tranche for t in overview if t.artefacts), TRANCHES[0])
    return redirect(url_for("artefacts.tranche", code=first))


@bp.get("/tranches/<code>")
@role_required("viewer")
def tranche(code: str):
    if code not in TRANCHES:
        abort(404)
    return render_template(
        "artefacts/tranche.html",
        code=code,
        overview=tranche_overview(viewer_scope()),
        table=tranche_artefacts(code),
        dispositions=DISPOSITIONS,
        states=ARTEFACT_STATES,
    )


@bp.get("/<reference>")
@role_required("viewer")
def detail(reference: str):
    canonical = normalise_artefact_ref(reference)
    if canonical is None:
        abort(404)
    if canonical != reference:
        return redirect(
            url_for("artefacts.detail", reference=canonical, **request.args.to_dict()), 301
        )
    artefact = artefact_by_reference(canonical)
    if artefact is None:
        abort(404)
    # The artefact fixes its tranche and service: the list filters only within it.
    scope = viewer_scope()
    f = CommentFilter.from_args(request.args, scope)
    f = replace(f, artefact=canonical, service_id=None, tranche=None)
    context = list_context(
        f,
        page_number(request.args),
        endpoint="artefacts.detail",
        params={"reference": canonical},
        fixed=("artefact", "service", "tranche"),
    )
    counts = disposition_counts(CommentFilter(artefact=canonical, scope=scope))
    return render_template(
        "artefacts/detail.html",
        artefact=artefact,
        artefact_counts=counts,
        # Its dissensus entries; the open ones count among its outstanding issues.
        dissensus=entries_for_artefact(artefact.id, scope),
        open_dissensus=open_dissensus_counts([artefact.id]).get(artefact.id, 0),
        dissensus_statuses=DISSENSUS_STATUSES,
        **context,
        **artefact_governance(artefact, scope),
        **artefact_lifecycle(artefact),
    )
