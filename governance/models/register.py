"""The risk register, ethics and compliance sign-offs, the EU AI Act classification, and life
after launch (scheduled audits and the incident log)."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from governance.classification import classify, clean_answers, obligation_tiers
from governance.limits import NOTES_MAX_LENGTH, REGISTER_TEXT_MAX_LENGTH
from governance.models.templates import RiskLevel, SignoffKind, Tier
from lifecycle.models import PhaseKey


class RiskCategory(models.Model):
    """The twelve NIST AI 600-1 risks, ready to choose, plus custom categories (global, or one
    project's own)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    ref = models.CharField(max_length=80, blank=True, help_text="Framework requirement code, e.g. nist-ai-600-1:confabulation")
    project = models.ForeignKey("lifecycle.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="risk_categories")
    order = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=models.Q(project__isnull=True), name="risk_category_global_key_unique"),
            models.UniqueConstraint(
                fields=["project", "key"], condition=models.Q(project__isnull=False), name="risk_category_project_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_custom(self) -> bool:
        return not self.ref


class Risk(models.Model):
    class Treatment(models.TextChoices):
        MITIGATE = "mitigate", "Mitigate"
        ACCEPT = "accept", "Accept"
        AVOID = "avoid", "Avoid"
        TRANSFER = "transfer", "Transfer"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MITIGATING = "mitigating", "Mitigating"
        ACCEPTED = "accepted", "Accepted"
        CLOSED = "closed", "Closed"

    change_type = "risk"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("lifecycle.Project", on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=REGISTER_TEXT_MAX_LENGTH)
    category = models.ForeignKey(RiskCategory, on_delete=models.PROTECT, related_name="risks")
    phase_found = models.CharField(max_length=20, choices=PhaseKey.choices)
    likelihood = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    impact = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    inherent_score = models.PositiveSmallIntegerField()
    inherent_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    residual_score = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_risks")
    treatment = models.CharField(max_length=10, choices=Treatment.choices, default=Treatment.MITIGATE)
    mitigation_plan = models.TextField(blank=True, max_length=REGISTER_TEXT_MAX_LENGTH)
    mitigation_due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    acceptance_expires_on = models.DateField(null=True, blank=True)
    acceptance_comment = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-inherent_score", "title"]
        indexes = [
            # The register, the heat maps and the no-open-risk gate criterion filter by status.
            models.Index(fields=["project", "status"], name="risk_project_status_idx"),
            # The dashboard's top risks across the portfolio: the first rows of this index.
            models.Index(
                models.F("inherent_score").desc(),
                models.F("updated_at").desc(),
                "id",
                name="risk_open_top_idx",
                condition=~models.Q(status="closed"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("governance:risk-detail", args=[self.pk])

    @property
    def level(self) -> str:
        """The level that counts: residual when assessed, else inherent."""
        return self.residual_level or self.inherent_level

    def counts_as_open(self, today: date | None = None) -> bool:
        return risk_counts_as_open(self.status, self.acceptance_expires_on, today or timezone.localdate())


def risk_counts_as_open(status: str, acceptance_expires_on: date | None, today: date) -> bool:
    """Open and mitigating risks count; an accepted risk counts again once its acceptance has
    expired (even before the scheduled task reopens it); closed risks never count."""
    if status in (Risk.Status.OPEN, Risk.Status.MITIGATING):
        return True
    if status == Risk.Status.ACCEPTED and acceptance_expires_on is not None:
        return acceptance_expires_on < today
    return False


class Signoff(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    change_type = "signoff"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("lifecycle.Project", on_delete=models.CASCADE, related_name="signoffs")
    phase = models.ForeignKey("lifecycle.Phase", on_delete=models.CASCADE, related_name="signoffs")
    kind = models.CharField(max_length=30, choices=SignoffKind.choices)
    function = models.ForeignKey("lifecycle.Function", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    refs = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # [{"type": "artifact", "id", "title", "version"} | {"type": "attachment", "id", "name", "sha256"} | {"type": "link", "url"}]
    evidence = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["phase__order", "kind"]
        indexes = [models.Index(fields=["project", "status"], name="signoff_project_status_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("governance:signoff-detail", args=[self.pk])


class Classification(models.Model):
    """A project's EU AI Act tier and role, from the questionnaire, with a written rationale."""

    class Role(models.TextChoices):
        PROVIDER = "provider", "Provider"
        DEPLOYER = "deployer", "Deployer"
        IMPORTER = "importer", "Importer"
        DISTRIBUTOR = "distributor", "Distributor"
        AUTHORISED_REPRESENTATIVE = "authorised_representative", "Authorised representative"

    class ModelRole(models.TextChoices):
        NONE = "none", "No general-purpose model of our own"
        GPAI = "gpai", "Provider of a general-purpose AI model"
        GPAI_SYSTEMIC = "gpai_systemic", "Provider of a GPAI model with systemic risk"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.OneToOneField("lifecycle.Project", on_delete=models.CASCADE, related_name="classification")
    answers = models.JSONField(default=dict)
    tier = models.CharField(max_length=20, choices=[c for c in Tier.choices if c[0] in ("prohibited", "high", "limited", "minimal")])
    role = models.CharField(max_length=30, choices=Role.choices)
    model_role = models.CharField(max_length=20, choices=ModelRole.choices, default=ModelRole.NONE)
    rationale = models.TextField()
    classified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    classified_at = models.DateTimeField(default=timezone.now)
    # A change that waits for its sign-off (governance.services.classification): the answers, the
    # tier and role they give, why it needs the sign-off, and who asked when. None when none waits.
    pending = models.JSONField(null=True, blank=True)
    pending_signoff = models.ForeignKey("governance.Signoff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tier"], name="classification_tier_idx")]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_tier_display()}"

    @property
    def obligation_tiers(self) -> list[str]:
        """The tiers whose obligations apply (governance.classification.obligation_tiers)."""
        return obligation_tiers(self.tier, self.model_role, self.answers.get("transparency") or [])

    @cached_property
    def facts(self) -> frozenset[str]:
        """What the answers establish for obligations' `when` (governance.classification.FACTS),
        worked out again from the stored answers, so answers stored before a question was asked
        read as that question's default."""
        answers, _ = clean_answers(self.answers)
        return classify(answers).facts


class PostLaunchSchedule(models.Model):
    """How often a live project's bias audits and monitoring reviews recur."""

    project = models.OneToOneField("lifecycle.Project", on_delete=models.CASCADE, related_name="post_launch_schedule")
    bias_audit_every_days = models.PositiveSmallIntegerField(default=90, validators=[MinValueValidator(7), MaxValueValidator(730)])
    monitoring_review_every_days = models.PositiveSmallIntegerField(default=30, validators=[MinValueValidator(7), MaxValueValidator(730)])
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.project} schedule"


class PostLaunchTask(models.Model):
    class Kind(models.TextChoices):
        BIAS_AUDIT = "bias_audit", "Bias audit"
        MONITORING_REVIEW = "monitoring_review", "Monitoring review"

    class Status(models.TextChoices):
        DUE = "due", "Due"
        DONE = "done", "Done"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("lifecycle.Project", on_delete=models.CASCADE, related_name="post_launch_tasks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    notes = models.TextField(blank=True, max_length=NOTES_MAX_LENGTH)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on"]
        constraints = [
            # The scheduler creates each occurrence once, however often it runs.
            models.UniqueConstraint(fields=["project", "kind", "due_on"], name="post_launch_task_unique"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="post_launch_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on}"

    def is_overdue(self, today: date | None = None) -> bool:
        return self.status == self.Status.DUE and self.due_on < (today or timezone.localdate())


# The EU and EEA states whose market surveillance authorities receive serious-incident reports.
MEMBER_STATES = [
    (code, code)
    for code in (
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "IS",
        "LI",
        "NO",
    )
]


class Incident(models.Model):
    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class Harm(models.TextChoices):
        """What makes an incident serious (EU AI Act Art. 3(49))."""

        HEALTH = "health", "(a) The death of a person, or serious harm to a person's health"
        CRITICAL_INFRASTRUCTURE = "critical_infrastructure", "(b) A serious and irreversible disruption of critical infrastructure"
        FUNDAMENTAL_RIGHTS = "fundamental_rights", "(c) An infringement of Union law obligations that protect fundamental rights"
        PROPERTY_OR_ENVIRONMENT = "property_or_environment", "(d) Serious harm to property or the environment"

    change_type = "incident"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("lifecycle.Project", on_delete=models.CASCADE, related_name="incidents")
    title = models.CharField(max_length=200)
    occurred_on = models.DateField()
    severity = models.CharField(max_length=10, choices=Severity.choices)
    description = models.TextField(max_length=REGISTER_TEXT_MAX_LENGTH)
    affected_users = models.PositiveIntegerField(default=0)
    actions = models.TextField(blank=True, max_length=REGISTER_TEXT_MAX_LENGTH)
    serious = models.BooleanField(default=False, help_text="A serious incident in the sense of EU AI Act Art. 73")
    # The clock of a serious incident (Art. 73): when the organisation became aware of it, what
    # made it serious, and the report's due date that follows (report_deadline_days).
    aware_on = models.DateField(null=True, blank=True)
    harm = models.CharField(max_length=30, choices=Harm.choices, blank=True)
    death = models.BooleanField(default=False)
    widespread = models.BooleanField(default=False, help_text="A widespread infringement (Art. 3(61))")
    report_due_on = models.DateField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)  # the initial report
    reported_to = models.CharField(max_length=200, blank=True)  # the authority
    member_state = models.CharField(max_length=2, choices=MEMBER_STATES, blank=True)
    follow_up_at = models.DateTimeField(null=True, blank=True)
    provider_informed_at = models.DateTimeField(null=True, blank=True)  # a deployer's duty, Art. 26(5)
    # The last reminder sent about the report ("due", "overdue"), so each is sent once.
    report_reminded = models.CharField(max_length=10, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-occurred_on", "-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("governance:incident-detail", args=[self.pk])

    def report_status(self, today: date | None = None) -> str:
        """ "" (not a serious incident, or reported), "due" (the report is due) or "overdue"."""
        if not self.serious or self.reported_at or self.report_due_on is None:
            return ""
        return "overdue" if self.report_due_on < (today or timezone.localdate()) else "due"


def report_deadline_days(*, harm: str, death: bool, widespread: bool) -> int:
    """Days from awareness to the report of a serious incident (EU AI Act Art. 73(2)-(4)): two for
    a widespread infringement or a serious disruption of critical infrastructure, ten in the event
    of a death, fifteen otherwise."""
    if widespread or harm == Incident.Harm.CRITICAL_INFRASTRUCTURE:
        return 2
    if death:
        return 10
    return 15
