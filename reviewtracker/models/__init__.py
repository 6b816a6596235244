"""The data model, one module per part: reference data, artefacts, comments and their audit,
users, the design dashboard, the advisory group's meetings, actions and decisions. Everything
is importable from here (`from ..models import X`); a new feature adds a module of its own and
re-exports its models below."""

from .artefacts import Artefact
from .base import ORIGINS, FieldChange, in_, round_label, tranche_label, utcnow
from .comments import DISPOSITION_RANK_SQL, AuditEvent, Comment, ImportBatch, ReviewRound
from .design import DesignStatus, DesignStatusEvent
from .governance import Action, ActionLink, ActionUpdate, Decision, DecisionArtefact, Meeting
from .reference import Constituency, Organisation, Service, Tranche
from .users import ALL_ROLES, REVIEWER, ROLES, LoginAttempt, User, UserSession

__all__ = [
    "ALL_ROLES",
    "DISPOSITION_RANK_SQL",
    "ORIGINS",
    "REVIEWER",
    "ROLES",
    "Action",
    "ActionLink",
    "ActionUpdate",
    "Artefact",
    "AuditEvent",
    "Comment",
    "Constituency",
    "Decision",
    "DecisionArtefact",
    "DesignStatus",
    "DesignStatusEvent",
    "FieldChange",
    "ImportBatch",
    "LoginAttempt",
    "Meeting",
    "Organisation",
    "ReviewRound",
    "Service",
    "Tranche",
    "User",
    "UserSession",
    "in_",
    "round_label",
    "tranche_label",
    "utcnow",
]
