"""Reads of the risk register: lists, filters, heat maps, CSV rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict
from uuid import UUID

from django.db.models import Count, IntegerField, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from governance.models import Risk, RiskCategory, RiskMatrix
from lifecycle import selectors as lifecycle_selectors
from lifecycle.exceptions import ApplicationError
from lifecycle.models import Project, User
from lifecycle.permissions import Action

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class Position(TypedDict):
        at_likelihood: int
        at_impact: int

    # A risk annotated by _with_position() with where it sits now.
    PositionedRisk = WithAnnotations[Risk, Position]

RISK_ORDERINGS = {
    "-score": ("-inherent_score", "title", "id"),
    "score": ("inherent_score", "title", "id"),
    "title": ("title", "id"),
    "-updated": ("-updated_at", "id"),
    "due": ("mitigation_due", "title", "id"),
}


@dataclass
class RiskFilters:
    status: str = ""
    level: str = ""
    category: str = ""
    likelihood: int | None = None
    impact: int | None = None
    owner: str = ""
    search: str = ""
    ordering: str = "-score"
    open_only: bool = False


def risk_get_for_user(*, user: User, id: UUID | str, action: Action = Action.VIEW) -> Risk:
    risk = Risk.objects.select_related("project", "project__template", "category", "owner", "accepted_by").filter(pk=id).first()
    if risk is None:
        raise Http404("No such risk.")
    lifecycle_selectors.project_access_check(user=user, project=risk.project, action=action)
    return risk


NOT_A_MEMBER = "The risk owner must be a project member."


def risk_owner_resolve(*, project: Project, id: UUID | str | None = None, username: str | None = None) -> User | None:
    """The risk owner a person picked: by id in the page's member list, by username (or e-mail)
    in the API. None when neither names anyone (no owner). Both doors refuse the same way: an
    ApplicationError on the field "owner", "No such user." when no active user has that name,
    NOT_A_MEMBER for anyone who is not an active member of `project` (an unknown id included,
    since the page only offers members). One query by id, two by username."""
    if username is not None and username.strip():
        user = lifecycle_selectors.user_find(identifier=username)
        if user is None:
            raise ApplicationError("No such user.", fields={"owner": ["No active user has this username or e-mail."]})
        id = user.pk
    if id is None or id == "":
        return None
    try:
        id = UUID(str(id))
    except ValueError:
        raise ApplicationError(NOT_A_MEMBER, fields={"owner": [NOT_A_MEMBER]}) from None
    owner = User.objects.filter(pk=id, is_active=True, memberships__project=project).first()
    if owner is None:
        raise ApplicationError(NOT_A_MEMBER, fields={"owner": [NOT_A_MEMBER]})
    return owner


def _with_position(qs: QuerySet[Risk]) -> QuerySet[PositionedRisk]:
    """Where the risk sits now: its residual assessment when there is one."""
    return qs.annotate(
        at_likelihood=Coalesce("residual_likelihood", "likelihood", output_field=IntegerField()),
        at_impact=Coalesce("residual_impact", "impact", output_field=IntegerField()),
    )


def _filtered(risks: QuerySet[Risk], filters: RiskFilters) -> QuerySet[Risk]:
    qs = _with_position(risks)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.open_only:
        qs = qs.exclude(status=Risk.Status.CLOSED)
    if filters.level:
        qs = qs.filter(Q(residual_level=filters.level) | Q(residual_level="", inherent_level=filters.level))
    if filters.category:
        qs = qs.filter(category__key=filters.category)
    if filters.likelihood:
        qs = qs.filter(at_likelihood=filters.likelihood)
    if filters.impact:
        qs = qs.filter(at_impact=filters.impact)
    if filters.owner:
        qs = qs.filter(owner__username=filters.owner)
    if filters.search:
        qs = qs.filter(Q(title__icontains=filters.search) | Q(description__icontains=filters.search))
    return qs.order_by(*RISK_ORDERINGS.get(filters.ordering, RISK_ORDERINGS["-score"]))


def risk_list_for_project(*, project: Project, filters: RiskFilters | None = None) -> QuerySet[Risk]:
    return _filtered(Risk.objects.filter(project=project).select_related("category", "owner"), filters or RiskFilters())


def risk_list_for_user(*, user: User, filters: RiskFilters | None = None) -> QuerySet[Risk]:
    """Risks across every project the user can see (the portfolio register)."""
    projects = lifecycle_selectors.project_visible_to(user, Project.objects.filter(deleted_at__isnull=True))
    qs = Risk.objects.filter(project__in=projects).select_related("category", "owner", "project")
    return _filtered(qs, filters or RiskFilters())


def risk_categories_for(*, project: Project | None) -> list[RiskCategory]:
    condition = Q(project__isnull=True) | Q(project=project) if project is not None else Q(project__isnull=True)
    return list(RiskCategory.objects.filter(condition).order_by("order", "name"))


@dataclass
class HeatCell:
    likelihood: int
    impact: int
    count: int
    level: str


def heat_map(*, risks: QuerySet[Risk], matrix: RiskMatrix) -> list[list[HeatCell]]:
    """Rows from the highest likelihood down, columns from the lowest impact up, with the
    number of risks (not closed) at each position (one query)."""
    rows = (
        _with_position(risks.order_by())
        .exclude(status=Risk.Status.CLOSED)
        .values_list("at_likelihood", "at_impact")
        .annotate(n=Count("pk"))
        .values_list("at_likelihood", "at_impact", "n")
    )
    counts = {(likelihood, impact): n for likelihood, impact, n in rows}
    size = matrix.size
    return [
        [
            HeatCell(likelihood, impact, counts.get((likelihood, impact), 0), matrix.level_of(likelihood * impact))
            for impact in range(1, size + 1)
        ]
        for likelihood in range(size, 0, -1)
    ]


# The columns of the CSV export as it always was; XLSX has the same ones.
RISK_EXPORT_HEADER = [
    "project",
    "title",
    "category",
    "phase_found",
    "likelihood",
    "impact",
    "inherent_score",
    "inherent_level",
    "residual_likelihood",
    "residual_impact",
    "residual_level",
    "owner",
    "treatment",
    "mitigation_plan",
    "mitigation_due",
    "status",
    "acceptance_expires_on",
]


def risk_export_rows(risks: QuerySet[Risk], project: Project | None = None) -> Iterator[list]:
    """The export's rows under RISK_EXPORT_HEADER, typed (scores stay numbers and dates stay
    dates in XLSX). Reads only what the list selectors load: the project when it is not given."""
    for r in risks:
        yield [
            (project or r.project).name,
            r.title,
            r.category.name,
            r.phase_found,
            r.likelihood,
            r.impact,
            r.inherent_score,
            r.inherent_level,
            r.residual_likelihood,
            r.residual_impact,
            r.residual_level,
            r.owner.username if r.owner else "",
            r.treatment,
            r.mitigation_plan,
            r.mitigation_due,
            r.status,
            r.acceptance_expires_on,
        ]
