from django.urls import path

from governance.api import reports, views, webhooks

app_name = "governance-api"

urlpatterns = [
    path("projects/<uuid:id>/risks/", views.ProjectRiskListApi.as_view(), name="project-risks"),
    path("risks/<uuid:id>/", views.RiskDetailApi.as_view(), name="risk-detail"),
    path("risks/<uuid:id>/accept/", views.RiskAcceptApi.as_view(), name="risk-accept"),
    path("projects/<uuid:id>/signoffs/", views.ProjectSignoffListApi.as_view(), name="project-signoffs"),
    path("signoffs/<uuid:id>/", views.SignoffDetailApi.as_view(), name="signoff-detail"),
    path("signoffs/<uuid:id>/decision/", views.SignoffDecisionApi.as_view(), name="signoff-decision"),
    path("projects/<uuid:id>/incidents/", views.ProjectIncidentListApi.as_view(), name="project-incidents"),
    path("incidents/<uuid:id>/", views.IncidentDetailApi.as_view(), name="incident-detail"),
    path("projects/<uuid:id>/gates/", views.ProjectGateListApi.as_view(), name="project-gates"),
    path("gates/<uuid:id>/", views.GateDetailApi.as_view(), name="gate-detail"),
    path("gates/<uuid:id>/readiness/", views.GateReadinessApi.as_view(), name="gate-readiness"),
    path("gates/<uuid:id>/reviews/", views.GateReviewCreateApi.as_view(), name="gate-reviews"),
    path("reviews/<uuid:id>/", views.ReviewDetailApi.as_view(), name="review-detail"),
    path("reviews/<uuid:id>/votes/", views.ReviewVoteApi.as_view(), name="review-votes"),
    path("reviews/<uuid:id>/withdraw/", views.ReviewWithdrawApi.as_view(), name="review-withdraw"),
    path("projects/<uuid:id>/webhooks/", webhooks.ProjectWebhookListApi.as_view(), name="project-webhooks"),
    path("webhooks/", webhooks.GlobalWebhookListApi.as_view(), name="webhook-list"),
    path("webhooks/<uuid:id>/", webhooks.WebhookDetailApi.as_view(), name="webhook-detail"),
    path("webhooks/<uuid:id>/rotate-secret/", webhooks.WebhookRotateSecretApi.as_view(), name="webhook-rotate-secret"),
    path("webhooks/<uuid:id>/deliveries/", webhooks.WebhookDeliveryListApi.as_view(), name="webhook-deliveries"),
    path("deliveries/<uuid:id>/resend/", webhooks.DeliveryResendApi.as_view(), name="delivery-resend"),
    path("projects/<uuid:id>/compliance/", views.ProjectComplianceApi.as_view(), name="project-compliance"),
    path("projects/<uuid:id>/report/", reports.ProjectReportApi.as_view(), name="project-report"),
]
