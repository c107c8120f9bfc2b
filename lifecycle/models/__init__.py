from lifecycle.models.accounts import ApiToken, Function, User
from lifecycle.models.projects import Membership, Phase, PhaseKey, Project, Role, Tag
from lifecycle.models.records import AuditEvent, ChangeFeedState, ChangeRecord, IdempotencyRecord, Job, Notification, NotificationPreference
from lifecycle.models.templates import ChecklistItemTemplate, LifecycleTemplate, PhaseTemplate

__all__ = [
    "ApiToken",
    "AuditEvent",
    "ChangeFeedState",
    "ChangeRecord",
    "ChecklistItemTemplate",
    "Function",
    "IdempotencyRecord",
    "Job",
    "LifecycleTemplate",
    "Membership",
    "Notification",
    "NotificationPreference",
    "Phase",
    "PhaseKey",
    "PhaseTemplate",
    "Project",
    "Role",
    "Tag",
    "User",
]
