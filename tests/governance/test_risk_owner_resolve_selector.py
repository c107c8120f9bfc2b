"""A risk owner is a project member: picked by id in the page, by username (or e-mail) in the
API, both resolved by governance.selectors.risks.risk_owner_resolve, so both doors refuse a
non-member in the same words."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from governance.models import Risk
from governance.selectors.risks import NOT_A_MEMBER, risk_owner_resolve
from lifecycle.exceptions import ApplicationError

RISK_FORM = {
    "title": "Leaks",
    "category": "data-privacy",
    "phase_found": "scope",
    "likelihood": "2",
    "impact": "2",
    "treatment": "mitigate",
    "status": "open",
}
RISK_BODY = {"title": "Leaks", "category": "data-privacy", "likelihood": 2, "impact": 2}


def test_it_finds_a_member_by_id_username_or_e_mail(project, bob):
    assert risk_owner_resolve(project=project, id=bob.pk) == bob
    assert risk_owner_resolve(project=project, id=str(bob.pk)) == bob
    assert risk_owner_resolve(project=project, username="bob") == bob
    assert risk_owner_resolve(project=project, username="BOB@example.org") == bob


def test_naming_nobody_means_no_owner(project):
    assert risk_owner_resolve(project=project) is None
    assert risk_owner_resolve(project=project, id="") is None


@pytest.mark.parametrize("how", ["id", "username"])
def test_it_refuses_a_non_member(project, charlie, how):
    with pytest.raises(ApplicationError) as error:
        risk_owner_resolve(project=project, **({"id": charlie.pk} if how == "id" else {"username": "charlie"}))
    assert (error.value.message, error.value.fields) == (NOT_A_MEMBER, {"owner": [NOT_A_MEMBER]})


@pytest.mark.parametrize("id", [uuid.uuid4(), "not-a-uuid"])
def test_an_id_that_is_no_member_is_refused_as_one(project, id):
    with pytest.raises(ApplicationError) as error:
        risk_owner_resolve(project=project, id=id)
    assert error.value.fields == {"owner": [NOT_A_MEMBER]}


def test_an_unknown_username_is_no_such_user(project):
    with pytest.raises(ApplicationError) as error:
        risk_owner_resolve(project=project, username="nobody")
    assert error.value.fields == {"owner": ["No active user has this username or e-mail."]}


def test_both_doors_refuse_a_non_member_identically(client_for, api_for, project, bob, charlie):
    page = client_for(bob).post(reverse("governance:risk-create", args=[project.pk]), {**RISK_FORM, "owner": str(charlie.pk)})
    assert page.status_code == 200
    page_errors = page.context["form"].errors["owner"]

    api = api_for(bob).post(f"/api/v1/projects/{project.pk}/risks/", {**RISK_BODY, "owner": "charlie"}, format="json")
    assert api.status_code == 400
    assert api.json()["fields"]["owner"] == page_errors == [NOT_A_MEMBER]
    assert not Risk.objects.exists()


def test_both_doors_take_a_member(client_for, api_for, project, bob, ava):
    page = client_for(bob).post(reverse("governance:risk-create", args=[project.pk]), {**RISK_FORM, "owner": str(ava.pk)})
    assert page.status_code == 302
    api = api_for(bob).post(f"/api/v1/projects/{project.pk}/risks/", {**RISK_BODY, "title": "More", "owner": "ava"}, format="json")
    assert api.status_code == 201 and api.json()["owner"]["username"] == "ava"
    assert sorted(Risk.objects.values_list("title", "owner__username")) == [("Leaks", "ava"), ("More", "ava")]
