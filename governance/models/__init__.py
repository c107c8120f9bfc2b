from governance.models.frameworks import Framework, Requirement, RiskMatrix
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

__all__ = [
    "CriterionKind",
    "CriterionTemplate",
    "Framework",
    "GateTemplate",
    "ObligationTemplate",
    "Requirement",
    "RiskLevel",
    "RiskMatrix",
    "SignoffKind",
    "SignoffKindTemplate",
    "TemplateGovernance",
    "Tier",
]
