"""Who may do what in a project: the table of PRODUCT.md (Roles and permissions), as data.

Personal decisions are not here: a vote belongs to the approvers named on a review, a sign-off to
the members holding its function (governance checks those, admins included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from lifecycle.models import Role

PORTFOLIO_VIEWERS_GROUP = "portfolio viewers"


class Action(StrEnum):
    VIEW = "view"  # see the project, its artifacts, risks, gates, activity
    MANAGE = "manage"  # edit details, tags, dates; members and webhooks; delete; resume from hold
    CONTRIBUTE = "contribute"  # tick items, write artifacts and risks, submit artifacts for review
    APPROVE = "approve"  # approve or send back an artifact (not one they own)
    REVIEW = "review"  # request or withdraw a gate review, recompute readiness
    ACCEPT_RISK = "accept_risk"  # accept a risk at level high or above


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.OWNER: frozenset({Action.VIEW, Action.MANAGE, Action.CONTRIBUTE, Action.REVIEW}),
    Role.CONTRIBUTOR: frozenset({Action.VIEW, Action.CONTRIBUTE}),
    Role.APPROVER: frozenset({Action.VIEW, Action.APPROVE, Action.ACCEPT_RISK}),
    Role.VIEWER: frozenset({Action.VIEW}),
}


@dataclass(frozen=True)
class Access:
    """A user's standing in one project, computed once per request by the selectors."""

    role: str | None = None
    functions: frozenset[str] = field(default_factory=frozenset)
    is_admin: bool = False
    is_portfolio_viewer: bool = False

    @property
    def can_see(self) -> bool:
        return self.is_admin or self.is_portfolio_viewer or self.role is not None

    def allows(self, action: Action) -> bool:
        if self.is_admin:
            return True
        if action == Action.VIEW and self.is_portfolio_viewer:
            return True
        return self.role is not None and action in ROLE_ACTIONS[self.role]

    def holds(self, function: str) -> bool:
        return function in self.functions

    @property
    def actions(self) -> frozenset[Action]:
        return frozenset(a for a in Action if self.allows(a))
