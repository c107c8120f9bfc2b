"""Fixtures of the review tests: the project's Scope gate, and ben, a second approver (ethics
board) beside ava."""

from __future__ import annotations

import pytest

from governance.models import Gate
from lifecycle import services as lifecycle_services
from tests.conftest import make_user


@pytest.fixture
def gate(project):
    return Gate.objects.get(project=project, phase__key="scope")


@pytest.fixture
def ben(project, alice):
    ben = make_user("ben")
    lifecycle_services.membership_add(project=project, actor=alice, user=ben, role="approver", functions=["ethics_board"])
    return ben
