"""Read review comment logs and artefact registers into typed records plus a problem report.

Pure Python: no Flask, no database. Usable from a notebook::

    from importers import read_comment_log
    result = read_comment_log("Acme BP004 comments.xlsx", defaults={"organisation": "Acme"})
    for problem in result.problems:
        print(problem)
"""

from __future__ import annotations

from .comment_log import CONTEXT_FIELDS, read_comment_log
from .design_dashboard import (
    DESIGN_DASHBOARD_FIELDS,
    RAG_SYNONYMS,
    DesignDashboardRecord,
    normalise_rag,
    read_design_dashboard,
)
from .governance_logs import (
    ActionRecord,
    DecisionRecord,
    read_action_log,
    read_decision_log,
)
from .identify import ARTEFACT_REGISTER, COMMENT_LOG, identify, is_register_header
from .invitations import read_invitation_list
from .normalise import (
    COMMENT_FIELDS,
    COMMENT_TYPE_SYNONYMS,
    DISPOSITION_SYNONYMS,
    REGISTER_FIELDS,
    document_type,
    fold_name,
    header_field,
    match_constituency,
    normalise_artefact_ref,
    normalise_comment_type,
    normalise_disposition,
    normalise_header,
    normalise_review_round,
    normalise_tranche,
    split_artefact_ref,
    tidy_name,
)
from .records import (
    ArtefactRecord,
    CommentRecord,
    Problem,
    ProblemReport,
    ReadResult,
    SheetReport,
)
from .reference import CONSTITUENCIES, DOCUMENT_TYPES, TRANCHES
from .register import read_artefact_register
from .vocabulary import (
    ACTION_LINK_KINDS,
    ACTION_STATUSES,
    DISPOSITIONS,
    OPEN,
    RAG_STATUSES,
    Term,
    Vocabulary,
)

__all__ = [
    "ACTION_LINK_KINDS",
    "ACTION_STATUSES",
    "ARTEFACT_REGISTER",
    "COMMENT_LOG",
    "COMMENT_FIELDS",
    "COMMENT_TYPE_SYNONYMS",
    "CONSTITUENCIES",
    "CONTEXT_FIELDS",
    "DESIGN_DASHBOARD_FIELDS",
    "DISPOSITIONS",
    "DISPOSITION_SYNONYMS",
    "DOCUMENT_TYPES",
    "OPEN",
    "RAG_STATUSES",
    "RAG_SYNONYMS",
    "REGISTER_FIELDS",
    "TRANCHES",
    "ActionRecord",
    "ArtefactRecord",
    "CommentRecord",
    "DecisionRecord",
    "DesignDashboardRecord",
    "Problem",
    "ProblemReport",
    "ReadResult",
    "SheetReport",
    "Term",
    "Vocabulary",
    "document_type",
    "fold_name",
    "header_field",
    "identify",
    "is_register_header",
    "match_constituency",
    "normalise_artefact_ref",
    "normalise_comment_type",
    "normalise_disposition",
    "normalise_header",
    "normalise_rag",
    "normalise_review_round",
    "normalise_tranche",
    "read_action_log",
    "read_artefact_register",
    "read_comment_log",
    "read_decision_log",
    "read_invitation_list",
    "read_design_dashboard",
    "split_artefact_ref",
    "tidy_name",
]
