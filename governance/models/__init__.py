from governance.models.frameworks import ControlDecision, Framework, Requirement, RiskMatrix
from governance.models.gates import Assessment, Gate
from governance.models.register import (
    Classification,
    Incident,
    PostLaunchSchedule,
    PostLaunchTask,
    Risk,
    RiskCategory,
    Signoff,
)
from governance.models.reviews import Decision, Review, Vote
from governance.models.templates import (
    CriterionKind,
    CriterionTemplate,
    GateTemplate,
    ObligationTemplate,
    RiskLevel,
    SignoffKind,
    SignoffKindTemplate,
    TemplateGovernance,
    Tier,
)
from governance.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "Assessment",
    "Classification",
    "ControlDecision",
    "CriterionKind",
    "CriterionTemplate",
    "Decision",
    "Framework",
    "Gate",
    "GateTemplate",
    "Incident",
    "ObligationTemplate",
    "PostLaunchSchedule",
    "PostLaunchTask",
    "Requirement",
    "Review",
    "Risk",
    "RiskCategory",
    "RiskLevel",
    "RiskMatrix",
    "Signoff",
    "SignoffKind",
    "SignoffKindTemplate",
    "TemplateGovernance",
    "Tier",
    "Vote",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
