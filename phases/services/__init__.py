"""Every write of the phases app. Import the module and call `services.<entity>_<action>`."""

from phases.services.artifacts import (
    artifact_approve,
    artifact_comment_add,
    artifact_create,
    artifact_send_back,
    artifact_submit,
    artifact_update,
    feedback_answer,
    feedback_request,
)
from phases.services.attachments import attachment_add, safe_filename
from phases.services.checklist import (
    checklist_item_set_done,
    checklist_items_add,
    checklist_items_remove,
    clean_evidence_links,
    project_phases_populate,
    split_links,
)

__all__ = [
    "artifact_approve",
    "artifact_comment_add",
    "artifact_create",
    "artifact_send_back",
    "artifact_submit",
    "artifact_update",
    "attachment_add",
    "checklist_item_set_done",
    "checklist_items_add",
    "checklist_items_remove",
    "clean_evidence_links",
    "feedback_answer",
    "feedback_request",
    "project_phases_populate",
    "safe_filename",
    "split_links",
]
