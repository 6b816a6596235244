"""The vocabularies' colours in the browser: /vocabulary.css, rendered from
importers/vocabulary.py.

The pages may not carry style= attributes (the CSP forbids them), so a term's colour reaches
a badge, a chip or a RAG dot through a class (`d-<key>`, `rag-<key>`, `as-<key>` for an
action's status) that this stylesheet
colours. app.css holds no term colour: adding a term is a change of the vocabulary only.
Public, like /static: the sign-in page links it too.
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template, request

from importers.vocabulary import (
    ACTION_STATUSES,
    ARTEFACT_STATES,
    DISPOSITIONS,
    RAG_STATUSES,
    ROUND_DIFF,
    ROUND_STATES,
)

bp = Blueprint("vocabulary", __name__)
ENDPOINT = "vocabulary.stylesheet"


@bp.get("/vocabulary.css")
def stylesheet() -> Response:
    css = render_template(
        "vocabulary.css",
        dispositions=DISPOSITIONS,
        rag_statuses=RAG_STATUSES,
        action_statuses=ACTION_STATUSES,
        artefact_states=ARTEFACT_STATES,
        round_states=ROUND_STATES,
        round_diff=ROUND_DIFF,
    )
    response = make_response(css)
    response.mimetype = "text/css"
    response.add_etag()
    return response.make_conditional(request)
