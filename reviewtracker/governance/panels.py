"""What other features' pages show of the governance logs: the actions of a comment (with the
one-click "Raise an action" for a comment in Action) and the actions and decisions of an
artefact. Each returns the template variables of its partial (templates/comments/
detail_actions.html, templates/governance/_artefact_governance.html)."""

from __future__ import annotations

from datetime import date

from flask_login import current_user

from importers.vocabulary import ACTION_STATUSES

from ..models import Artefact, Comment
from ..services.action_queries import linked_actions
from ..services.decision_moves import target_states
from ..services.decisions import artefact_decisions
from ..services.scope import Scope


def comment_actions(comment: Comment, scope: Scope) -> dict[str, object]:
    """The comment's actions (a reviewer: the public ones) and whether this user may raise
    one from it: a lead, on a comment whose disposition is Action."""
    return {
        "comment_actions": linked_actions("comment", comment.id, scope, today=date.today()),
        "can_raise_action": current_user.has_role("lead") and comment.disposition == "action",
        "action_statuses": ACTION_STATUSES,
    }


def artefact_governance(artefact: Artefact, scope: Scope) -> dict[str, object]:
    """The artefact's actions and decisions (with the lifecycle move a decision carries)."""
    return {
        "artefact_actions": linked_actions("artefact", artefact.id, scope, today=date.today()),
        "artefact_decisions": artefact_decisions(artefact.id, scope),
        "action_statuses": ACTION_STATUSES,
        "lifecycle_states": target_states(),
    }
