from flask import abort, render_template

from importers.reference import TRANCHES

from ..models import DISPOSITION_LABELS
from ..services.reference import rounds_of_tranche
from ..services.rollups import comment_status, constituency_table, tranche_overview
from . import bp


@bp.get("/")
def index():
    return render_template("dashboard/index.html", tranches=tranche_overview())


@bp.get("/tranches/<code>")
@bp.get("/tranches/<code>/rounds/<int:number>")
def tranche(code: str, number: int | None = None):
    if code not in TRANCHES:
        abort(404)
    rounds = rounds_of_tranche(code)
    if number is not None and number not in {r.number for r in rounds}:
        abort(404)
    return render_template(
        "dashboard/tranche.html",
        code=code,
        number=number,
        rounds=rounds,
        status=comment_status(code, number),
        constituencies=constituency_table(code, number),
        labels=DISPOSITION_LABELS,
    )
