"""Realistic projects in bulk, for benchmarks and load tests (`manage.py generate_demo_data`).

Rows are written with bulk inserts in batches, not through the services: 10,000 projects are
about a million rows. The audit log and change feed get their rows through the change record's
bulk entry point (in order, hash-chained). Gates are left stale and unscored: scoring them is
what the scoring benchmark measures.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from io import TextIOBase
from typing import Any, cast

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from governance.models import (
    Classification,
    Decision,
    Gate,
    GateTemplate,
    Review,
    Risk,
    RiskCategory,
    Signoff,
    SignoffKindTemplate,
    TemplateGovernance,
    Vote,
)
from lifecycle.models import ChecklistItemTemplate, LifecycleTemplate, Membership, Phase, PhaseKey, Project, Role, User
from lifecycle.services.records import Pending, change_record_bulk
from phases.artifacts.types import ARTIFACT_TYPES
from phases.models import Artifact, ArtifactStatus, ArtifactVersion, ChecklistItem
from sample_data.artifacts import SAMPLES

BATCH = 5000  # rows per INSERT
PROJECTS_PER_CHUNK = 500  # projects per transaction: bounded memory, visible progress
PHASE_WEIGHTS = [30, 25, 20, 15, 10]  # more projects in early phases, as in a real portfolio
NAMES = ["Assistant", "Summariser", "Search", "Copilot", "Classifier", "Drafting", "Translator", "Advisor", "Triage", "Extractor"]
DOMAINS = ["support", "legal", "hr", "finance", "marketing", "engineering", "health", "procurement", "sales", "operations"]


@dataclass
class Stats:
    projects: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.rows[name] = self.rows.get(name, 0) + count

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Generator:
    def __init__(self, *, seed: int = 1, out: TextIOBase | None = None):
        self.random = random.Random(seed)
        self.out = out
        self.template = LifecycleTemplate.objects.get(is_default=True)
        self.phase_templates = list(self.template.phases.order_by("order"))
        self.items = {pt.pk: list(ChecklistItemTemplate.objects.filter(phase=pt).order_by("order")) for pt in self.phase_templates}
        self.gate_templates = {g.phase_id: g for g in GateTemplate.objects.filter(phase__template=self.template)}
        self.signoff_templates = list(SignoffKindTemplate.objects.filter(phase__template=self.template).select_related("phase"))
        self.categories = list(RiskCategory.objects.filter(project=None))
        matrix = TemplateGovernance.objects.get(template=self.template).risk_matrix
        self.matrix = matrix
        self.stats = Stats()

    def users(self, count: int) -> list[User]:
        password = make_password("generated-user-password")
        existing = {u.username: u for u in User.objects.filter(username__startswith="gen-user-")}
        wanted = [f"gen-user-{i:05d}" for i in range(count)]
        missing = [
            User(username=n, email=f"{n}@generated.example", password=password, first_name=n[-5:]) for n in wanted if n not in existing
        ]
        User.objects.bulk_create(missing, batch_size=BATCH)
        self.stats.add("users", len(missing))
        return list(User.objects.filter(username__in=wanted).order_by("username"))

    def run(self, projects: int) -> Stats:
        started = time.monotonic()
        people = self.users(max(20, projects // 10))
        for offset in range(0, projects, PROJECTS_PER_CHUNK):
            with transaction.atomic():
                self._chunk(min(PROJECTS_PER_CHUNK, projects - offset), offset, people)
            if self.out:
                done = offset + min(PROJECTS_PER_CHUNK, projects - offset)
                self.out.write(f"  {done}/{projects} projects, {self.stats.total:,} rows, {time.monotonic() - started:.0f}s\n")
                self.out.flush()
        self._analyze()
        return self.stats

    @staticmethod
    def _analyze() -> None:
        """Fresh planner statistics: after a bulk load the planner still believes the tables are
        empty until autovacuum gets to them (or never, where it is off), and picks plans that
        are a hundred times slower."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _chunk(self, count: int, offset: int, people: list[User]) -> None:
        today = timezone.localdate()
        projects, plans = [], []
        for i in range(count):
            index = self.random.choices(range(5), weights=PHASE_WEIGHTS)[0]
            live = index == 4 and self.random.random() < 0.4
            started = today - timedelta(days=self.random.randint(20, 120) + 40 * index)
            project = Project(
                name=f"{self.random.choice(DOMAINS).title()} {self.random.choice(NAMES)} {offset + i + 1:05d}",
                description="Generated for benchmarks.",
                use_case_problem="Generated use case.",
                template=self.template,
                status=Project.Status.LIVE if live else self.random.choices(["active", "on_hold"], weights=[92, 8])[0],
                current_phase=PhaseKey.ordered()[index],
                start_date=started,
                created_by=self.random.choice(people),
            )
            projects.append(project)
            plans.append((index, live))
        Project.objects.bulk_create(projects, batch_size=BATCH)
        self.stats.projects += count
        self.stats.add("projects", count)
        phases = self._phases(projects, plans, today)
        approvers = self._members(projects, people)
        self._checklists(projects, phases, plans)
        artifacts = self._artifacts(projects, phases, plans, people)
        risks = self._risks(projects, people)
        self._signoffs(projects, phases, plans, people)
        gates = self._gates(projects, phases)
        self._reviews(projects, plans, gates, approvers)
        self._classifications(projects, people)
        self._records(projects, artifacts, risks, people)

    def _phases(self, projects: list[Project], plans: list, today: date) -> dict[Any, list[Phase]]:
        rows, by_project = [], {}
        for project, (index, live) in zip(projects, plans, strict=True):
            cursor, own = project.start_date, []
            for order, pt in enumerate(self.phase_templates):
                end = cursor + timedelta(days=pt.duration_days - 1)
                passed = order < index or live
                status = Phase.Status.PASSED if passed else Phase.Status.IN_PROGRESS if order == index else Phase.Status.NOT_STARTED
                phase = Phase(
                    project=project,
                    template=pt,
                    key=pt.key,
                    order=order,
                    name=pt.name,
                    status=status,
                    planned_start=cursor,
                    planned_end=end,
                    actual_start=cursor if order <= index else None,
                    actual_end=min(end, today) if passed else None,
                )
                own.append(phase)
                cursor = end + timedelta(days=1)
            rows += own
            by_project[project.pk] = own
        Phase.objects.bulk_create(rows, batch_size=BATCH)
        self.stats.add("phases", len(rows))
        return by_project

    def _members(self, projects: list[Project], people: list[User]) -> dict[Any, list[User]]:
        rows, functions = [], []
        approvers: dict[Any, list[User]] = {project.pk: [] for project in projects}
        through = Membership.functions.through
        for project in projects:
            chosen = self.random.sample(people, 5)
            chosen[0] = cast(User, project.created_by)  # _chunk() gives every project a creator
            roles = [Role.OWNER, Role.CONTRIBUTOR, Role.APPROVER, Role.APPROVER, Role.VIEWER]
            seen = set()
            for user, role in zip(chosen, roles, strict=True):
                if user.pk in seen:
                    continue
                seen.add(user.pk)
                membership = Membership(id=uuid.uuid4(), project=project, user=user, role=role)
                rows.append(membership)
                if role == Role.APPROVER:
                    approvers[project.pk].append(user)
                    functions += [
                        through(membership_id=membership.pk, function_id=f)
                        for f in ("compliance_officer", "ethics_board", "legal", "security")[: self.random.randint(1, 4)]
                    ]
        Membership.objects.bulk_create(rows, batch_size=BATCH)
        through.objects.bulk_create(functions, batch_size=BATCH)
        self.stats.add("memberships", len(rows) + len(functions))
        return approvers

    def _checklists(self, projects: list[Project], phases: dict, plans: list) -> None:
        rows = []
        for project, (index, live) in zip(projects, plans, strict=True):
            for phase in phases[project.pk]:
                share = 1.0 if phase.order < index or live else self.random.random() if phase.order == index else 0.0
                for t in self.items[phase.template_id]:
                    done = self.random.random() < share
                    rows.append(
                        ChecklistItem(
                            project=project,
                            phase=phase,
                            key=t.key,
                            title=t.title,
                            guidance=t.guidance,
                            required=t.required,
                            weight=t.weight,
                            refs=t.refs,
                            order=t.order,
                            done=done,
                            done_by=project.created_by if done else None,
                            done_at=timezone.now() if done else None,
                        )
                    )
        for batch in _chunks(rows, BATCH):
            ChecklistItem.objects.bulk_create(batch)
        self.stats.add("checklist_items", len(rows))

    def _artifacts(self, projects: list[Project], phases: dict, plans: list, people: list[User]) -> list[Artifact]:
        artifacts, versions = [], []
        for project, (index, live) in zip(projects, plans, strict=True):
            for phase in phases[project.pk][: index + 1]:
                keys = [k for k, kind in ARTIFACT_TYPES.items() if kind.phase == phase.key]
                for key in self.random.sample(keys, min(len(keys), 2)):
                    title, data = SAMPLES[key]
                    approved = phase.order < index or live or self.random.random() < 0.3
                    artifact = Artifact(
                        id=uuid.uuid4(),
                        project=project,
                        phase=phase,
                        type=key,
                        title=title,
                        owner=project.created_by,
                        status=ArtifactStatus.APPROVED if approved else ArtifactStatus.DRAFT,
                    )
                    version = ArtifactVersion(
                        id=uuid.uuid4(),
                        artifact=artifact,
                        number=1,
                        title=title,
                        data=data,
                        computed=ARTIFACT_TYPES[key].computed(ARTIFACT_TYPES[key].clean(data)[0]),
                        status=artifact.status,
                        created_by=project.created_by,
                    )
                    artifact.latest_version_id = version.pk
                    artifact.approved_version_id = version.pk if approved else None
                    artifacts.append(artifact)
                    versions.append(version)
        latest = {a.pk: (a.latest_version_id, a.approved_version_id) for a in artifacts}
        for a in artifacts:
            a.latest_version_id = a.approved_version_id = None
        Artifact.objects.bulk_create(artifacts, batch_size=BATCH)
        ArtifactVersion.objects.bulk_create(versions, batch_size=BATCH)
        for a in artifacts:
            a.latest_version_id, a.approved_version_id = latest[a.pk]
        Artifact.objects.bulk_update(artifacts, ["latest_version", "approved_version"], batch_size=BATCH)
        self.stats.add("artifacts", len(artifacts) + len(versions))
        return artifacts

    def _risks(self, projects: list[Project], people: list[User]) -> list[Risk]:
        rows = []
        size = self.matrix.size
        for project in projects:
            for _ in range(self.random.randint(1, 5)):
                likelihood, impact = self.random.randint(1, size), self.random.randint(1, size)
                score = likelihood * impact
                rows.append(
                    Risk(
                        project=project,
                        title=f"Generated risk {self.random.randint(1, 9999)}",
                        category=self.random.choice(self.categories),
                        phase_found=project.current_phase,
                        likelihood=likelihood,
                        impact=impact,
                        inherent_score=score,
                        inherent_level=self.matrix.level_of(score),
                        owner=project.created_by,
                        status=self.random.choices(["open", "mitigating", "closed"], weights=[5, 3, 2])[0],
                    )
                )
        Risk.objects.bulk_create(rows, batch_size=BATCH)
        self.stats.add("risks", len(rows))
        return rows

    def _signoffs(self, projects: list[Project], phases: dict, plans: list, people: list[User]) -> None:
        rows = []
        for project, (index, live) in zip(projects, plans, strict=True):
            by_template = {p.template_id: p for p in phases[project.pk]}
            for t in self.signoff_templates:
                phase = by_template[t.phase_id]
                approved = phase.order < index or live
                rows.append(
                    Signoff(
                        project=project,
                        phase=phase,
                        kind=t.kind,
                        function_id=t.function_id,
                        title=t.title,
                        guidance=t.guidance,
                        refs=t.refs,
                        status=Signoff.Status.APPROVED if approved else Signoff.Status.PENDING,
                        comment="Generated." if approved else "",
                        decided_at=timezone.now() if approved else None,
                    )
                )
        Signoff.objects.bulk_create(rows, batch_size=BATCH)
        self.stats.add("signoffs", len(rows))

    def _gates(self, projects: list[Project], phases: dict) -> dict[Any, list[Gate]]:
        rows = [
            Gate(project=project, phase=phase, template=self.gate_templates[phase.template_id])
            for project in projects
            for phase in phases[project.pk]
            if phase.template_id in self.gate_templates
        ]
        Gate.objects.bulk_create(rows, batch_size=BATCH)
        self.stats.add("gates", len(rows))
        by_project: dict[Any, list[Gate]] = {}
        for gate in rows:
            by_project.setdefault(gate.project_id, []).append(gate)
        return by_project

    def _reviews(self, projects: list[Project], plans: list, gates: dict, approvers: dict) -> None:
        """A decided review (every approver voted Go) for each gate the project has passed, and
        an open one, with one vote so far, on about a third of the active projects' current gates."""
        now = timezone.now()
        reviews, votes, named = [], [], []
        through = Review.approvers.through
        for project, (index, live) in zip(projects, plans, strict=True):
            voters = approvers[project.pk]
            if not voters:
                continue
            for order, gate in enumerate(gates.get(project.pk, [])):
                decided = order < index or (live and order == index)
                waiting = order == index and not live and project.status == Project.Status.ACTIVE and self.random.random() < 0.3
                if not (decided or waiting):
                    continue
                at = now - timedelta(days=30 * (index - order) + 3)
                review = Review(
                    id=uuid.uuid4(),
                    gate=gate,
                    project=project,
                    status=Review.Status.RESOLVED if decided else Review.Status.OPEN,
                    outcome=Decision.GO if decided else "",
                    requested_by=project.created_by,
                    requested_at=at,
                    needed=len(voters),
                    due_at=at + timedelta(days=7),
                    resolved_at=at + timedelta(days=2) if decided else None,
                    updated_at=at,
                )
                reviews.append(review)
                named += [through(review_id=review.pk, user_id=user.pk) for user in voters]
                votes += [
                    Vote(review=review, voter=user, decision=Decision.GO, comment="Meets the criteria.", cast_at=at + timedelta(days=1))
                    for user in (voters if decided else voters[:1])
                ]
        Review.objects.bulk_create(reviews, batch_size=BATCH)
        through.objects.bulk_create(named, batch_size=BATCH)
        Vote.objects.bulk_create(votes, batch_size=BATCH)
        self.stats.add("reviews", len(reviews) + len(named))
        self.stats.add("votes", len(votes))

    def _classifications(self, projects: list[Project], people: list[User]) -> None:
        rows = []
        for project in projects:
            if self.random.random() < 0.7:
                tier = self.random.choices(["minimal", "limited", "high"], weights=[5, 4, 2])[0]
                rows.append(
                    Classification(
                        project=project, tier=tier, role="deployer", answers={}, rationale="Generated.", classified_by=project.created_by
                    )
                )
        Classification.objects.bulk_create(rows, batch_size=BATCH)
        self.stats.add("classifications", len(rows))

    def _records(self, projects: list[Project], artifacts: list[Artifact], risks: list[Risk], people: list[User]) -> None:
        def entry(action: str, kind: str, obj: Any, project_id: Any, label: str) -> Pending:
            return Pending(
                action=action,
                type=kind,
                object_id=obj.pk,
                object_label=label[:200],
                project_id=project_id,
                before=None,
                after={"generated": True},
                op="upsert",
                actor_id=None,
                actor_name="generator",
                request_id="",
            )

        entries = [entry("project.generated", "project", p, p.pk, p.name) for p in projects]
        entries += [entry("artifact.generated", "artifact", a, a.project_id, a.title) for a in artifacts]
        entries += [entry("risk.generated", "risk", r, r.project_id, r.title) for r in risks]
        written = change_record_bulk(entries)
        self.stats.add("audit_events", written)
        self.stats.add("change_records", written)
