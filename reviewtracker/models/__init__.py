"""The data model, one module per part: reference data, artefacts, comments and their audit,
users, the design dashboard, the advisory group's meetings, actions and decisions, uploads
waiting to be imported. Everything is importable from here (`from ..models import X`); a new
feature adds a module of its own and re-exports its models below."""

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
from .governance import Action, ActionLink, ActionUpdate, Decision, DecisionArtefact, Meeting
from .installation import DEMO, InstallationFact
from .lifecycle import ArtefactEvent, ArtefactVersion, CommentImplementation
from .reference import Constituency, Organisation, Service, Tranche
from .resolution import CommentResolution, PublishedResponse, WorkingGroup, WorkingGroupMember
from .rounds import CommentCarry, CommentRepeat, RoundArtefact, RoundInvitation
from .staging import StagedFile, StagedUpload
from .submissions import CommentDraft, RoundExtension, Submission, SubmissionEvent
from .users import ALL_ROLES, REVIEWER, ROLES, LoginAttempt, User, UserSession

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
    "DEMO",
    "DISPOSITION_RANK_SQL",
    "ORIGINS",
    "REVIEWER",
    "ROLES",
    "Action",
    "ActionLink",
    "ActionUpdate",
    "Artefact",
    "ArtefactEvent",
    "ArtefactVersion",
    "AuditEvent",
    "Comment",
    "CommentCarry",
    "CommentDraft",
    "CommentImplementation",
    "CommentRepeat",
    "Constituency",
    "Decision",
    "DecisionArtefact",
    "DesignStatus",
    "DesignStatusEvent",
    "FieldChange",
    "ImportBatch",
    "InstallationFact",
    "LoginAttempt",
    "Meeting",
    "Organisation",
    "ReviewRound",
    "RoundArtefact",
    "RoundExtension",
    "RoundInvitation",
    "Service",
    "StagedFile",
    "StagedUpload",
    "Submission",
    "SubmissionEvent",
    "Tranche",
    "User",
    "UserSession",
    "in_",
    "round_label",
    "tranche_label",
    "utcnow",
]
