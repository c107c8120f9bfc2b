"""Reads of the lifecycle core, scoped to what the user may see.

Access checks live here: `project_get_for_user` raises Http404 for outsiders (a project's
existence must not leak) and PermissionDenied for members whose role does not allow the action.
Every other app's `<entity>_get_for_user` ends in `project_access_check`."""

from lifecycle.selectors.access import (
    DENIED,
    project_access,
    project_access_check,
    project_access_forget,
    project_access_share,
    user_is_portfolio_viewer,
    user_sees_everything,
)
from lifecycle.selectors.members import (
    function_list,
    membership_get_for_user,
    membership_list,
    project_member_ids,
    project_users,
    user_find,
)
from lifecycle.selectors.notifications import (
    inbox_items,
    nav_counts,
    notification_list,
    notification_settings,
    notification_unread_count,
    notification_visible,
)
from lifecycle.selectors.projects import (
    PROJECT_ORDERINGS,
    ProjectFilters,
    dashboard_core,
    dashboard_project_ids,
    owners_count,
    phase_get_for_user,
    phase_list,
    project_export_table,
    project_get_for_user,
    project_list_for_user,
    project_visible_to,
    project_with_details,
    projects_attach_refs,
    tag_list_for_user,
)
from lifecycle.selectors.records import (
    AuditFilters,
    FeedPage,
    audit_events_filtered,
    audit_events_for_project,
    changes_for_user,
    feed_pruned_through,
    job_get_for_user,
)
from lifecycle.selectors.templates import (
    template_get,
    template_list,
)
from lifecycle.selectors.tokens import (
    token_get_for_user,
    token_list_for_user,
)

__all__ = [
    "DENIED",
    "PROJECT_ORDERINGS",
    "AuditFilters",
    "FeedPage",
    "ProjectFilters",
    "audit_events_filtered",
    "audit_events_for_project",
    "changes_for_user",
    "dashboard_core",
    "dashboard_project_ids",
    "feed_pruned_through",
    "function_list",
    "inbox_items",
    "job_get_for_user",
    "membership_get_for_user",
    "membership_list",
    "nav_counts",
    "notification_list",
    "notification_settings",
    "notification_unread_count",
    "notification_visible",
    "owners_count",
    "phase_get_for_user",
    "phase_list",
    "project_access",
    "project_access_check",
    "project_access_forget",
    "project_access_share",
    "project_export_table",
    "project_get_for_user",
    "project_list_for_user",
    "project_member_ids",
    "project_users",
    "project_visible_to",
    "project_with_details",
    "projects_attach_refs",
    "tag_list_for_user",
    "template_get",
    "template_list",
    "token_get_for_user",
    "token_list_for_user",
    "user_find",
    "user_is_portfolio_viewer",
    "user_sees_everything",
]
