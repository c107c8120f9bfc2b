from django.urls import path

from phases.api import views

app_name = "phases-api"

urlpatterns = [
    path("projects/<uuid:id>/phases/", views.ProjectPhaseListApi.as_view(), name="project-phases"),
    path("projects/<uuid:id>/checklist-items/", views.ProjectChecklistItemListApi.as_view(), name="project-checklist-items"),
    path("checklist-items/<uuid:id>/", views.ChecklistItemDetailApi.as_view(), name="checklist-item-detail"),
    path("projects/<uuid:id>/artifacts/", views.ProjectArtifactListApi.as_view(), name="project-artifacts"),
    path("artifacts/<uuid:id>/", views.ArtifactDetailApi.as_view(), name="artifact-detail"),
    path("artifacts/<uuid:id>/submit/", views.ArtifactSubmitApi.as_view(), name="artifact-submit"),
    path("artifacts/<uuid:id>/approve/", views.ArtifactApproveApi.as_view(), name="artifact-approve"),
    path("artifacts/<uuid:id>/send-back/", views.ArtifactSendBackApi.as_view(), name="artifact-send-back"),
]
