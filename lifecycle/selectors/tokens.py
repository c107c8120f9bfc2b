"""A user's API tokens."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from lifecycle.models import (
    ApiToken,
    User,
)


def token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens that are not revoked, newest first; expired ones stay listed (marked so)
    until revoked, so their owner sees why a client stopped working."""
    return ApiToken.objects.filter(user=user, revoked_at=None).order_by("-created_at", "-id")


def token_get_for_user(*, user: User, id: UUID | str) -> ApiToken:
    token = ApiToken.objects.filter(pk=id, user=user, revoked_at=None).first()
    if token is None:
        raise Http404("No such token.")
    return token
