"""The classification through the API: the same questionnaire, rules and checklist as the page."""

from __future__ import annotations

import pytest

from governance.models import Classification
from phases.models import ChecklistItem


def url(project) -> str:
    return f"/api/v1/projects/{project.pk}/classification/"


def test_an_unclassified_project_says_so(api_for, vic, project):
    response = api_for(vic).get(url(project))
    assert response.status_code == 200
    body = response.json()
    assert (body["classified"], body["tier"], body["obligations"]) == (False, None, [])


def test_a_contributor_classifies_and_reads_the_duties_with_their_dates(api_for, bob, vic, project):
    answers = {"annex_iii_points": ["4a"], "role": "deployer", "workplace": True}
    response = api_for(bob).put(url(project), {"answers": answers}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["classified"], body["tier"], body["role"]) == (True, "high", "deployer")
    assert body["answers"]["annex_iii_points"] == ["4a"] and body["classified_by"]["username"] == "bob"
    assert any("Art. 6(2)" in line for line in body["rationale"])
    duty = next(o for o in body["obligations"] if o["key"] == "deployer-art-26-6-keep-logs")
    assert duty["phase"] == "Integrate" and "eu-ai-act:art-26-6" in duty["refs"]
    assert [(d["key"], d["status"]) for d in duty["applies_from"]][:2] == [
        ("general-application", "in_force"),
        ("omnibus-annex-iii", "proposed"),
    ]
    # The checklist follows, and every member reads the same.
    assert ChecklistItem.objects.filter(project=project, key="deployer-art-26-6-keep-logs").exists()
    assert api_for(vic).get(url(project)).json() == body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": {"role": "reseller"}}, "answers.role"),
        ({"answers": {"role": ["provider"]}}, "answers.role"),
        ({"answers": {"role": {"a": 1}, "public_body": [1]}}, "answers.role"),
        ({"answers": {"annex_iii_points": ["9z"]}}, "answers.annex_iii_points"),
        ({"answers": {"favourite_colour": "blue"}}, "answers.favourite_colour"),
        ({"answers": "high"}, "answers"),
        ({"tier": "minimal"}, "tier"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(api_for, bob, project, body, field):
    response = api_for(bob).put(url(project), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Classification.objects.filter(project=project).exists()


def test_viewers_may_not_classify_and_outsiders_do_not_see_it(api_for, vic, charlie, project):
    assert api_for(vic).put(url(project), {"answers": {}}, format="json").status_code == 403
    assert not Classification.objects.filter(project=project).exists()
    assert api_for(charlie).get(url(project)).status_code == 404
    assert api_for(charlie).put(url(project), {"answers": {}}, format="json").status_code == 404
