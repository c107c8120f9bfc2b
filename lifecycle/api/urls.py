from django.urls import path

from lifecycle.api import views

app_name = "lifecycle-api"

urlpatterns = [
    path("auth/token/", views.TokenCreateApi.as_view(), name="token-create"),
    path("projects/", views.ProjectListApi.as_view(), name="project-list"),
    path("projects/<uuid:id>/", views.ProjectDetailApi.as_view(), name="project-detail"),
    path("projects/<uuid:id>/resume/", views.ProjectResumeApi.as_view(), name="project-resume"),
    path("projects/<uuid:id>/members/", views.MemberListApi.as_view(), name="member-list"),
    path("members/<uuid:id>/", views.MemberDetailApi.as_view(), name="member-detail"),
]
