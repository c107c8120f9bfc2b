"""Members: added by username or e-mail with a role and functions; a project keeps an owner."""

from __future__ import annotations

import pytest

from lifecycle import services
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.models import ChangeRecord, Membership
from tests.conftest import make_user


def test_it_adds_a_member_by_email_with_functions(alice, project):
    dora = make_user("dora")
    membership = services.membership_add(project=project, actor=alice, user="DORA@example.org", role="approver", functions=["legal"])
    assert membership.user == dora
    assert membership.role == "approver"
    assert list(membership.functions.values_list("key", flat=True)) == ["legal"]


def test_it_tells_the_new_member_feed_about_the_project(alice, project):
    dora = make_user("dora")
    services.membership_add(project=project, actor=alice, user="dora", role="viewer")
    granted = ChangeRecord.objects.get(audience=dora.pk, type="project")
    assert (granted.type, granted.object_id, granted.op) == ("project", project.pk, "upsert")


@pytest.mark.parametrize(
    ("user", "role", "functions", "code"),
    [
        ("nobody", "viewer", [], "user_not_found"),
        ("bob", "viewer", [], "already_member"),
        ("charlie", "boss", [], "invalid"),
        ("charlie", "viewer", ["astrologer"], "invalid"),
    ],
)
def test_it_refuses_bad_members(alice, project, charlie, user, role, functions, code):
    before = Membership.objects.count()
    with pytest.raises(ApplicationError) as error:
        services.membership_add(project=project, actor=alice, user=user, role=role, functions=functions)
    assert error.value.code == code
    assert Membership.objects.count() == before


def test_an_already_member_is_a_conflict(alice, project):
    with pytest.raises(Conflict):
        services.membership_add(project=project, actor=alice, user="bob", role="viewer")


def test_it_keeps_the_last_owner(alice, project):
    owner = Membership.objects.get(project=project, user=alice)
    with pytest.raises(Conflict, match="always keeps an owner"):
        services.membership_update(membership=owner, actor=alice, role="viewer")
    with pytest.raises(Conflict, match="always keeps an owner"):
        services.membership_remove(membership=owner, actor=alice)
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_an_owner_can_step_down_once_there_is_another(alice, bob, project):
    bob_membership = Membership.objects.get(project=project, user=bob)
    services.membership_update(membership=bob_membership, actor=alice, role="owner")
    alice_membership = Membership.objects.get(project=project, user=alice)

    services.membership_update(membership=alice_membership, actor=alice, role="viewer", functions=["sponsor"])

    alice_membership.refresh_from_db()
    assert alice_membership.role == "viewer"
    assert list(alice_membership.functions.values_list("key", flat=True)) == ["sponsor"]


def test_removing_a_member_leaves_a_tombstone_in_their_feed(alice, bob, project):
    services.membership_remove(membership=Membership.objects.get(project=project, user=bob), actor=alice)
    assert not Membership.objects.filter(project=project, user=bob).exists()
    revoked = ChangeRecord.objects.get(audience=bob.pk, op="delete", type="project")
    assert revoked.object_id == project.pk


def test_a_killed_project_refuses_membership_changes(alice, project, charlie):
    services.project_kill(project=project, actor=alice)
    with pytest.raises(Conflict) as error:
        services.membership_add(project=project, actor=alice, user="charlie", role="viewer")
    assert error.value.code == "project_closed"
