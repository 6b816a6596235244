"""The data model, one module per part: reference data, artefacts, comments and their audit,
users, the design dashboard. Everything is importable from here (`from ..models import X`);
a new feature adds a module of its own and re-exports its models below."""

from .answers import AnswerWindow, FollowUp, ReviewerAnswer
from .artefacts import Artefact
from .base import AUDIT_ORIGINS, ORIGINS, FieldChange, in_, round_label, tranche_label, utcnow
from .comments import DISPOSITION_RANK_SQL, AuditEvent, Comment, ImportBatch, ReviewRound
from .design import DesignStatus, DesignStatusEvent
from .dissensus import (
    DissensusArtefact,
    DissensusComment,
    DissensusEntry,
    DissensusEvent,
    DissensusPosition,
)
from .reference import Constituency, Organisation, Service, Tranche
from .resolution import CommentResolution, PublishedResponse, WorkingGroup, WorkingGroupMember
from .users import ALL_ROLES, REVIEWER, ROLES, LoginAttempt, User

__all__ = [
    "AnswerWindow",
    "DissensusArtefact",
    "DissensusComment",
    "DissensusEntry",
    "DissensusEvent",
    "DissensusPosition",
    "FollowUp",
    "ReviewerAnswer",
    "AUDIT_ORIGINS",
    "CommentResolution",
    "PublishedResponse",
    "WorkingGroup",
    "WorkingGroupMember",
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
    "Tranche",
    "User",
    "in_",
    "round_label",
    "tranche_label",
    "utcnow",
]
