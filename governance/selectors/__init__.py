"""Every non-trivial read of the governance app, permission-scoped."""

from governance.selectors.compliance import (
    SOA_HEADER,
    FrameworkCoverage,
    classification_obligations,
    compliance_for_project,
    obligations_applicable,
    statement_of_applicability,
    statement_of_applicability_rows,
)
from governance.selectors.post_launch import (
    incident_get_for_user,
    incident_list_for_project,
    overdue_post_launch_tasks,
    post_launch_page,
    post_launch_task_get_for_user,
)
from governance.selectors.readiness import (
    gate_get_for_user,
    gate_list_for_project,
    gate_trend,
    project_gates_context,
    project_list_annotate_readiness,
    readiness_of,
)
from governance.selectors.report import (
    REPORT_AUDIT_EXCERPT_SIZE,
    REPORT_KIND,
    REPORT_SECTIONS,
    report_build,
    report_jobs_for_project,
)
from governance.selectors.risks import (
    RISK_EXPORT_HEADER,
    RISK_ORDERINGS,
    HeatCell,
    RiskFilters,
    heat_map,
    risk_categories_for,
    risk_export_rows,
    risk_get_for_user,
    risk_list_for_project,
    risk_list_for_user,
)
from governance.selectors.signoffs import signoff_get_for_user, signoff_list_for_project

__all__ = [
    "REPORT_AUDIT_EXCERPT_SIZE",
    "REPORT_KIND",
    "REPORT_SECTIONS",
    "RISK_EXPORT_HEADER",
    "RISK_ORDERINGS",
    "SOA_HEADER",
    "FrameworkCoverage",
    "HeatCell",
    "RiskFilters",
    "classification_obligations",
    "compliance_for_project",
    "gate_get_for_user",
    "gate_list_for_project",
    "gate_trend",
    "heat_map",
    "incident_get_for_user",
    "incident_list_for_project",
    "obligations_applicable",
    "overdue_post_launch_tasks",
    "post_launch_page",
    "post_launch_task_get_for_user",
    "project_gates_context",
    "project_list_annotate_readiness",
    "readiness_of",
    "report_build",
    "report_jobs_for_project",
    "risk_categories_for",
    "risk_export_rows",
    "risk_get_for_user",
    "risk_list_for_project",
    "risk_list_for_user",
    "signoff_get_for_user",
    "signoff_list_for_project",
    "statement_of_applicability",
    "statement_of_applicability_rows",
]
