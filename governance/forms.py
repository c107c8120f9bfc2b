"""Forms of the governance UI: shape only; the services judge the rest. (The risk owner is
resolved by the selector the API uses too, so both refuse a non-member in the same words.)"""

from __future__ import annotations

from typing import Any

from django import forms

from governance.classification import (
    ANNEX_III_AREAS,
    ANNEX_III_POINTS,
    DEROGATIONS,
    PROHIBITED_PRACTICES,
    PROVIDER_BECAUSE,
    ROLES,
    TRANSPARENCY_DUTIES,
    point_area,
)
from governance.limits import (
    ACCEPTANCE_COMMENT_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    REGISTER_TEXT_MAX_LENGTH,
    SIGNOFF_LINKS_TEXT_MAX_LENGTH,
    SOA_JUSTIFICATION_MAX_LENGTH,
)
from governance.models import Incident, Risk, RiskLevel, WebhookEvent
from governance.models.register import MEMBER_STATES
from governance.selectors.risks import RISK_ORDERINGS, risk_owner_resolve
from lifecycle.exceptions import ApplicationError
from lifecycle.forms import AccessibleForm, QueryForm, choice_field
from lifecycle.models import PhaseKey, Project

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"})
# A status filter of its own: every risk that is not closed (what the heat maps count).
NOT_CLOSED = "not_closed"


class RiskFilterForm(QueryForm):
    """The risk registers' filters (a project's and the portfolio's), from the query string."""

    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Risk.Status.choices, (NOT_CLOSED, "Not closed")])
    level = forms.ChoiceField(required=False, choices=[("", "Any level"), *RiskLevel.choices])
    category = forms.CharField(required=False, max_length=80)
    likelihood = forms.IntegerField(required=False, min_value=1, max_value=10)
    impact = forms.IntegerField(required=False, min_value=1, max_value=10)
    owner = forms.CharField(required=False, max_length=150)
    q = forms.CharField(required=False, max_length=200)
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in RISK_ORDERINGS])


class GateQuery(QueryForm):
    """?job= (the recompute the page follows). The readiness panel alone is what htmx gets
    (render_partial_or_page), so the ?part=readiness of earlier links is left out like any
    parameter the page does not read."""

    job = forms.UUIDField(required=False)


class RiskForm(AccessibleForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=REGISTER_TEXT_MAX_LENGTH)
    category = forms.ChoiceField()
    phase_found = forms.ChoiceField(choices=PhaseKey.choices, label="Phase where found")
    likelihood = forms.TypedChoiceField(coerce=int)
    impact = forms.TypedChoiceField(coerce=int)
    residual_likelihood = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Residual likelihood")
    residual_impact = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Residual impact")
    # A member's id, offered from the member list; resolved (and refused) by risk_owner_resolve.
    owner = forms.CharField(required=False, label="Risk owner", widget=forms.Select)
    treatment = forms.ChoiceField(choices=Risk.Treatment.choices)
    mitigation_plan = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=REGISTER_TEXT_MAX_LENGTH)
    mitigation_due = forms.DateField(required=False, widget=DATE)
    status = forms.ChoiceField(choices=[c for c in Risk.Status.choices if c[0] != "accepted"])

    def __init__(self, *args: Any, project: Project, categories: list, members: list, matrix: Any, accepted: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.project = project
        choice_field(self, "category").choices = [(c.key, c.name) for c in categories]
        self.fields["owner"].widget.choices = [("", "—"), *[(str(u.pk), u.display_name) for u in members]]
        scale = [(i, f"{i} — {label}") for i, label in enumerate(matrix.likelihood_labels, start=1)]
        impacts = [(i, f"{i} — {label}") for i, label in enumerate(matrix.impact_labels, start=1)]
        choice_field(self, "likelihood").choices = scale
        choice_field(self, "impact").choices = impacts
        choice_field(self, "residual_likelihood").choices = [("", "Not assessed"), *scale]
        choice_field(self, "residual_impact").choices = [("", "Not assessed"), *impacts]
        if accepted:
            choice_field(self, "status").choices = Risk.Status.choices

    def clean_owner(self) -> Any:
        """The member picked, or None (no owner)."""
        try:
            return risk_owner_resolve(project=self.project, id=self.cleaned_data["owner"] or None)
        except ApplicationError as e:
            raise forms.ValidationError(e.fields["owner"]) from None


class RiskAcceptForm(AccessibleForm):
    expires_on = forms.DateField(required=False, widget=DATE, label="Acceptance expires on")
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=ACCEPTANCE_COMMENT_MAX_LENGTH,
        label="Why is it acceptable?",
    )


class SignoffDecisionForm(AccessibleForm):
    decision = forms.ChoiceField(choices=[("approved", "Approve"), ("rejected", "Reject")], widget=forms.RadioSelect)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=COMMENT_MAX_LENGTH)
    artifacts = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="Artifacts as evidence")
    attachments = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="Files as evidence")
    links = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=SIGNOFF_LINKS_TEXT_MAX_LENGTH,
        help_text="One web address per line.",
    )

    def __init__(self, *args: Any, artifacts: list, attachments: list, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choice_field(self, "artifacts").choices = [
            (str(a.pk), f"{a.title} (v{a.latest_version.number}, {a.get_status_display().lower()})") for a in artifacts
        ]
        choice_field(self, "attachments").choices = [(str(a.pk), f"{a.name} ({a.artifact.title})") for a in attachments]

    def evidence(self) -> list[dict]:
        data = self.cleaned_data
        items = [{"type": "artifact", "id": pk} for pk in data["artifacts"]]
        items += [{"type": "attachment", "id": pk} for pk in data["attachments"]]
        items += [{"type": "link", "url": line.strip()} for line in data["links"].splitlines() if line.strip()]
        return items


class ClassificationForm(forms.Form):
    prohibited = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=PROHIBITED_PRACTICES,
        label="Does the system do any of these? (Art. 5)",
    )
    annex_i_safety_component = forms.BooleanField(
        required=False,
        label=(
            "It is a safety component of a product (or itself a product) under the EU laws in Annex I "
            "that needs third-party conformity assessment (Art. 6(1))"
        ),
    )
    annex_iii_points = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (f"{n}. {name}", [(code, label) for code, label in ANNEX_III_POINTS if point_area(code) == n]) for n, name in ANNEX_III_AREAS
        ],
        label="Is it used for any of these? (Annex III)",
    )
    annex_iii_areas = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(str(n), f"{n}. {name}") for n, name in ANNEX_III_AREAS],
        label="Or, where no point above fits exactly, in any of these areas as a whole? (Annex III)",
    )
    derogations = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=DEROGATIONS,
        label="If so, does any of these describe it, so that it poses no significant risk of harm? (Art. 6(3))",
    )
    profiling = forms.BooleanField(required=False, label="It profiles natural persons")
    transparency = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, choices=TRANSPARENCY_DUTIES, label="Transparency (Art. 50)"
    )
    role = forms.ChoiceField(choices=ROLES, widget=forms.RadioSelect, initial="deployer", required=False, label="Our role for this system")
    provider_because = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=PROVIDER_BECAUSE,
        label="If we are not its provider: does any of these apply? It would make us the provider (Art. 25(1))",
    )
    public_body = forms.BooleanField(
        required=False, label="We are a body governed by public law, or a private entity providing public services (Art. 27)"
    )
    workplace = forms.BooleanField(required=False, label="We use it at the workplace, as an employer (Art. 26(7))")
    gpai_provider = forms.BooleanField(required=False, label="We provide a general-purpose AI model of our own (Art. 53)")
    systemic_compute = forms.BooleanField(
        required=False, label="Its training used more than 10^25 floating-point operations (systemic risk, Art. 51(2))"
    )


class ScheduleForm(AccessibleForm):
    bias_audit_every_days = forms.IntegerField(min_value=7, max_value=730, label="Bias audit every (days)")
    monitoring_review_every_days = forms.IntegerField(min_value=7, max_value=730, label="Monitoring review every (days)")


class TaskCompleteForm(AccessibleForm):
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTES_MAX_LENGTH,
        label="Findings",
    )


class IncidentForm(AccessibleForm):
    title = forms.CharField(max_length=200)
    occurred_on = forms.DateField(widget=DATE)
    severity = forms.ChoiceField(choices=Incident.Severity.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=REGISTER_TEXT_MAX_LENGTH)
    affected_users = forms.IntegerField(min_value=0, initial=0)
    actions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=REGISTER_TEXT_MAX_LENGTH, label="Actions taken"
    )
    serious = forms.BooleanField(required=False, label="Serious incident (EU AI Act Art. 73)")
    aware_on = forms.DateField(
        required=False,
        widget=DATE,
        label="We became aware of it on",
        help_text="The report's deadline runs from this day (today when empty).",
    )
    harm = forms.ChoiceField(required=False, choices=[("", "—"), *Incident.Harm.choices], label="What makes it serious (Art. 3(49))")
    death = forms.BooleanField(required=False, label="A person died (report within 10 days, Art. 73(4))")
    widespread = forms.BooleanField(required=False, label="A widespread infringement (report within 2 days, Art. 73(3))")
    reported_at = forms.DateTimeField(required=False, widget=DATETIME, label="Initial report sent at")
    reported_to = forms.CharField(max_length=200, required=False, label="Authority reported to")
    member_state = forms.ChoiceField(required=False, choices=[("", "—"), *MEMBER_STATES], label="Member State")
    follow_up_at = forms.DateTimeField(required=False, widget=DATETIME, label="Follow-up report sent at")
    provider_informed_at = forms.DateTimeField(required=False, widget=DATETIME, label="Provider informed at (deployers, Art. 26(5))")


class CategoryForm(AccessibleForm):
    name = forms.CharField(max_length=120, label="New category")


class WebhookForm(AccessibleForm):
    url = forms.CharField(
        max_length=500,
        label="Payload URL",
        help_text="An https:// address of your receiver.",
        widget=forms.URLInput(attrs={"inputmode": "url"}),
    )
    events = forms.MultipleChoiceField(
        choices=[(e.value, f"{e.value} — {e.label}") for e in WebhookEvent],
        widget=forms.CheckboxSelectMultiple,
        help_text="What the receiver hears about.",
    )
    description = forms.CharField(max_length=200, required=False, help_text="What receives it, for the team.")


class ControlDecisionForm(AccessibleForm):
    """One row of the Statement of Applicability (control_decision_set checks the rest)."""

    code = forms.CharField(max_length=20)
    applicable = forms.TypedChoiceField(choices=[("yes", "Applies"), ("no", "Does not apply")], coerce=lambda v: v == "yes")
    justification = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=SOA_JUSTIFICATION_MAX_LENGTH)
