"""Governance rows in a project, for the change feed."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

from governance.models import Gate, Incident, Review, Risk, Signoff


def project_children(project_id: UUID) -> Iterator[tuple[str, UUID]]:
    """Gates, reviews, risks, sign-offs and incidents of a project, as (change type, id)."""
    for model in (Gate, Review, Risk, Signoff, Incident):
        for pk in model.objects.filter(project_id=project_id).order_by("pk").values_list("pk", flat=True):
            yield model.change_type, pk
