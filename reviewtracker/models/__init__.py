"""The data model, one module per part: reference data, artefacts, comments and their audit,
users, the design dashboard, uploads waiting to be imported. Everything is importable from
here (`from ..models import X`); a new feature adds a module of its own and re-exports its
models below."""

from .artefacts import Artefact
from .base import ORIGINS, FieldChange, in_, round_label, tranche_label, utcnow
from .comments import DISPOSITION_RANK_SQL, AuditEvent, Comment, ImportBatch, ReviewRound
from .design import DesignStatus, DesignStatusEvent
from .reference import Constituency, Organisation, Service, Tranche
from .staging import StagedFile, StagedUpload
from .users import ALL_ROLES, REVIEWER, ROLES, LoginAttempt, User

__all__ = [
    "ALL_ROLES",
    "DISPOSITION_RANK_SQL",
    "ORIGINS",
    "REVIEWER",
    "ROLES",
    "Artefact",
    "AuditEvent",
    "Comment",
    "Constituency",
    "DesignStatus",
    "DesignStatusEvent",
    "FieldChange",
    "ImportBatch",
    "LoginAttempt",
    "Organisation",
    "ReviewRound",
    "Service",
    "StagedFile",
    "StagedUpload",
    "Tranche",
    "User",
    "in_",
    "round_label",
    "tranche_label",
    "utcnow",
]
