"""Project pages for every role of the PRODUCT.md table: list, detail, create, edit, delete,
resume, restore, advance by hand."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lifecycle import services
from lifecycle.models import Project
from tests.helpers import assert_partial, statuses_by_role


def test_anonymous_users_are_sent_to_the_login_page(client, project):
    for url in (reverse("lifecycle:project-list"), reverse("lifecycle:project-detail", args=[project.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_list_shows_each_person_only_what_they_may_see(client_for, personas, project, charlie):
    services.project_create(actor=charlie, name="Charlie's own")
    for role, visible in [
        ("owner", {"Support assistant"}),
        ("viewer", {"Support assistant"}),
        ("outsider", {"Charlie's own"}),
        ("portfolio_viewer", {"Support assistant", "Charlie's own"}),
        ("admin", {"Support assistant", "Charlie's own"}),
    ]:
        page = client_for(personas[role]).get(reverse("lifecycle:project-list"))
        assert {p.name for p in page.context["page_obj"].object_list} == visible, role


def test_the_list_filters_searches_and_sorts(client_for, alice, project):
    services.project_create(actor=alice, name="Contract summariser", tags=["legal"])
    client = client_for(alice)

    def names(**params):
        return [p.name for p in client.get(reverse("lifecycle:project-list"), params).context["page_obj"].object_list]

    assert names(q="contract") == ["Contract summariser"]
    assert names(tag="pilot") == ["Support assistant"]
    assert names(sort="name") == ["Contract summariser", "Support assistant"]
    assert names(sort="-name") == ["Support assistant", "Contract summariser"]
    assert names(phase="select") == []
    assert names(status="active", owner="alice", sort="name") == ["Contract summariser", "Support assistant"]
    # A malformed filter is ignored, never an error.
    assert client.get(reverse("lifecycle:project-list"), {"phase": "nonsense", "page": "x"}).status_code == 200


def test_the_list_answers_htmx_with_the_table_only(client_for, alice, project):
    response = client_for(alice).get(reverse("lifecycle:project-list"), {"q": "support"}, HTTP_HX_REQUEST="true")
    assert_partial(response, "project-table")
    assert "Support assistant" in response.content.decode()


def test_the_list_shows_the_current_phase_progress(client_for, alice, project):
    html = client_for(alice).get(reverse("lifecycle:project-list")).content.decode()
    total = project.checklist_items.filter(phase__key="scope").count()
    assert f"0/{total}" in html


def test_the_detail_page_is_visible_to_every_role_but_outsiders(client_for, personas, project):
    url = reverse("lifecycle:project-detail", args=[project.pk])
    assert statuses_by_role(personas, client_for, "get", url) == {
        "owner": 200,
        "contributor": 200,
        "approver": 200,
        "viewer": 200,
        "portfolio_viewer": 200,
        "admin": 200,
        "outsider": 404,
    }


def test_the_detail_page_shows_the_timeline_and_the_current_phase(client_for, alice, project):
    html = client_for(alice).get(reverse("lifecycle:project-detail", args=[project.pk])).content.decode()
    for name in ("Scope", "Select", "Adapt/Align", "Evaluate", "Integrate"):
        assert name in html
    assert 'aria-current="step"' in html
    assert "Planned:" in html


OWNER_ONLY = {
    "owner": 200,
    "contributor": 403,
    "approver": 403,
    "viewer": 403,
    "portfolio_viewer": 403,
    "admin": 200,
    "outsider": 404,
}


def test_only_owners_and_admins_open_the_edit_and_delete_pages(client_for, personas, project):
    for name in ("lifecycle:project-edit", "lifecycle:project-delete"):
        assert statuses_by_role(personas, client_for, "get", reverse(name, args=[project.pk])) == OWNER_ONLY, name


def test_creating_a_project_redirects_to_it(client_for, bob):
    response = client_for(bob).post(reverse("lifecycle:project-create"), {"name": "Bob's idea", "tags": "a, b"})
    project = Project.objects.get(name="Bob's idea")
    assert response.status_code == 302
    assert response["Location"] == reverse("lifecycle:project-detail", args=[project.pk])
    assert project.memberships.get().user == bob


def test_creating_shows_inline_errors_and_saves_nothing(client_for, bob):
    response = client_for(bob).post(reverse("lifecycle:project-create"), {"name": "", "tags": "<b>"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["name"] == ["This field is required."]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Project.objects.filter(created_by=bob).exists()


def test_a_bad_tag_is_shown_on_its_field(client_for, bob):
    response = client_for(bob).post(reverse("lifecycle:project-create"), {"name": "Ok", "tags": "<script>"})
    assert response.status_code == 200
    assert "is not a valid tag" in response.context["form"].errors["tags"][0]
    assert "<script>" not in response.content.decode().split("errorlist")[1][:200]


def test_editing_saves_and_redirects(client_for, alice, project):
    response = client_for(alice).post(
        reverse("lifecycle:project-edit", args=[project.pk]), {"name": "Renamed", "tags": "pilot", "use_case_users": "Agents"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.use_case_users) == ("Renamed", "Agents")


def test_a_contributor_cannot_edit(client_for, bob, project):
    response = client_for(bob).post(reverse("lifecycle:project-edit", args=[project.pk]), {"name": "Hijacked"})
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name == "Support assistant"


def test_deleting_asks_first_then_soft_deletes(client_for, alice, vic, project):
    client = client_for(alice)
    confirm = client.get(reverse("lifecycle:project-delete", args=[project.pk]))
    assert "Delete “Support assistant”?" in confirm.content.decode()
    response = client.post(reverse("lifecycle:project-delete", args=[project.pk]))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.deleted_at is not None
    # Members no longer see it.
    assert client_for(vic).get(reverse("lifecycle:project-detail", args=[project.pk])).status_code == 404


def test_only_admins_restore(client_for, personas, alice, adam, project):
    services.project_delete(project=project, actor=alice)
    url = reverse("lifecycle:project-restore", args=[project.pk])
    for role in ("owner", "contributor", "viewer", "portfolio_viewer", "outsider"):
        assert client_for(personas[role]).post(url).status_code == 403, role
    assert client_for(adam).get(reverse("lifecycle:project-trash")).status_code == 200
    assert client_for(adam).post(url).status_code == 302
    project.refresh_from_db()
    assert project.deleted_at is None


def test_only_admins_advance_a_phase_by_hand(client_for, personas, project):
    url = reverse("lifecycle:project-advance", args=[project.pk])
    assert statuses_by_role(personas, client_for, "get", url) == {
        "owner": 403,
        "contributor": 403,
        "approver": 403,
        "viewer": 403,
        "portfolio_viewer": 403,
        "admin": 200,
        "outsider": 404,
    }
    response = client_for(personas["admin"]).post(url, {"reason": ""})
    assert response.context["form"].errors["reason"] == ["This field is required."]
    response = client_for(personas["admin"]).post(url, {"reason": "Paper gate"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.current_phase == "select"


def test_resume_needs_post_and_the_owner(client_for, alice, vic, project):
    services.project_hold(project=project, actor=alice)
    url = reverse("lifecycle:project-resume", args=[project.pk])
    assert client_for(alice).get(url).status_code == 405
    assert client_for(vic).post(url).status_code == 403
    assert client_for(alice).post(url).status_code == 302
    project.refresh_from_db()
    assert project.status == "active"


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_a_killed_project_says_it_is_read_only(client_for, personas, alice, project, role):
    services.project_kill(project=project, actor=alice)
    response = client_for(personas[role]).post(reverse("lifecycle:project-edit", args=[project.pk]), {"name": "New"})
    assert response.status_code == 200
    assert "This project was killed; it is read-only." in response.context["form"].non_field_errors()
