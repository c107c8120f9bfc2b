from django.urls import path

from governance.views import gates, register, reports, reviews, risks, webhooks

app_name = "governance"

urlpatterns = [
    path("risks/", risks.portfolio_risks, name="portfolio-risks"),
    path("gates/<uuid:id>/", gates.gate_detail, name="gate-detail"),
    path("gates/<uuid:id>/recompute/", gates.gate_recompute, name="gate-recompute"),
    path("gates/<uuid:id>/review/", reviews.review_request, name="review-request"),
    path("reviews/", reviews.review_list, name="review-list"),
    path("reviews/<uuid:id>/", reviews.review_detail, name="review-detail"),
    path("reviews/<uuid:id>/withdraw/", reviews.review_withdraw, name="review-withdraw"),
    path("projects/<uuid:id>/risks/", risks.risk_list, name="risk-list"),
    path("projects/<uuid:id>/risks/new/", risks.risk_create, name="risk-create"),
    path("projects/<uuid:id>/risk-categories/", risks.risk_category_create, name="risk-category-create"),
    path("risks/<uuid:id>/", risks.risk_detail, name="risk-detail"),
    path("risks/<uuid:id>/edit/", risks.risk_edit, name="risk-edit"),
    path("risks/<uuid:id>/accept/", risks.risk_accept, name="risk-accept"),
    path("projects/<uuid:id>/signoffs/", register.signoff_list, name="signoff-list"),
    path("signoffs/<uuid:id>/", register.signoff_detail, name="signoff-detail"),
    path("projects/<uuid:id>/compliance/", register.compliance, name="compliance"),
    path("projects/<uuid:id>/statement-of-applicability/", register.statement_of_applicability, name="soa"),
    path("projects/<uuid:id>/classification/", register.classification, name="classification"),
    path("projects/<uuid:id>/post-launch/", register.post_launch, name="post-launch"),
    path("projects/<uuid:id>/report/", reports.report, name="report"),
    path("reports/<uuid:id>/json/", reports.report_json, name="report-json"),
    path("post-launch-tasks/<uuid:id>/complete/", register.post_launch_task_complete, name="post-launch-task-complete"),
    path("projects/<uuid:id>/incidents/new/", register.incident_create, name="incident-create"),
    path("incidents/<uuid:id>/", register.incident_detail, name="incident-detail"),
    path("incidents/<uuid:id>/edit/", register.incident_edit, name="incident-edit"),
    path("projects/<uuid:id>/webhooks/", webhooks.webhook_list, name="webhook-list"),
    path("webhooks/", webhooks.webhook_global_list, name="webhook-global-list"),
    path("webhooks/<uuid:id>/", webhooks.webhook_detail, name="webhook-detail"),
    path("webhooks/<uuid:id>/toggle/", webhooks.webhook_toggle, name="webhook-toggle"),
    path("webhooks/<uuid:id>/rotate-secret/", webhooks.webhook_rotate, name="webhook-rotate"),
    path("webhooks/<uuid:id>/delete/", webhooks.webhook_delete, name="webhook-delete"),
    path("deliveries/<uuid:id>/resend/", webhooks.delivery_resend, name="delivery-resend"),
]
