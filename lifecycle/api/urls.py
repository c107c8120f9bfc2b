from django.urls import path

from lifecycle.api import audit, home, jobs, members, projects, templates, tokens

app_name = "lifecycle-api"

urlpatterns = [
    path("auth/token/", tokens.TokenCreateApi.as_view(), name="token-create"),
    path("tokens/", tokens.TokenListApi.as_view(), name="token-list"),
    path("tokens/<uuid:id>/", tokens.TokenDetailApi.as_view(), name="token-detail"),
    path("projects/", projects.ProjectListApi.as_view(), name="project-list"),
    path("projects/<uuid:id>/", projects.ProjectDetailApi.as_view(), name="project-detail"),
    path("projects/<uuid:id>/resume/", projects.ProjectResumeApi.as_view(), name="project-resume"),
    path("projects/<uuid:id>/members/", members.MemberListApi.as_view(), name="member-list"),
    path("members/<uuid:id>/", members.MemberDetailApi.as_view(), name="member-detail"),
    path("jobs/<uuid:id>/", jobs.JobDetailApi.as_view(), name="job-detail"),
    path("inbox/", home.InboxApi.as_view(), name="inbox"),
    path("templates/", templates.TemplateListApi.as_view(), name="template-list"),
    path("changes/", audit.ChangeListApi.as_view(), name="change-list"),
    path("audit-events/", audit.AuditEventListApi.as_view(), name="audit-event-list"),
]
