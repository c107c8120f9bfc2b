from django.urls import path

from lifecycle.api import tokens, views

app_name = "lifecycle-api"

urlpatterns = [
    path("auth/token/", views.TokenCreateApi.as_view(), name="token-create"),
    path("tokens/", tokens.TokenListApi.as_view(), name="token-list"),
    path("tokens/<uuid:id>/", tokens.TokenDetailApi.as_view(), name="token-detail"),
    path("projects/", views.ProjectListApi.as_view(), name="project-list"),
    path("projects/<uuid:id>/", views.ProjectDetailApi.as_view(), name="project-detail"),
    path("projects/<uuid:id>/resume/", views.ProjectResumeApi.as_view(), name="project-resume"),
    path("projects/<uuid:id>/members/", views.MemberListApi.as_view(), name="member-list"),
    path("members/<uuid:id>/", views.MemberDetailApi.as_view(), name="member-detail"),
    path("jobs/<uuid:id>/", views.JobDetailApi.as_view(), name="job-detail"),
    path("inbox/", views.InboxApi.as_view(), name="inbox"),
    path("templates/", views.TemplateListApi.as_view(), name="template-list"),
    path("changes/", views.ChangeListApi.as_view(), name="change-list"),
    path("audit-events/", views.AuditEventListApi.as_view(), name="audit-event-list"),
]
