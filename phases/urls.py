from django.urls import path

from phases import views

app_name = "phases"

urlpatterns = [
    path("phases/<uuid:id>/", views.phase_detail, name="phase-detail"),
    path("phases/<uuid:id>/progress/", views.phase_progress, name="phase-progress"),
    path("phases/<uuid:id>/dates/", views.phase_dates, name="phase-dates"),
    path("checklist-items/<uuid:id>/toggle/", views.checklist_item_toggle, name="checklist-item-toggle"),
    path("checklist-items/<uuid:id>/", views.checklist_item_update, name="checklist-item-update"),
]
