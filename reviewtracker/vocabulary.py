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
    ANSWERS,
    ARTEFACT_STATES,
    DISPOSITIONS,
    DISSENSUS_OUTCOMES,
    DISSENSUS_STATUSES,
    POSITIONS,
    RAG_STATUSES,
    RESPONSE_STATES,
    ROUND_DIFF,
    ROUND_STATES,
    SUBMISSION_KINDS,
    UNDER_CONSIDERATION,
)

bp = Blueprint("vocabulary", __name__)
ENDPOINT = "vocabulary.stylesheet"


@bp.get("/vocabulary.css")
def stylesheet() -> Response:
    css = render_template(
        "vocabulary.css",
        # A reviewer's outcome may be "under consideration": coloured like a disposition.
        dispositions=[*DISPOSITIONS, UNDER_CONSIDERATION],
        rag_statuses=RAG_STATUSES,
        action_statuses=ACTION_STATUSES,
        artefact_states=ARTEFACT_STATES,
        round_states=ROUND_STATES,
        round_diff=ROUND_DIFF,
        states=RESPONSE_STATES,
        # Answers, positions, dissensus outcomes and statuses: badges of their own.
        badges=[
            ("a", ANSWERS),
            ("p", POSITIONS),
            ("o", DISSENSUS_OUTCOMES),
            ("ds", DISSENSUS_STATUSES),
            ("sk", SUBMISSION_KINDS),
        ],
    )
    response = make_response(css)
    response.mimetype = "text/css"
    response.add_etag()
    return response.make_conditional(request)
