from django.urls import path

from lifecycle.views import account, audit, home, jobs, members, projects

app_name = "lifecycle"

urlpatterns = [
    path("projects/", projects.project_list, name="project-list"),
    path("projects/new/", projects.project_create, name="project-create"),
    path("projects/deleted/", projects.project_trash, name="project-trash"),
    path("projects/<uuid:id>/", projects.project_detail, name="project-detail"),
    path("projects/<uuid:id>/edit/", projects.project_edit, name="project-edit"),
    path("projects/<uuid:id>/delete/", projects.project_delete, name="project-delete"),
    path("projects/<uuid:id>/restore/", projects.project_restore, name="project-restore"),
    path("projects/<uuid:id>/resume/", projects.project_resume, name="project-resume"),
    path("projects/<uuid:id>/advance/", projects.project_advance, name="project-advance"),
    path("projects/<uuid:id>/members/", members.member_list, name="member-list"),
    path("members/<uuid:id>/edit/", members.member_edit, name="member-edit"),
    path("members/<uuid:id>/remove/", members.member_remove, name="member-remove"),
    path("inbox/", home.inbox, name="inbox"),
    path("projects/<uuid:id>/activity/", audit.project_activity, name="project-activity"),
    path("audit/", audit.audit_log, name="audit-log"),
    path("audit/verify/", audit.audit_verify, name="audit-verify"),
    path("jobs/<uuid:id>/", jobs.job_status, name="job-status"),
    path("jobs/<uuid:id>/download/", jobs.job_download, name="job-download"),
    path("account/", account.account, name="account"),
    path("account/tokens/<uuid:id>/revoke/", account.token_revoke, name="token-revoke"),
    path("account/notifications/", account.notification_settings, name="notification-settings"),
    path("notifications/", account.notification_list, name="notification-list"),
    path("notifications/read/", account.notifications_read, name="notifications-read"),
]
