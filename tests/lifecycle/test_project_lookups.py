"""Inputs the project pages and the API share are resolved in one place: the template a project is
created from (`selectors.template_get`) and the `updated_since` filter of the project list
(`selectors.ProjectFilters`). The same input gets the same answer through both doors."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lifecycle import selectors, services
from lifecycle.exceptions import ApplicationError
from lifecycle.models import LifecycleTemplate, Project


@pytest.fixture
def second_template(db) -> LifecycleTemplate:
    default = LifecycleTemplate.objects.get(is_default=True)
    text = services.template_export(template=default).replace("key: genai-default", "key: lean", 1)
    return services.template_import(text=text)


# The template lookup


def test_no_id_is_the_default_template(db):
    assert selectors.template_get() == LifecycleTemplate.objects.get(is_default=True)
    assert selectors.template_get(id="") == LifecycleTemplate.objects.get(is_default=True)


def test_an_id_is_that_template(second_template):
    assert selectors.template_get(id=second_template.pk) == second_template
    assert selectors.template_get(id=str(second_template.pk)) == second_template


@pytest.mark.parametrize("bad", [uuid.uuid4(), "not-a-uuid"])
def test_an_id_that_names_no_template_is_an_error_on_the_field(db, bad):
    with pytest.raises(ApplicationError) as error:
        selectors.template_get(id=bad)
    assert error.value.fields == {"template": ["No template has this id."]}
    assert error.value.code == "invalid"


def test_without_a_default_template_the_error_says_so(db):
    LifecycleTemplate.objects.update(is_default=False)
    with pytest.raises(ApplicationError) as error:
        selectors.template_get()
    assert error.value.code == "no_template"


def test_the_page_creates_the_project_from_the_chosen_template(client_for, alice, second_template):
    client = client_for(alice)
    client.post(reverse("lifecycle:project-create"), {"name": "Lean one", "template": str(second_template.pk)})
    client.post(reverse("lifecycle:project-create"), {"name": "Default one"})
    assert Project.objects.get(name="Lean one").template == second_template
    assert Project.objects.get(name="Default one").template.is_default


def test_the_api_creates_the_project_from_the_chosen_template(api_for, alice, second_template):
    client = api_for(alice)
    assert client.post("/api/v1/projects/", {"name": "Lean one", "template": str(second_template.pk)}, format="json").status_code == 201
    assert client.post("/api/v1/projects/", {"name": "Default one"}, format="json").status_code == 201
    assert Project.objects.get(name="Lean one").template == second_template
    assert Project.objects.get(name="Default one").template.is_default


def test_the_api_answers_an_unknown_template_with_the_field_named(api_for, alice):
    response = api_for(alice).post("/api/v1/projects/", {"name": "Nowhere", "template": str(uuid.uuid4())}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "message": "template: No template has this id.",
        "code": "invalid",
        "fields": {"template": ["No template has this id."]},
    }
    assert not Project.objects.filter(name="Nowhere").exists()


def test_without_a_default_template_both_doors_say_so(client_for, api_for, alice):
    LifecycleTemplate.objects.update(is_default=False)
    page = client_for(alice).post(reverse("lifecycle:project-create"), {"name": "Nowhere"})
    assert "No lifecycle template is installed; ask an administrator." in page.context["form"].non_field_errors()
    response = api_for(alice).post("/api/v1/projects/", {"name": "Nowhere"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "no_template"
    assert not Project.objects.filter(name="Nowhere").exists()


# updated_since


@pytest.fixture
def old_and_new(alice, project):
    """`project` untouched for ten days, "Fresh" changed just now."""
    Project.objects.filter(pk=project.pk).update(updated_at=timezone.now() - timedelta(days=10))
    services.project_create(actor=alice, name="Fresh")
    return timezone.now() - timedelta(days=1)


def test_the_selector_keeps_what_changed_at_or_after_the_moment(alice, old_and_new):
    def names(since):
        return {p.name for p in selectors.project_list_for_user(user=alice, filters=selectors.ProjectFilters(updated_since=since))}

    assert names(old_and_new) == {"Fresh"}
    assert names(None) == {"Fresh", "Support assistant"}
    fresh = Project.objects.get(name="Fresh")
    assert names(fresh.updated_at) == {"Fresh"}  # at the moment counts
    assert names(fresh.updated_at + timedelta(milliseconds=1)) == set()


def test_the_page_and_the_api_resolve_the_same_input_the_same_way(client_for, api_for, alice, old_and_new):
    page, api = client_for(alice), api_for(alice)
    for value, expected in [
        (old_and_new.isoformat(), {"Fresh"}),
        (old_and_new.strftime("%Y-%m-%dT%H:%M:%SZ"), {"Fresh"}),
        ("2999-01-01T00:00:00Z", set()),
        ("2000-01-01T00:00:00Z", {"Fresh", "Support assistant"}),
    ]:
        listed = page.get(reverse("lifecycle:project-list"), {"updated_since": value}).context["page_obj"].object_list
        assert {p.name for p in listed} == expected, value
        assert {p["name"] for p in api.get("/api/v1/projects/", {"updated_since": value}).json()["results"]} == expected, value


def test_a_malformed_moment_is_left_out_on_the_page_and_refused_by_the_api(client_for, api_for, alice, old_and_new):
    listed = client_for(alice).get(reverse("lifecycle:project-list"), {"updated_since": "yesterday"}).context["page_obj"].object_list
    assert {p.name for p in listed} == {"Fresh", "Support assistant"}
    response = api_for(alice).get("/api/v1/projects/", {"updated_since": "yesterday"})
    assert response.status_code == 400 and "updated_since" in response.json()["fields"]


def test_the_dashboard_filters_by_it_too(client_for, alice, old_and_new):
    response = client_for(alice).get(reverse("home"), {"updated_since": old_and_new.isoformat()})
    assert response.status_code == 200
    assert [p.name for p in response.context["recent"]] == ["Fresh"]
