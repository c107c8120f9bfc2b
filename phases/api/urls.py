from django.urls import path

from phases.api import artifacts, checklist

app_name = "phases-api"

urlpatterns = [
    path("projects/<uuid:id>/phases/", checklist.ProjectPhaseListApi.as_view(), name="project-phases"),
    path("projects/<uuid:id>/checklist-items/", checklist.ProjectChecklistItemListApi.as_view(), name="project-checklist-items"),
    path("checklist-items/<uuid:id>/", checklist.ChecklistItemDetailApi.as_view(), name="checklist-item-detail"),
    path("projects/<uuid:id>/artifacts/", artifacts.ProjectArtifactListApi.as_view(), name="project-artifacts"),
    path("artifacts/<uuid:id>/", artifacts.ArtifactDetailApi.as_view(), name="artifact-detail"),
    path("artifacts/<uuid:id>/submit/", artifacts.ArtifactSubmitApi.as_view(), name="artifact-submit"),
    path("artifacts/<uuid:id>/approve/", artifacts.ArtifactApproveApi.as_view(), name="artifact-approve"),
    path("artifacts/<uuid:id>/send-back/", artifacts.ArtifactSendBackApi.as_view(), name="artifact-send-back"),
]
