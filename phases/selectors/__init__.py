"""Every non-trivial read of the phases app, permission-scoped. Import the module
(`from phases import selectors`) and call `selectors.<entity>_<question>(...)`."""

from phases.selectors.artifacts import (
    approved_versions,
    artifact_get_for_user,
    artifact_list_for_project,
    artifact_page,
    artifact_version_get,
    attachment_get_for_user,
    expected_artifacts,
    feedback_request_get_for_user,
    inbox_count,
    inbox_items,
    mapped_work,
    phase_artifacts,
)
from phases.selectors.checklist import (
    checklist_for_phase,
    checklist_item_get_for_user,
    checklist_list_for_project,
    phase_page,
    phase_progress,
    progress_of,
    project_list_annotate_progress,
    project_phase_progress,
)

__all__ = [
    "approved_versions",
    "artifact_get_for_user",
    "artifact_list_for_project",
    "artifact_page",
    "artifact_version_get",
    "attachment_get_for_user",
    "checklist_for_phase",
    "checklist_item_get_for_user",
    "checklist_list_for_project",
    "expected_artifacts",
    "feedback_request_get_for_user",
    "inbox_count",
    "inbox_items",
    "mapped_work",
    "phase_artifacts",
    "phase_page",
    "phase_progress",
    "progress_of",
    "project_list_annotate_progress",
    "project_phase_progress",
]
