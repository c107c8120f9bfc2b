"""Governance's part of a lifecycle template: risk matrix, sign-off kinds, gates and their
criteria and approval policy, and the checklist items each EU AI Act tier adds."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from governance.models.frameworks import RiskMatrix


class Tier(models.TextChoices):
    PROHIBITED = "prohibited", "Prohibited (Art. 5)"
    HIGH = "high", "High-risk"
    LIMITED = "limited", "Limited risk (transparency)"
    MINIMAL = "minimal", "Minimal risk"
    GPAI = "gpai", "General-purpose AI model"
    GPAI_SYSTEMIC = "gpai_systemic", "GPAI model with systemic risk"


class SignoffKind(models.TextChoices):
    BIAS_AUDIT = "bias_audit", "Bias audit"
    TRANSPARENCY = "transparency", "Transparency"
    DATA_PRIVACY = "data_privacy", "Data privacy (GDPR, CCPA)"
    LEGAL_REVIEW = "legal_review", "Regulatory and legal review"
    SECURITY_REVIEW = "security_review", "Security review"
    # Not in templates: the sign-off a classification change that lowers duties waits for.
    CLASSIFICATION_CHANGE = "classification_change", "EU AI Act classification change"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"

    @classmethod
    def rank(cls, level: str) -> int:
        order: list[str] = [cls.LOW, cls.MEDIUM, cls.HIGH, cls.CRITICAL]
        return order.index(level)


class CriterionKind(models.TextChoices):
    REQUIRED_ITEMS = "required_items", "Required checklist items done"
    OPTIONAL_ITEMS_SHARE = "optional_items_share", "Share of optional items done"
    ARTIFACT_APPROVED = "artifact_approved", "Artifact approved"
    SIGNOFF_APPROVED = "signoff_approved", "Sign-off approved"
    NO_OPEN_RISK = "no_open_risk", "No open risk at or above a level"
    METRIC_TARGET = "metric_target", "Evaluation metrics meet their targets"
    PHASE_NOT_OVERDUE = "phase_not_overdue", "Phase not overdue"
    CLASSIFIED = "classified", "EU AI Act classification recorded"


class TemplateGovernance(models.Model):
    template = models.OneToOneField("lifecycle.LifecycleTemplate", on_delete=models.CASCADE, related_name="governance")
    risk_matrix = models.ForeignKey(RiskMatrix, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.template} governance"


class SignoffKindTemplate(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    phase = models.ForeignKey("lifecycle.PhaseTemplate", on_delete=models.CASCADE, related_name="signoff_kinds")
    kind = models.CharField(max_length=30, choices=SignoffKind.choices)
    function = models.ForeignKey("lifecycle.Function", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    refs = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["phase", "order"]

    def __str__(self) -> str:
        return self.title


class GateTemplate(models.Model):
    class Quorum(models.TextChoices):
        ALL = "all", "All approvers"
        COUNT = "count", "N of M"
        PERCENT = "percent", "Percentage of M (rounded up)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    phase = models.OneToOneField("lifecycle.PhaseTemplate", on_delete=models.CASCADE, related_name="gate")
    threshold = models.PositiveSmallIntegerField(default=70, validators=[MaxValueValidator(100)])
    approver_role = models.CharField(max_length=20, blank=True, default="approver")
    approver_functions = models.JSONField(default=list, blank=True)
    quorum = models.CharField(max_length=10, choices=Quorum.choices, default=Quorum.ALL)
    quorum_value = models.PositiveSmallIntegerField(null=True, blank=True)
    due_days = models.PositiveSmallIntegerField(default=7, validators=[MinValueValidator(1), MaxValueValidator(90)])

    def __str__(self) -> str:
        return f"{self.phase} gate"


class CriterionTemplate(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    gate = models.ForeignKey(GateTemplate, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=80)
    kind = models.CharField(max_length=30, choices=CriterionKind.choices)
    must_meet = models.BooleanField(default=False)
    weight = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(10)])
    tiers = models.JSONField(default=list, blank=True, help_text="Empty: applies to every tier.")
    params = models.JSONField(default=dict, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["gate", "order"]
        constraints = [models.UniqueConstraint(fields=["gate", "key"], name="criterion_template_key_unique")]

    def __str__(self) -> str:
        return self.key


class ObligationTemplate(models.Model):
    """A checklist item the EU AI Act classification adds: for the tier `tier` (or every tier,
    "all"), the roles in `roles` (every role when empty), and when one of the facts in `when`
    holds (always when empty); see governance.classification.obligation_applies. `applies_from`
    names the EU AI Act dates (the framework's `dates`) from which it applies."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    template = models.ForeignKey("lifecycle.LifecycleTemplate", on_delete=models.CASCADE, related_name="obligations")
    tier = models.CharField(max_length=20, choices=[*Tier.choices, ("all", "Every tier")])
    roles = models.JSONField(default=list, blank=True)
    when = models.JSONField(default=list, blank=True)
    applies_from = models.JSONField(default=list, blank=True)
    phase_key = models.CharField(max_length=20)
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    required = models.BooleanField(default=True)
    weight = models.PositiveSmallIntegerField(default=1)
    refs = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["template", "tier", "order"]

    def __str__(self) -> str:
        return self.title
