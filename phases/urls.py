from django.urls import path

from phases.views import artifacts, checklist

app_name = "phases"

urlpatterns = [
    path("phases/<uuid:id>/", checklist.phase_detail, name="phase-detail"),
    path("phases/<uuid:id>/progress/", checklist.phase_progress, name="phase-progress"),
    path("phases/<uuid:id>/dates/", checklist.phase_dates, name="phase-dates"),
    path("checklist-items/<uuid:id>/toggle/", checklist.checklist_item_toggle, name="checklist-item-toggle"),
    path("checklist-items/<uuid:id>/", checklist.checklist_item_update, name="checklist-item-update"),
    path("projects/<uuid:id>/checklist/export/", checklist.checklist_export, name="checklist-export"),
    path("projects/<uuid:id>/artifacts/", artifacts.artifact_list, name="artifact-list"),
    path("projects/<uuid:id>/artifacts/new/", artifacts.artifact_create, name="artifact-create"),
    path("artifacts/<uuid:id>/", artifacts.artifact_detail, name="artifact-detail"),
    path("artifacts/<uuid:id>/edit/", artifacts.artifact_edit, name="artifact-edit"),
    path("artifacts/<uuid:id>/submit/", artifacts.artifact_submit, name="artifact-submit"),
    path("artifacts/<uuid:id>/approve/", artifacts.artifact_approve, name="artifact-approve"),
    path("artifacts/<uuid:id>/send-back/", artifacts.artifact_send_back, name="artifact-send-back"),
    path("artifacts/<uuid:id>/comments/", artifacts.artifact_comment, name="artifact-comment"),
    path("artifacts/<uuid:id>/attachments/", artifacts.attachment_upload, name="attachment-upload"),
    path("artifacts/<uuid:id>/feedback/", artifacts.feedback_ask, name="feedback-ask"),
    path("artifacts/<uuid:id>/versions/<int:number>/", artifacts.artifact_version, name="artifact-version"),
    path("artifacts/<uuid:id>/diff/", artifacts.artifact_diff, name="artifact-diff"),
    path("attachments/<uuid:id>/download/", artifacts.attachment_download, name="attachment-download"),
    path("feedback/<uuid:id>/answer/", artifacts.feedback_reply, name="feedback-answer"),
]
