"""Demo data for `make run`: people in every role and a living portfolio of projects.

Everything is created through the services, as users would create it, so the audit log, the
change feed and the readiness scores are real. Running it twice changes nothing: users are
matched by username and projects by name.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import timedelta
from io import TextIOBase

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from governance import services as governance_services
from lifecycle import services as lifecycle_services
from lifecycle.models import PhaseKey, Project, User
from lifecycle.permissions import PORTFOLIO_VIEWERS_GROUP
from phases import services as phases_services
from phases.artifacts.types import ARTIFACT_TYPES
from phases.models import ChecklistItem
from sample_data.artifacts import SAMPLES

DEMO_PASSWORD = "lifecycle-demo-2026"  # noqa: S105 - printed for everyone; demo only


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    description: str
    functions: tuple[str, ...] = ()
    portfolio: bool = False
    admin: bool = False


USERS = [
    DemoUser("pm", "Priya", "Patel", "project manager (owns the demo projects)"),
    DemoUser("contributor", "Carlos", "Diaz", "contributor (data scientist)"),
    DemoUser("approver1", "Ava", "Okafor", "approver (sponsor, compliance officer)", ("sponsor", "compliance_officer")),
    DemoUser("approver2", "Ben", "Larsen", "approver (ethics board, legal, security)", ("ethics_board", "legal", "security")),
    DemoUser("viewer", "Vera", "Novak", "viewer"),
    DemoUser("portfolio", "Paula", "Reyes", "portfolio viewer (sees every project)", portfolio=True),
    DemoUser("admin", "Adam", "Stone", "administrator", admin=True),
]


@dataclass
class DemoProject:
    name: str
    description: str
    problem: str
    users: str
    expectations: str
    phase: str
    tags: list[str]
    started_days_ago: int
    share_done: float = 0.5
    status: str = "active"
    classification: dict = field(default_factory=dict)
    open_review: bool = False


PROJECTS = [
    DemoProject(
        "Customer-service assistant",
        "A chat assistant that drafts answers for the support team from the knowledge base.",
        "Support agents spend most of their time finding answers that already exist in the knowledge base.",
        "Support agents in the EU and US; later, customers through the web chat.",
        "Accurate, cited answers in under three seconds; agents stay in control of what is sent.",
        PhaseKey.SCOPE,
        ["customer-service", "pilot"],
        10,
        0.6,
        classification={"transparency": ["art-50-1", "art-50-2"], "provider": True},
        open_review=True,
    ),
    DemoProject(
        "Contract clause summariser",
        "Summarises supplier contracts and flags unusual clauses for the legal team.",
        "Lawyers read hundreds of pages per supplier contract to find a few risky clauses.",
        "The in-house legal team.",
        "Every unusual clause is flagged; summaries never invent terms.",
        PhaseKey.SELECT,
        ["legal", "document-ai"],
        40,
        0.5,
    ),
    DemoProject(
        "Internal knowledge search",
        "Retrieval-augmented search over policies, wikis and tickets.",
        "Employees cannot find the current version of internal policies.",
        "All employees.",
        "The right document in the top three results, with the passage highlighted.",
        PhaseKey.ADAPT_ALIGN,
        ["rag", "internal"],
        70,
        0.4,
    ),
    DemoProject(
        "CV screening assistant",
        "Ranks applications against job requirements for recruiters (a high-risk use under Annex III, area 4).",
        "Recruiters cannot read every application for popular roles.",
        "Recruiters and hiring managers.",
        "A fair shortlist with reasons a recruiter can check; no candidate is rejected by the model alone.",
        PhaseKey.SELECT,
        ["hr", "high-risk"],
        50,
        0.3,
        classification={"annex_iii_areas": [4], "profiling": True, "provider": False},
    ),
    DemoProject(
        "Marketing copy generator",
        "Drafts product descriptions and campaign copy in the brand voice.",
        "Copywriters spend days on routine product descriptions.",
        "The marketing team.",
        "On-brand drafts that need light edits; synthetic text is labelled as such.",
        PhaseKey.EVALUATE,
        ["marketing", "limited-risk"],
        110,
        0.7,
        classification={"transparency": ["art-50-2"], "provider": True},
        open_review=True,
    ),
    DemoProject(
        "Code review helper",
        "Suggests review comments on pull requests.",
        "Reviews are the bottleneck of the delivery pipeline.",
        "Software engineers.",
        "Useful comments, few false alarms, no leaked secrets.",
        PhaseKey.INTEGRATE,
        ["engineering"],
        300,
        1.0,
        status="live",
        classification={"provider": True},
    ),
    DemoProject(
        "Clinical notes drafting",
        "Drafts visit notes from dictation for physicians.",
        "Physicians spend hours a day on documentation.",
        "Physicians at partner clinics.",
        "Faithful notes; nothing added that was not said.",
        PhaseKey.SELECT,
        ["health"],
        60,
        0.5,
        status="on_hold",
    ),
]


def _ensure_user(spec: DemoUser) -> User:
    user, created = User.objects.get_or_create(
        username=spec.username,
        defaults={
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "email": f"{spec.username}@demo.example",
            "is_staff": spec.admin,
            "is_superuser": spec.admin,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if spec.portfolio:
        user.groups.add(Group.objects.get(name=PORTFOLIO_VIEWERS_GROUP))
    return user


def _tick(project: Project, phase_key: str, share: float, actor: User, required_only: bool = False) -> None:
    items = list(ChecklistItem.objects.filter(project=project, phase__key=phase_key).order_by("-required", "order"))
    wanted = [i for i in items if i.required] if required_only else items[: round(len(items) * share)]
    for item in wanted:
        phases_services.checklist_item_set_done(item=item, actor=actor, done=True, note="Done in the demo.")


def _artifacts(project: Project, phase_key: str, people: dict[str, User], *, approve_all: bool) -> None:
    """Filled examples of the phase's artifact types: approved for phases already passed; in the
    current phase the first is approved, the second waits for review, the rest are drafts."""
    keys = [key for key, kind in ARTIFACT_TYPES.items() if kind.phase == phase_key]
    for index, key in enumerate(keys):
        title, data = SAMPLES[key]
        artifact = phases_services.artifact_create(
            project=project, actor=people["contributor"], type=key, title=title, data=copy.deepcopy(data)
        )
        if approve_all or index < 2:
            phases_services.artifact_submit(artifact=artifact, actor=people["contributor"])
        if approve_all or index == 0:
            phases_services.artifact_approve(artifact=artifact, actor=people["approver1"], comment="Looks complete.")


def _build_project(spec: DemoProject, people: dict[str, User]) -> Project:
    pm, admin = people["pm"], people["admin"]
    project = lifecycle_services.project_create(
        actor=pm,
        name=spec.name,
        description=spec.description,
        use_case_problem=spec.problem,
        use_case_users=spec.users,
        use_case_expectations=spec.expectations,
        tags=spec.tags,
        start_date=timezone.localdate() - timedelta(days=spec.started_days_ago),
    )
    members = [("contributor", "contributor"), ("approver1", "approver"), ("approver2", "approver"), ("viewer", "viewer")]
    for username, role in members:
        functions = next(u.functions for u in USERS if u.username == username)
        lifecycle_services.membership_add(project=project, actor=pm, user=people[username], role=role, functions=functions)
    if spec.classification:
        governance_services.classification_set(project=project, actor=pm, answers=spec.classification)
    target = PhaseKey.ordered().index(spec.phase)
    advances = target + (1 if spec.status == "live" else 0)
    today = timezone.localdate()
    ago = spec.started_days_ago
    days = [today - timedelta(days=ago - round(ago * (i + 1) / (advances + 1))) for i in range(advances)]
    for index, key in enumerate(PhaseKey.ordered()[:target]):
        _tick(project, key, 1.0, people["contributor"], required_only=False)
        _artifacts(project, key, people, approve_all=True)
        _signoffs(project, key, people)
        project = lifecycle_services.phase_advance(project=project, actor=admin, reason="Demo history", by_admin=True, on=days[index])
    _tick(project, spec.phase, spec.share_done, people["contributor"])
    _artifacts(project, spec.phase, people, approve_all=spec.status == "live")
    _risks(project, spec, people)
    if spec.status == "live":
        _signoffs(project, spec.phase, people)
        project = lifecycle_services.phase_advance(project=project, actor=admin, reason="Demo history", by_admin=True, on=days[-1])
        _after_launch(project, people)
    elif spec.status == "on_hold":
        project = lifecycle_services.project_hold(project=project, actor=admin, reason="Waiting for the data-processing agreement")
    elif spec.open_review:
        _open_review(project, people)
    return project


def _open_review(project: Project, people: dict[str, User]) -> None:
    """A review of the current gate, waiting in the approvers' inboxes (one has voted)."""
    from governance.models import Gate
    from governance.services import readiness

    gate = Gate.objects.get(project=project, phase__key=project.current_phase)
    readiness.gates_assess([gate.pk])
    review = governance_services.review_request(
        gate=gate, actor=people["pm"], justification="The remaining optional items do not block a decision; please review."
    )
    governance_services.vote_cast(review=review, actor=people["approver1"], decision="go", comment="Ready from the sponsor's side.")


SIGNERS = {
    "compliance_officer": "approver1",
    "sponsor": "approver1",
    "ethics_board": "approver2",
    "legal": "approver2",
    "security": "approver2",
}


def _signoffs(project: Project, phase_key: str, people: dict[str, User]) -> None:
    """Approve the phase's sign-offs, with its approved artifacts as evidence."""
    from governance.models import Signoff
    from phases.models import Artifact

    approved = Artifact.objects.filter(project=project, phase__key=phase_key, status="approved")
    evidence = [{"type": "artifact", "id": str(a.pk)} for a in approved] or [{"type": "link", "url": "https://wiki.example/reviews"}]
    for signoff in Signoff.objects.filter(project=project, phase__key=phase_key, status="pending"):
        governance_services.signoff_decide(
            signoff=signoff,
            actor=people[SIGNERS[signoff.function_id]],
            decision="approved",
            comment="Reviewed against the evidence; no open issues.",
            evidence=evidence,
        )


RISKS = [
    (
        "confabulation",
        "Drafts state wrong facts with confidence",
        4,
        4,
        "Retrieval with citations; people review every draft.",
        (2, 3),
    ),
    (
        "data-privacy",
        "Personal data reaches the model provider",
        3,
        5,
        "Pseudonymise inputs; EU data-processing agreement.",
        None,
    ),
    (
        "harmful-bias-homogenization",
        "Worse results for people writing in other languages",
        3,
        3,
        "Evaluate per language; fix gaps.",
        None,
    ),
    (
        "information-security",
        "Prompt injection through user-supplied text",
        2,
        4,
        "Strip instructions from inputs; output filters.",
        (1, 3),
    ),
]


def _risks(project: Project, spec: DemoProject, people: dict[str, User]) -> None:
    from governance.models import RiskCategory

    count = 2 if spec.status == "on_hold" else 4 if "high-risk" in spec.tags else 3
    for key, title, likelihood, impact, plan, residual in RISKS[:count]:
        risk = governance_services.risk_create(
            project=project,
            actor=people["contributor"],
            title=title,
            category=RiskCategory.objects.get(project=None, key=key),
            likelihood=likelihood,
            impact=impact,
            residual_likelihood=residual[0] if residual else None,
            residual_impact=residual[1] if residual else None,
            owner=people["contributor"],
            mitigation_plan=plan,
            mitigation_due=timezone.localdate() + timedelta(days=30),
            status="mitigating" if residual else "open",
        )
        if key == "information-security":
            governance_services.risk_accept(
                risk=risk,
                actor=people["approver1"],
                expires_on=timezone.localdate() + timedelta(days=90),
                comment="Residual risk is low with the filters in place; revisit in three months.",
            )


def _after_launch(project: Project, people: dict[str, User]) -> None:
    from governance.models import PostLaunchTask

    governance_services.post_launch_schedule_set(
        project=project, actor=people["pm"], bias_audit_every_days=30, monitoring_review_every_days=14
    )
    governance_services.post_launch_tasks_create_due()
    for task in PostLaunchTask.objects.filter(project=project).order_by("due_on")[:3]:
        governance_services.post_launch_task_complete(task=task, actor=people["contributor"], notes="No drift; down-vote rate 6%.")
    governance_services.incident_create(
        project=project,
        actor=people["contributor"],
        title="A suggested comment quoted a test API key",
        occurred_on=timezone.localdate() - timedelta(days=12),
        severity="high",
        description="A suggested review comment quoted a test API key from the diff.",
        affected_users=3,
        actions="Key rotated; secret scanning runs before the model sees diffs.",
        serious=False,
    )


def seed_users() -> dict[str, User]:
    return {spec.username: _ensure_user(spec) for spec in USERS}


def seed(out: TextIOBase) -> dict[str, User]:
    people = seed_users()
    created = 0
    for spec in PROJECTS:
        if Project.objects.filter(name=spec.name, created_by=people["pm"]).exists():
            continue
        with transaction.atomic():
            _build_project(spec, people)
        created += 1
    if created:
        # Score every gate now, so the first page a new user opens shows readiness (a command,
        # not a web request, so computing here is fine).
        from governance.models import Gate
        from governance.services import readiness

        readiness.gates_assess(list(Gate.objects.filter(stale=True).values_list("pk", flat=True)))
    out.write(f"Demo data: {created} project(s) created, {len(PROJECTS) - created} already present.\n")
    return people


def logins_text() -> str:
    width = max(len(u.username) for u in USERS)
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {u.username.ljust(width)}  {u.first_name} {u.last_name}, {u.description}" for u in USERS]
    return "\n".join(lines)
