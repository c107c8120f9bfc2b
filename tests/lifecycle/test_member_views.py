"""The members page: everyone in the project sees it; owners add, change and remove members."""

from __future__ import annotations

from django.urls import reverse

from lifecycle.models import Membership
from tests.conftest import make_user
from tests.helpers import assert_partial, statuses_by_role

VISIBLE = {
    "owner": 200,
    "contributor": 200,
    "approver": 200,
    "viewer": 200,
    "portfolio_viewer": 200,
    "admin": 200,
    "outsider": 404,
}


def test_every_member_sees_the_members_page(client_for, personas, project):
    assert statuses_by_role(personas, client_for, "get", reverse("lifecycle:member-list", args=[project.pk])) == VISIBLE


def test_only_owners_see_the_add_form(client_for, alice, vic, project):
    url = reverse("lifecycle:member-list", args=[project.pk])
    assert "Add a member" in client_for(alice).get(url).content.decode()
    assert "Add a member" not in client_for(vic).get(url).content.decode()


def test_only_owners_and_admins_add_members(client_for, personas, project):
    make_user("dora")
    url = reverse("lifecycle:member-list", args=[project.pk])
    statuses = statuses_by_role(personas, client_for, "post", url, {"user": "dora", "role": "viewer"})
    # The owner adds dora (redirect); the admin then finds her already there (form error, 200).
    assert statuses == {
        "owner": 302,
        "contributor": 403,
        "approver": 403,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 200,
        "outsider": 404,
    }
    assert Membership.objects.filter(project=project, user__username="dora").count() == 1


def test_adding_with_htmx_returns_the_panel_with_the_new_member(client_for, alice, project):
    make_user("dora")
    response = client_for(alice).post(
        reverse("lifecycle:member-list", args=[project.pk]),
        {"user": "dora@example.org", "role": "approver", "functions": ["legal"]},
        HTTP_HX_REQUEST="true",
    )
    assert_partial(response, "member-panel")
    assert "Dora" in response.content.decode()


def test_an_unknown_user_is_a_field_error(client_for, alice, project):
    response = client_for(alice).post(reverse("lifecycle:member-list", args=[project.pk]), {"user": "ghost", "role": "viewer"})
    assert response.status_code == 200
    assert response.context["form"].errors["user"] == ["No active user has this username or e-mail."]


def test_changing_a_role(client_for, alice, bob, project):
    membership = Membership.objects.get(project=project, user=bob)
    url = reverse("lifecycle:member-edit", args=[membership.pk])
    response = client_for(alice).post(url, {"role": "approver", "functions": ["ethics_board"]})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "approver"
    assert list(membership.functions.values_list("key", flat=True)) == ["ethics_board"]


def test_demoting_the_last_owner_is_refused_on_the_form(client_for, alice, project):
    membership = Membership.objects.get(project=project, user=alice)
    response = client_for(alice).post(reverse("lifecycle:member-edit", args=[membership.pk]), {"role": "viewer"})
    assert response.status_code == 200
    assert response.context["form"].errors["role"] == ["This is the project's only owner."]


def test_member_pages_are_for_owners(client_for, personas, bob, project):
    membership = Membership.objects.get(project=project, user=bob)
    expected = {
        "owner": 200,
        "contributor": 403,
        "approver": 403,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 200,
        "outsider": 404,
    }
    for name in ("lifecycle:member-edit", "lifecycle:member-remove"):
        assert statuses_by_role(personas, client_for, "get", reverse(name, args=[membership.pk])) == expected, name


def test_removing_asks_first(client_for, alice, bob, project):
    membership = Membership.objects.get(project=project, user=bob)
    url = reverse("lifecycle:member-remove", args=[membership.pk])
    assert "Remove Bob from" in client_for(alice).get(url).content.decode()
    assert client_for(alice).post(url).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
