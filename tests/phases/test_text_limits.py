"""The phases' free texts have one limit each (phases.limits), and one behaviour at every door:
a text that is too long is refused with an error naming the field (a message in the page, a 400
in the API, an ApplicationError from the service) and nothing is stored, never a text cut short."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from lifecycle.exceptions import ApplicationError
from phases import forms, services
from phases.api import artifacts as artifact_api
from phases.api import checklist as checklist_api
from phases.limits import (
    ARTIFACT_COMMENT_MAX_LENGTH,
    CHECKLIST_NOTE_MAX_LENGTH,
    DECISION_COMMENT_MAX_LENGTH,
    FEEDBACK_ANSWER_MAX_LENGTH,
    FEEDBACK_MESSAGE_MAX_LENGTH,
)
from phases.models import ArtifactComment, ArtifactReview, ChecklistItem, FeedbackRequest
from sample_data.artifacts import SAMPLES


def too_long(limit: int) -> str:
    return "x" * (limit + 1)


def refusal(limit: int) -> list[str]:
    return [f"Use at most {limit} characters."]


@pytest.fixture
def in_review(project, bob):
    title, data = SAMPLES["scope_document"]
    artifact = services.artifact_create(project=project, actor=bob, type="scope_document", title=title, data=copy.deepcopy(data))
    return services.artifact_submit(artifact=artifact, actor=bob)


def test_each_door_reads_the_one_constant_of_its_text():
    assert forms.ChecklistItemForm.base_fields["note"].max_length == CHECKLIST_NOTE_MAX_LENGTH
    assert checklist_api.ChecklistItemDetailApi.InputSerializer().fields["note"].max_length == CHECKLIST_NOTE_MAX_LENGTH
    assert artifact_api.CommentInputSerializer().fields["comment"].max_length == DECISION_COMMENT_MAX_LENGTH
    # The limits are the columns' own, where the column has one.
    assert ChecklistItem._meta.get_field("note").max_length == CHECKLIST_NOTE_MAX_LENGTH
    assert ArtifactComment._meta.get_field("body").max_length == ARTIFACT_COMMENT_MAX_LENGTH
    assert FeedbackRequest._meta.get_field("message").max_length == FEEDBACK_MESSAGE_MAX_LENGTH
    assert FeedbackRequest._meta.get_field("answer").max_length == FEEDBACK_ANSWER_MAX_LENGTH


def test_a_decision_comment_at_the_limit_is_kept_whole(in_review, ava):
    comment = "x" * DECISION_COMMENT_MAX_LENGTH
    services.artifact_approve(artifact=in_review, actor=ava, comment=comment)
    assert ArtifactReview.objects.get(version__artifact=in_review).comment == comment


@pytest.mark.parametrize("decide", [services.artifact_approve, services.artifact_send_back])
def test_a_decision_comment_one_character_too_long_is_refused_not_cut_short(in_review, ava, decide):
    with pytest.raises(ApplicationError) as error:
        decide(artifact=in_review, actor=ava, comment=too_long(DECISION_COMMENT_MAX_LENGTH))
    assert error.value.fields == {"comment": refusal(DECISION_COMMENT_MAX_LENGTH)}
    in_review.refresh_from_db()
    assert in_review.status == "in_review"
    assert not ArtifactReview.objects.exists()


def test_a_viewer_is_refused_for_the_role_before_the_text_is_read(in_review, vic):
    with pytest.raises(PermissionDenied):
        services.artifact_approve(artifact=in_review, actor=vic, comment=too_long(DECISION_COMMENT_MAX_LENGTH))


def test_comments_feedback_and_notes_one_character_too_long_are_refused(project, in_review, alice, bob, ava):
    with pytest.raises(ApplicationError) as error:
        services.artifact_comment_add(artifact=in_review, actor=ava, body=too_long(ARTIFACT_COMMENT_MAX_LENGTH))
    assert error.value.fields == {"body": refusal(ARTIFACT_COMMENT_MAX_LENGTH)}
    assert not ArtifactComment.objects.exists()

    with pytest.raises(ApplicationError) as error:
        services.feedback_request(artifact=in_review, actor=bob, reviewers=[ava], message=too_long(FEEDBACK_MESSAGE_MAX_LENGTH))
    assert error.value.fields == {"message": refusal(FEEDBACK_MESSAGE_MAX_LENGTH)}
    assert not FeedbackRequest.objects.exists()

    [request] = services.feedback_request(artifact=in_review, actor=bob, reviewers=[ava], message="Is the scope right?")
    with pytest.raises(ApplicationError) as error:
        services.feedback_answer(request=request, actor=ava, answer=too_long(FEEDBACK_ANSWER_MAX_LENGTH))
    assert error.value.fields == {"answer": refusal(FEEDBACK_ANSWER_MAX_LENGTH)}
    request.refresh_from_db()
    assert (request.answer, request.answered_at) == ("", None)

    item = ChecklistItem.objects.filter(project=project).first()
    with pytest.raises(ApplicationError) as error:
        services.checklist_item_set_done(item=item, actor=bob, done=True, note=too_long(CHECKLIST_NOTE_MAX_LENGTH))
    assert error.value.fields == {"note": refusal(CHECKLIST_NOTE_MAX_LENGTH)}
    item.refresh_from_db()
    assert (item.done, item.note) == (False, "")


def test_the_page_refuses_a_too_long_decision_comment_and_says_why(client_for, in_review, ava):
    url = reverse("phases:artifact-approve", args=[in_review.pk])
    response = client_for(ava).post(url, {"comment": too_long(DECISION_COMMENT_MAX_LENGTH)}, follow=True)
    assert response.status_code == 200
    assert f"Comment: Use at most {DECISION_COMMENT_MAX_LENGTH} characters." in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == "in_review"
    # The page's own textarea holds the same limit.
    assert f'name="comment" rows="2" maxlength="{DECISION_COMMENT_MAX_LENGTH}"' in response.content.decode()


def test_the_api_answers_a_too_long_decision_comment_with_400(api_for, in_review, ava):
    response = api_for(ava).post(
        f"/api/v1/artifacts/{in_review.pk}/send-back/", {"comment": too_long(DECISION_COMMENT_MAX_LENGTH)}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"comment": refusal(DECISION_COMMENT_MAX_LENGTH)}
    in_review.refresh_from_db()
    assert in_review.status == "in_review"
