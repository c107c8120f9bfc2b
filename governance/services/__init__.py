"""Every write of the governance app. Import the module and call `services.<entity>_<action>`."""

from governance.services.classification import ClassificationChange, classification_set
from governance.services.frameworks import (
    FrameworkImportError,
    framework_import,
    framework_validate,
    governance_reference_data,
)
from governance.services.post_launch import (
    incident_create,
    incident_reports_notify,
    incident_update,
    post_launch_overdue_notify,
    post_launch_schedule_set,
    post_launch_task_complete,
    post_launch_tasks_create_due,
)
from governance.services.reports import report_filename, report_request, report_run
from governance.services.risks import (
    risk_accept,
    risk_acceptance_allowed,
    risk_acceptances_expire,
    risk_categories_bootstrap,
    risk_category_create,
    risk_create,
    risk_matrix_for,
    risk_update,
)
from governance.services.signoffs import (
    signoff_decide,
    signoff_decide_allowed,
    signoff_decider_check,
    signoff_reopen,
    signoffs_create_for_project,
    signoffs_notify_due,
    signoffs_recheck_evidence,
)
from governance.services.webhooks import (
    webhook_create,
    webhook_delete,
    webhook_deliver,
    webhook_resend,
    webhook_rotate_secret,
    webhook_update,
    webhooks_queue_for_changes,
    webhooks_sweep,
)

__all__ = [
    "ClassificationChange",
    "FrameworkImportError",
    "classification_set",
    "framework_import",
    "framework_validate",
    "governance_reference_data",
    "incident_create",
    "incident_reports_notify",
    "incident_update",
    "post_launch_overdue_notify",
    "post_launch_schedule_set",
    "post_launch_task_complete",
    "post_launch_tasks_create_due",
    "report_filename",
    "report_request",
    "report_run",
    "risk_accept",
    "risk_acceptance_allowed",
    "risk_acceptances_expire",
    "risk_categories_bootstrap",
    "risk_category_create",
    "risk_create",
    "risk_matrix_for",
    "risk_update",
    "signoff_decide",
    "signoff_decide_allowed",
    "signoff_decider_check",
    "signoff_reopen",
    "signoffs_create_for_project",
    "signoffs_notify_due",
    "signoffs_recheck_evidence",
]

from governance.services.reviews import (
    counting_approvers,
    decision_snapshot,
    gate_approvers,
    outcome_of,
    quorum_needed,
    review_approvers_recheck,
    review_request,
    review_voter_check,
    review_withdraw,
    reviews_remind,
    vote_cast,
)

__all__ += [
    "counting_approvers",
    "decision_snapshot",
    "gate_approvers",
    "outcome_of",
    "quorum_needed",
    "review_approvers_recheck",
    "review_request",
    "review_voter_check",
    "review_withdraw",
    "reviews_remind",
    "vote_cast",
    "webhook_create",
    "webhook_delete",
    "webhook_deliver",
    "webhook_resend",
    "webhook_rotate_secret",
    "webhook_update",
    "webhooks_queue_for_changes",
    "webhooks_sweep",
]
