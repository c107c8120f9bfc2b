"""The core's free texts have one limit each (lifecycle.limits): the project form, the API and
the project services read the same constant, and a text one character too long is refused with
an error naming the field; nothing is stored, never a text cut short."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError

from lifecycle import services
from lifecycle.api import projects as project_api
from lifecycle.api.serializers import UseCaseSerializer
from lifecycle.exceptions import ApplicationError
from lifecycle.forms import ProjectForm, ReasonForm
from lifecycle.limits import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, REASON_MAX_LENGTH
from lifecycle.models import Project

REFUSAL = [f"Use at most {DESCRIPTION_MAX_LENGTH} characters."]


def test_each_door_reads_the_one_constant_of_its_text():
    form = ProjectForm.base_fields
    assert [form[name].max_length for name in ("description", "use_case_problem", "use_case_users", "use_case_expectations")] == [
        DESCRIPTION_MAX_LENGTH
    ] * 4
    assert form["name"].max_length == NAME_MAX_LENGTH
    assert ReasonForm.base_fields["reason"].max_length == REASON_MAX_LENGTH
    assert project_api.ProjectListApi.InputSerializer().fields["description"].max_length == DESCRIPTION_MAX_LENGTH
    assert {f.max_length for f in UseCaseSerializer().fields.values()} == {DESCRIPTION_MAX_LENGTH}
    for name in ("description", "use_case_problem", "use_case_users", "use_case_expectations"):
        assert Project._meta.get_field(name).max_length == DESCRIPTION_MAX_LENGTH


def test_the_page_limit_comes_from_the_constant_and_an_unknown_one_fails_the_render():
    assert Template('{% load lifecycle_tags %}{% text_limit "lifecycle.DESCRIPTION" %}').render(Context()) == str(DESCRIPTION_MAX_LENGTH)
    with pytest.raises(TemplateSyntaxError):
        Template('{% load lifecycle_tags %}{% text_limit "elsewhere.DESCRIPTION" %}').render(Context())


def test_a_description_at_the_limit_is_kept_whole(alice):
    text = "x" * DESCRIPTION_MAX_LENGTH
    project = services.project_create(actor=alice, name="Whole", description=text, use_case_problem=text)
    project.refresh_from_db()
    assert (project.description, project.use_case_problem) == (text, text)


@pytest.mark.parametrize("field", ["description", "use_case_problem", "use_case_users", "use_case_expectations"])
def test_creating_with_a_text_one_character_too_long_is_refused(alice, field):
    with pytest.raises(ApplicationError) as error:
        services.project_create(actor=alice, name="Too long", **{field: "x" * (DESCRIPTION_MAX_LENGTH + 1)})
    assert error.value.fields == {field: REFUSAL}
    assert not Project.objects.filter(name="Too long").exists()


def test_editing_with_a_text_one_character_too_long_changes_nothing(project, alice):
    with pytest.raises(ApplicationError) as error:
        services.project_update(project=project, actor=alice, name="Renamed", description="x" * (DESCRIPTION_MAX_LENGTH + 1))
    assert error.value.fields == {"description": REFUSAL}
    project.refresh_from_db()
    assert project.name != "Renamed"


def test_a_name_one_character_too_long_is_refused(alice):
    with pytest.raises(ApplicationError) as error:
        services.project_create(actor=alice, name="x" * (NAME_MAX_LENGTH + 1))
    assert error.value.fields == {"name": [f"Use at most {NAME_MAX_LENGTH} characters."]}


def test_advancing_by_hand_with_a_reason_one_character_too_long_is_refused(project, adam):
    with pytest.raises(ApplicationError) as error:
        services.phase_advance(project=project, actor=adam, reason="x" * (REASON_MAX_LENGTH + 1), by_admin=True)
    assert error.value.fields == {"reason": [f"Use at most {REASON_MAX_LENGTH} characters."]}
    project.refresh_from_db()
    assert project.current_phase == "scope"


def test_the_api_answers_a_too_long_use_case_text_with_400(api_for, project, alice):
    body = {"use_case": {"problem": "x" * (DESCRIPTION_MAX_LENGTH + 1)}}
    response = api_for(alice).patch(f"/api/v1/projects/{project.pk}/", body, format="json")
    assert response.status_code == 400
    assert "problem" in str(response.json()["fields"])
    project.refresh_from_db()
    assert project.use_case_problem != "x" * (DESCRIPTION_MAX_LENGTH + 1)
