"""Every write of the lifecycle core. Import the module (`from lifecycle import services`) and
call `services.<entity>_<action>(...)`."""

from lifecycle.services.jobs import job_create, job_enqueue, job_fail, job_progress, job_start, job_succeed
from lifecycle.services.members import membership_add, membership_remove, membership_update
from lifecycle.services.notifications import (
    notification_email_send,
    notification_kinds,
    notification_mark_read,
    notification_preferences_set,
    notify,
)
from lifecycle.services.projects import (
    ensure_writable,
    lock_writable,
    phase_advance,
    phase_set_status,
    phase_update_dates,
    project_create,
    project_delete,
    project_hold,
    project_kill,
    project_restore,
    project_resume,
    project_update,
)
from lifecycle.services.records import (
    atomic,
    audit_chain_verify,
    audit_verify_request,
    audit_verify_run,
    change_record,
    change_record_bulk,
    snapshot,
)
from lifecycle.services.tasks import enqueue
from lifecycle.services.templates import (
    TemplateImportError,
    template_duplicate,
    template_ensure_default,
    template_export,
    template_import,
    template_validate,
)
from lifecycle.services.tokens import token_authenticate, token_create, token_create_with_password, token_revoke, tokens_revoke_all

__all__ = [
    "TemplateImportError",
    "atomic",
    "audit_chain_verify",
    "audit_verify_request",
    "audit_verify_run",
    "change_record",
    "change_record_bulk",
    "enqueue",
    "ensure_writable",
    "job_create",
    "job_enqueue",
    "job_fail",
    "job_progress",
    "job_start",
    "job_succeed",
    "lock_writable",
    "membership_add",
    "membership_remove",
    "membership_update",
    "notification_email_send",
    "notification_kinds",
    "notification_mark_read",
    "notification_preferences_set",
    "notify",
    "phase_advance",
    "phase_set_status",
    "phase_update_dates",
    "project_create",
    "project_delete",
    "project_hold",
    "project_kill",
    "project_restore",
    "project_resume",
    "project_update",
    "snapshot",
    "template_duplicate",
    "template_ensure_default",
    "template_export",
    "template_import",
    "template_validate",
    "token_authenticate",
    "token_create",
    "token_create_with_password",
    "token_revoke",
    "tokens_revoke_all",
]
