"""Reference data every installation needs, created idempotently after migrate.

System only: the post-migrate signal and the test set-up call it, never a person, so it takes no
actor (the default template is imported as the system)."""

from __future__ import annotations

from django.contrib.auth.models import Group

from lifecycle import hooks
from lifecycle.models import Function
from lifecycle.permissions import PORTFOLIO_VIEWERS_GROUP
from lifecycle.services.templates import template_ensure_default

DEFAULT_FUNCTIONS = [
    ("sponsor", "Sponsor", "Owns the business case and funds the project."),
    ("compliance_officer", "Compliance officer", "Checks data protection and regulatory obligations."),
    ("ethics_board", "Ethics board", "Reviews bias, transparency and societal impact."),
    ("legal", "Legal", "Reviews contracts, licences, intellectual property and liability."),
    ("security", "Security", "Reviews threats, access control and the security of model and data."),
]


def bootstrap_reference_data() -> None:
    for order, (key, name, description) in enumerate(DEFAULT_FUNCTIONS):
        Function.objects.get_or_create(key=key, defaults={"name": name, "description": description, "order": order})
    Group.objects.get_or_create(name=PORTFOLIO_VIEWERS_GROUP)
    for step in hooks.registry.reference_data:
        step()
    template_ensure_default()
