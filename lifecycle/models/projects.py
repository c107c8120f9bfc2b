"""The Project aggregate: a project, its five phase instances and its members."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from lifecycle.limits import DESCRIPTION_MAX_LENGTH


class PhaseKey(models.TextChoices):
    SCOPE = "scope", "Scope"
    SELECT = "select", "Select"
    ADAPT_ALIGN = "adapt_align", "Adapt/Align"
    EVALUATE = "evaluate", "Evaluate"
    INTEGRATE = "integrate", "Integrate"

    @classmethod
    def ordered(cls) -> list[str]:
        return [cls.SCOPE, cls.SELECT, cls.ADAPT_ALIGN, cls.EVALUATE, cls.INTEGRATE]


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    CONTRIBUTOR = "contributor", "Contributor"
    APPROVER = "approver", "Approver"
    VIEWER = "viewer", "Viewer"


class Tag(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ON_HOLD = "on_hold", "On hold"
        KILLED = "killed", "Killed"
        LIVE = "live", "Live"

    change_type = "project"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    use_case_problem = models.TextField("problem", blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    use_case_users = models.TextField("end users", blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    use_case_expectations = models.TextField("their expectations", blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    template = models.ForeignKey("lifecycle.LifecycleTemplate", on_delete=models.PROTECT, related_name="projects")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    current_phase = models.CharField(max_length=20, choices=PhaseKey.choices, default=PhaseKey.SCOPE)
    start_date = models.DateField(default=date.today)
    tags = models.ManyToManyField(Tag, blank=True, related_name="projects")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-updated_at", "id"]
        indexes = [
            # The project list and the list API order by recency (and filter updated_since).
            models.Index(fields=["updated_at", "id"], name="project_updated_idx"),
            # The dashboard counts projects per phase and status.
            models.Index(fields=["current_phase", "status"], name="project_phase_status_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("lifecycle:project-detail", args=[self.pk])

    @property
    def is_read_only(self) -> bool:
        return self.status == self.Status.KILLED or self.deleted_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Phase(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        IN_REVIEW = "in_review", "In review"
        PASSED = "passed", "Passed"

    change_type = "phase"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phases")
    template = models.ForeignKey("lifecycle.PhaseTemplate", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=20, choices=PhaseKey.choices)
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["project", "order"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="phase_project_key_unique"),
            models.CheckConstraint(
                condition=models.Q(planned_end__isnull=True)
                | models.Q(planned_start__isnull=True)
                | models.Q(planned_end__gte=models.F("planned_start")),
                name="phase_planned_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("phases:phase-detail", args=[self.pk])

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status != self.Status.PASSED and self.planned_end is not None and today > self.planned_end

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.IN_PROGRESS, self.Status.IN_REVIEW)


class Membership(models.Model):
    change_type = "member"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    functions = models.ManyToManyField("lifecycle.Function", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "created_at"]
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="membership_project_user_unique")]
        indexes = [
            # project_list_for_user: "the projects this user belongs to".
            models.Index(fields=["user", "project"], name="membership_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"
