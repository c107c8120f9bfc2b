from django.urls import path

from governance.api import gates, register, reports, reviews, risks, webhooks

app_name = "governance-api"

urlpatterns = [
    path("projects/<uuid:id>/risks/", risks.ProjectRiskListApi.as_view(), name="project-risks"),
    path("risks/<uuid:id>/", risks.RiskDetailApi.as_view(), name="risk-detail"),
    path("risks/<uuid:id>/accept/", risks.RiskAcceptApi.as_view(), name="risk-accept"),
    path("projects/<uuid:id>/signoffs/", register.ProjectSignoffListApi.as_view(), name="project-signoffs"),
    path("signoffs/<uuid:id>/", register.SignoffDetailApi.as_view(), name="signoff-detail"),
    path("signoffs/<uuid:id>/decision/", register.SignoffDecisionApi.as_view(), name="signoff-decision"),
    path("projects/<uuid:id>/incidents/", register.ProjectIncidentListApi.as_view(), name="project-incidents"),
    path("incidents/<uuid:id>/", register.IncidentDetailApi.as_view(), name="incident-detail"),
    path("projects/<uuid:id>/gates/", gates.ProjectGateListApi.as_view(), name="project-gates"),
    path("gates/<uuid:id>/", gates.GateDetailApi.as_view(), name="gate-detail"),
    path("gates/<uuid:id>/readiness/", gates.GateReadinessApi.as_view(), name="gate-readiness"),
    path("gates/<uuid:id>/reviews/", reviews.GateReviewCreateApi.as_view(), name="gate-reviews"),
    path("reviews/<uuid:id>/", reviews.ReviewDetailApi.as_view(), name="review-detail"),
    path("reviews/<uuid:id>/votes/", reviews.ReviewVoteApi.as_view(), name="review-votes"),
    path("reviews/<uuid:id>/withdraw/", reviews.ReviewWithdrawApi.as_view(), name="review-withdraw"),
    path("projects/<uuid:id>/webhooks/", webhooks.ProjectWebhookListApi.as_view(), name="project-webhooks"),
    path("webhooks/", webhooks.GlobalWebhookListApi.as_view(), name="webhook-list"),
    path("webhooks/<uuid:id>/", webhooks.WebhookDetailApi.as_view(), name="webhook-detail"),
    path("webhooks/<uuid:id>/rotate-secret/", webhooks.WebhookRotateSecretApi.as_view(), name="webhook-rotate-secret"),
    path("webhooks/<uuid:id>/deliveries/", webhooks.WebhookDeliveryListApi.as_view(), name="webhook-deliveries"),
    path("deliveries/<uuid:id>/resend/", webhooks.DeliveryResendApi.as_view(), name="delivery-resend"),
    path("projects/<uuid:id>/classification/", register.ProjectClassificationApi.as_view(), name="project-classification"),
    path("projects/<uuid:id>/compliance/", register.ProjectComplianceApi.as_view(), name="project-compliance"),
    path("projects/<uuid:id>/report/", reports.ProjectReportApi.as_view(), name="project-report"),
]
