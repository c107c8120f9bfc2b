"""Governance's free texts have one limit each (governance.limits), and one behaviour
at every door: a text that is too long is a field error in the page and a 400 naming the field
in the API, and the service refuses it too; it is never stored cut short."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance import forms, services
from governance.api import register, reviews, risks
from governance.limits import (
    ACCEPTANCE_COMMENT_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    JUSTIFICATION_MAX_LENGTH,
    NOTES_MAX_LENGTH,
)
from governance.models import PostLaunchTask, Review, RiskCategory, Signoff, Vote
from governance.views import reviews as review_views
from lifecycle.exceptions import ApplicationError

EVIDENCE = [{"type": "link", "url": "https://wiki.example/dpia"}]


@pytest.fixture
def signoff(project):
    return Signoff.objects.get(project=project, kind="data_privacy")


@pytest.fixture
def review(gate, alice):
    return services.review_request(gate=gate, actor=alice, justification="Early")


def test_each_door_reads_the_one_constant_of_its_text():
    assert forms.SignoffDecisionForm.base_fields["comment"].max_length == COMMENT_MAX_LENGTH
    assert register.SignoffDecisionApi.InputSerializer().fields["comment"].max_length == COMMENT_MAX_LENGTH
    assert review_views.VoteForm.base_fields["comment"].max_length == COMMENT_MAX_LENGTH
    assert reviews.ReviewVoteApi.InputSerializer().fields["comment"].max_length == COMMENT_MAX_LENGTH
    assert review_views.RequestForm.base_fields["justification"].max_length == JUSTIFICATION_MAX_LENGTH
    assert reviews.GateReviewCreateApi.InputSerializer().fields["justification"].max_length == JUSTIFICATION_MAX_LENGTH
    assert forms.RiskAcceptForm.base_fields["comment"].max_length == ACCEPTANCE_COMMENT_MAX_LENGTH
    assert risks.RiskAcceptApi.InputSerializer().fields["comment"].max_length == ACCEPTANCE_COMMENT_MAX_LENGTH
    assert forms.TaskCompleteForm.base_fields["notes"].max_length == NOTES_MAX_LENGTH
    # The limits are the columns' own, where the column has one.
    assert Vote._meta.get_field("comment").max_length == COMMENT_MAX_LENGTH
    assert Review._meta.get_field("justification").max_length == JUSTIFICATION_MAX_LENGTH
    assert PostLaunchTask._meta.get_field("notes").max_length == NOTES_MAX_LENGTH


def test_a_signoff_comment_at_the_limit_is_kept_whole(signoff, ava):
    comment = "x" * COMMENT_MAX_LENGTH
    decided = services.signoff_decide(signoff=signoff, actor=ava, decision="approved", comment=comment, evidence=EVIDENCE)
    decided.refresh_from_db()
    assert decided.comment == comment


def test_the_services_refuse_a_text_one_character_too_long(project, signoff, review, gate, alice, bob, ava):
    too_long = "x" * (COMMENT_MAX_LENGTH + 1)
    with pytest.raises(ApplicationError) as error:
        services.signoff_decide(signoff=signoff, actor=ava, decision="approved", comment=too_long, evidence=EVIDENCE)
    # Refused, not cut short to fit.
    assert error.value.fields == {"comment": [f"Use at most {COMMENT_MAX_LENGTH} characters."]}
    signoff.refresh_from_db()
    assert (signoff.status, signoff.comment) == ("pending", "")

    with pytest.raises(ApplicationError) as error:
        services.vote_cast(review=review, actor=ava, decision="hold", comment=too_long)
    assert error.value.fields == {"comment": [f"Use at most {COMMENT_MAX_LENGTH} characters."]}
    assert not Vote.objects.exists()

    risk = services.risk_create(
        project=project,
        actor=bob,
        title="Leaks",
        category=RiskCategory.objects.get(project=None, key="data-privacy"),
        likelihood=4,
        impact=4,
    )
    with pytest.raises(ApplicationError) as error:
        services.risk_accept(
            risk=risk, actor=ava, expires_on=timezone.localdate() + timedelta(days=9), comment="x" * (ACCEPTANCE_COMMENT_MAX_LENGTH + 1)
        )
    assert error.value.fields == {"comment": [f"Use at most {ACCEPTANCE_COMMENT_MAX_LENGTH} characters."]}
    risk.refresh_from_db()
    assert risk.status == "open"

    task = PostLaunchTask.objects.create(project=project, kind=PostLaunchTask.Kind.BIAS_AUDIT, due_on=timezone.localdate())
    with pytest.raises(ApplicationError) as error:
        services.post_launch_task_complete(task=task, actor=bob, notes="x" * (NOTES_MAX_LENGTH + 1))
    assert error.value.fields == {"notes": [f"Use at most {NOTES_MAX_LENGTH} characters."]}
    task.refresh_from_db()
    assert (task.status, task.notes) == ("due", "")


def test_the_page_shows_a_too_long_signoff_comment_as_a_field_error(client_for, signoff, ava):
    url = reverse("governance:signoff-detail", args=[signoff.pk])
    data = {"decision": "approved", "comment": "x" * (COMMENT_MAX_LENGTH + 1), "links": "https://wiki.example/dpia"}
    response = client_for(ava).post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["comment"] == [f"Use at most {COMMENT_MAX_LENGTH} characters."]
    signoff.refresh_from_db()
    assert (signoff.status, signoff.comment) == ("pending", "")


def test_the_page_shows_a_too_long_vote_comment_as_a_field_error(client_for, review, ava):
    response = client_for(ava).post(review.get_absolute_url(), {"decision": "hold", "comment": "x" * (COMMENT_MAX_LENGTH + 1)})
    assert response.status_code == 200
    assert response.context["vote_form"].errors["comment"] == [f"Use at most {COMMENT_MAX_LENGTH} characters."]
    assert not Vote.objects.exists()


def test_the_api_answers_a_too_long_signoff_comment_with_400(api_for, signoff, ava):
    body = {"decision": "approved", "comment": "x" * (COMMENT_MAX_LENGTH + 1), "evidence": EVIDENCE}
    response = api_for(ava).post(f"/api/v1/signoffs/{signoff.pk}/decision/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "message": f"comment: Use at most {COMMENT_MAX_LENGTH} characters.",
        "code": "invalid",
        "fields": {"comment": [f"Use at most {COMMENT_MAX_LENGTH} characters."]},
    }
    signoff.refresh_from_db()
    assert (signoff.status, signoff.comment) == ("pending", "")


def test_the_api_answers_a_too_long_vote_comment_with_400(api_for, review, ava):
    body = {"decision": "hold", "comment": "x" * (COMMENT_MAX_LENGTH + 1)}
    response = api_for(ava).post(f"/api/v1/reviews/{review.pk}/votes/", body, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"comment": [f"Use at most {COMMENT_MAX_LENGTH} characters."]}
    assert not Vote.objects.exists()
