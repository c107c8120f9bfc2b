"""Access ends when membership ends: someone removed from a project, or who loses portfolio
rights, loses at once what they reached through it: its jobs, their results and files, inbox
entries, notifications and their links, and cached pages and lists."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance import services as governance_services
from governance.models import Gate
from lifecycle import services
from lifecycle.models import AuditEvent, Job, Notification
from lifecycle.permissions import PORTFOLIO_VIEWERS_GROUP
from phases import services as phases_services
from tests.security.conftest import sample_artifact


def finished_report(project, actor) -> Job:
    """A report job of `actor`, finished with its PDF and JSON (no worker needed)."""
    job = governance_services.report_request(project=project, actor=actor)
    job.result_file.save("report.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    job.status, job.result, job.progress, job.finished_at = Job.Status.SUCCEEDED, {"summary": {}}, 100, timezone.now()
    job.save()
    return job


def job_urls(job: Job) -> dict[str, str]:
    return {
        "api": f"/api/v1/jobs/{job.pk}/",
        "status": reverse("lifecycle:job-status", args=[job.pk]),
        "download": reverse("lifecycle:job-download", args=[job.pk]),
        "report_json": reverse("governance:report-json", args=[job.pk]),
    }


def statuses(web: Client, api, job: Job) -> dict[str, int]:
    urls = job_urls(job)
    return {name: (api if name == "api" else web).get(url).status_code for name, url in urls.items()}


def remove(project, actor, user) -> None:
    services.membership_remove(membership=project.memberships.get(user=user), actor=actor)


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get(reverse("lifecycle:project-list"))  # the browser receives its CSRF cookie
    return client


# --- Jobs, their results and files --------------------------------------------------------------


def test_it_refuses_a_job_its_results_and_files_to_its_creator_once_removed(project, alice, bob, client_for, api_for):
    job = finished_report(project, bob)
    web, api = client_for(bob), api_for(bob)
    assert set(statuses(web, api, job).values()) == {200}

    remove(project, alice, bob)

    # Starting the job does not outrank access to its project.
    assert statuses(web, api, job) == {"api": 404, "status": 404, "download": 404, "report_json": 404}
    assert api.get(job_urls(job)["api"]).json()["code"] == "not_found"


def test_a_page_polling_the_job_reloads_once_access_ends(project, alice, bob, client_for):
    job = governance_services.report_request(project=project, actor=bob)  # queued: the page polls it
    client = client_for(bob)
    url = job_urls(job)["status"]
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    remove(project, alice, bob)
    poll = client.get(url, headers={"HX-Request": "true"})
    # htmx swaps nothing on a 404 and would poll on: the refresh reloads the page, now a 404.
    assert poll.status_code == 404 and poll["HX-Refresh"] == "true"


def test_it_refuses_the_job_of_a_deleted_project_to_its_creator(project, alice, bob, adam, client_for, api_for):
    job = finished_report(project, bob)
    services.project_delete(project=project, actor=alice)
    assert set(statuses(client_for(bob), api_for(bob), job).values()) == {404}
    # Administrators still reach a deleted project's data (they restore projects).
    assert set(statuses(client_for(adam), api_for(adam), job).values()) == {200}


def test_it_shows_a_project_job_to_whoever_sees_the_project_now(project, alice, vic, charlie, client_for, api_for):
    job = finished_report(project, alice)
    assert set(statuses(client_for(vic), api_for(vic), job).values()) == {200}
    assert set(statuses(client_for(charlie), api_for(charlie), job).values()) == {404}


def test_a_job_of_no_project_stays_with_its_creator_and_administrators(bob, charlie, adam, api_for):
    job = services.job_create(kind="audit_verify", actor=bob)
    assert api_for(bob).get(f"/api/v1/jobs/{job.pk}/").status_code == 200
    assert api_for(adam).get(f"/api/v1/jobs/{job.pk}/").status_code == 200
    assert api_for(charlie).get(f"/api/v1/jobs/{job.pk}/").status_code == 404


def test_it_refuses_the_job_once_portfolio_rights_end(project, paula, client_for, api_for):
    job = finished_report(project, paula)
    web, api = client_for(paula), api_for(paula)
    assert set(statuses(web, api, job).values()) == {200}
    paula.groups.remove(Group.objects.get(name=PORTFOLIO_VIEWERS_GROUP))
    assert set(statuses(web, api, job).values()) == {404}


# --- Inbox: reviews awaiting a vote, feedback requests -------------------------------------------


@pytest.fixture
def waiting_for_ava(project, alice, bob, ava):
    """A gate review and a feedback request, both waiting for ava."""
    review = governance_services.review_request(
        gate=Gate.objects.get(project=project, phase__key="scope"), actor=alice, justification="Early"
    )
    artifact = sample_artifact(project, bob, "scope_document")
    [feedback] = phases_services.feedback_request(artifact=artifact, actor=bob, reviewers=[ava], message="Private thoughts?")
    return review, feedback


def test_the_inbox_empties_when_the_member_is_removed(project, alice, ava, waiting_for_ava, api_for, client_for):
    review, feedback = waiting_for_ava
    api = api_for(ava)
    kinds = {item["kind"] for item in api.get("/api/v1/inbox/").json()["results"]}
    assert kinds == {"Feedback request", "Gate review", "Sign-off"}  # ava is the compliance officer too

    remove(project, alice, ava)

    assert api.get("/api/v1/inbox/").json()["results"] == []
    page = client_for(ava).get(reverse("lifecycle:inbox")).content.decode()
    assert "Decide the Scope gate" not in page and "Private thoughts?" not in page
    # What the entries led to is gone too: the review, voting on it, answering the request.
    assert api.get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    assert api.post(f"/api/v1/reviews/{review.pk}/votes/", {"decision": "go"}, format="json").status_code == 404
    answer = client_for(ava).post(reverse("phases:feedback-answer", args=[feedback.pk]), {"answer": "Late"})
    assert answer.status_code == 404


def test_the_inbox_comes_back_when_the_member_is_added_again(project, alice, ava, waiting_for_ava, api_for):
    remove(project, alice, ava)
    services.membership_add(project=project, actor=alice, user=ava, role="approver")
    kinds = sorted(item["kind"] for item in api_for(ava).get("/api/v1/inbox/").json()["results"])
    assert kinds == ["Feedback request", "Gate review"]


# --- Notifications and their links ------------------------------------------------------------


def test_notifications_of_a_project_left_are_hidden_and_their_links_lead_nowhere(project, alice, ava, waiting_for_ava, client_for):
    services.notify(users=[ava], kind="general", title="Site maintenance on Sunday")  # about no project
    client = client_for(ava)
    listed = client.get(reverse("lifecycle:notification-list")).content.decode()
    [notification] = Notification.objects.filter(user=ava, kind="review_requested")
    assert notification.url in listed and "Support assistant" in listed

    remove(project, alice, ava)

    listed = client.get(reverse("lifecycle:notification-list")).content.decode()
    assert notification.url not in listed and "Support assistant" not in listed
    assert "Site maintenance on Sunday" in listed
    # The navigation counts only what the user can open: the site-wide notification.
    assert 'aria-label="1 unread"' in listed
    # The old link (bookmarked, or from the e-mail) is a 404.
    assert client.get(notification.url).status_code == 404


def test_no_email_goes_out_about_a_project_left_before_it_was_sent(project, alice, ava, waiting_for_ava):
    [notification] = Notification.objects.filter(user=ava, kind="review_requested")
    remove(project, alice, ava)
    assert services.notification_email_send(notification_id=str(notification.pk)) is False
    assert mail.outbox == []
    # Claimed for good: a retry of the task does not send it either.
    assert services.notification_email_send(notification_id=str(notification.pk)) is False


# --- Cached pages and lists -------------------------------------------------------------------


@pytest.fixture
def cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


def test_a_cached_project_page_is_not_served_after_removal(cache_on, project, alice, vic):
    client = browser(vic)
    url = reverse("lifecycle:project-detail", args=[project.pk])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # from the cache
    remove(project, alice, vic)
    assert client.get(url).status_code == 404


def test_a_cached_project_list_is_not_served_after_removal(cache_on, project, alice, vic, api_for):
    api = api_for(vic)
    assert [p["name"] for p in api.get("/api/v1/projects/").json()["results"]] == ["Support assistant"]
    remove(project, alice, vic)
    assert api.get("/api/v1/projects/").json()["results"] == []


def admin_change_user(admin_client: Client, user, *, groups: list) -> None:
    """Save the user through the Django admin's change form, as an administrator does."""
    url = reverse("admin:lifecycle_user_change", args=[user.pk])
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": [str(g.pk) for g in groups],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "_save": "Save",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_portfolio_rights_removed_in_the_admin_end_cached_pages_and_lists(cache_on, project, paula, adam, api_for):
    web, api = browser(paula), api_for(paula)
    url = reverse("lifecycle:project-detail", args=[project.pk])
    assert web.get(url).status_code == web.get(url).status_code == 200
    assert len(api.get("/api/v1/projects/").json()["results"]) == 1

    admin = Client()
    admin.force_login(adam)
    admin_change_user(admin, paula, groups=[])

    assert not paula.groups.exists()
    assert web.get(url).status_code == 404
    assert api.get("/api/v1/projects/").json()["results"] == []
    # The admin's change is in the audit log, who and what.
    event = AuditEvent.objects.get(action="user.access_changed")
    assert event.actor == adam and event.before["portfolio_viewer"] and not event.after["portfolio_viewer"]


def test_portfolio_rights_removed_outside_the_admin_still_end_cached_pages(cache_on, project, paula):
    web = browser(paula)
    url = reverse("lifecycle:project-detail", args=[project.pk])
    assert web.get(url).status_code == web.get(url).status_code == 200
    # No audit event, no invalidation: the user's standing is part of the cache key.
    paula.groups.remove(Group.objects.get(name=PORTFOLIO_VIEWERS_GROUP))
    assert web.get(url).status_code == 404


def test_only_administrators_record_portfolio_rights(paula, alice):
    from django.core.exceptions import PermissionDenied

    before = services.user_access_snapshot(paula)
    with pytest.raises(PermissionDenied):
        services.user_access_record(user=paula, actor=alice, before=before)
