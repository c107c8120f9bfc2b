"""A classification that lowers the tier, changes the role or drops a model's duties waits for a
sign-off by the compliance (or legal) function: until then the classification in force stands
and the checklist keeps its obligations; approving applies the change, rejecting drops it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from governance import services
from governance.models import Classification, Signoff
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import Conflict
from lifecycle.models import AuditEvent, Notification
from phases.models import ChecklistItem

LINK = [{"type": "link", "url": "https://wiki.example/legal-assessment"}]


def obligation_keys(project) -> set[str]:
    return set(ChecklistItem.objects.filter(project=project, source="obligation").values_list("key", flat=True))


@pytest.fixture
def high(project, bob):
    services.classification_set(project=project, actor=bob, answers={"annex_iii_points": ["4a"], "role": "provider"})
    ChecklistItem.objects.filter(project=project, source="obligation").update(done=True, note="Evidence on file.")
    return Classification.objects.get(project=project)


def test_a_downgrade_waits_for_the_compliance_officer_and_changes_nothing_until_then(project, bob, ava, high):
    before = obligation_keys(project)
    assert len(before) == 16

    change = services.classification_set(project=project, actor=bob, answers={"role": "provider"})

    assert change.pending_reason == "it lowers the tier from High-risk to Minimal risk"
    assert "waits for a sign-off by the compliance officer function" in change.summary
    high.refresh_from_db()
    assert (high.tier, high.pending["tier"]) == ("high", "minimal")
    # The sixteen done items stay, done.
    assert obligation_keys(project) == before
    assert ChecklistItem.objects.filter(project=project, source="obligation", done=False).count() == 0
    signoff = high.pending_signoff
    assert (signoff.kind, signoff.function_id, signoff.status) == ("classification_change", "compliance_officer", "pending")
    assert signoff.title == "EU AI Act classification change: High-risk → Minimal risk"
    # The new sign-off is recorded like every change (audit log and change feed).
    assert AuditEvent.objects.filter(action="signoff.created", object_id=signoff.pk).exists()
    # It waits in the compliance officer's inbox and mail.
    assert Notification.objects.filter(user=ava, kind="signoff_requested", url=signoff.get_absolute_url()).exists()


def test_approving_applies_the_change(project, bob, ava, high):
    change = services.classification_set(project=project, actor=bob, answers={"role": "provider"})
    services.signoff_decide(signoff=change.signoff, actor=ava, decision="approved", comment="Narrow use confirmed.", evidence=LINK)
    high.refresh_from_db()
    assert (high.tier, high.pending, high.pending_signoff) == ("minimal", None, None)
    assert high.classified_by == bob
    assert "high-risk-art-43-conformity-assessment" not in obligation_keys(project)


def test_rejecting_keeps_the_classification_in_force(project, bob, ava, high):
    change = services.classification_set(project=project, actor=bob, answers={"role": "deployer", "annex_iii_points": ["4a"]})
    assert change.pending_reason == "it changes the role from provider to deployer"
    before = obligation_keys(project)
    services.signoff_decide(signoff=change.signoff, actor=ava, decision="rejected", comment="We build it: we are its provider.")
    high.refresh_from_db()
    assert (high.role, high.pending) == ("provider", None)
    assert obligation_keys(project) == before
    with pytest.raises(Conflict):
        services.signoff_reopen(signoff=change.signoff, actor=project.memberships.get(role="owner").user)


def test_the_requester_does_not_sign_off_their_own_change(project, alice, bob, high):
    membership = project.memberships.get(user=bob)
    lifecycle_services.membership_update(membership=membership, actor=alice, role="contributor", functions=["compliance_officer"])
    change = services.classification_set(project=project, actor=bob, answers={"role": "provider"})
    with pytest.raises(PermissionDenied):
        services.signoff_decide(signoff=change.signoff, actor=bob, decision="approved", comment="Mine.", evidence=LINK)
    high.refresh_from_db()
    assert high.tier == "high"


def test_raising_the_tier_takes_effect_at_once_and_drops_a_waiting_downgrade(project, bob, high):
    waiting = services.classification_set(project=project, actor=bob, answers={"role": "provider"}).signoff
    change = services.classification_set(
        project=project, actor=bob, answers={"annex_iii_points": ["4a"], "transparency": ["art-50-1"], "role": "provider"}
    )
    assert not change.pending_reason
    high.refresh_from_db()
    assert (high.pending, "limited-art-50-1-ai-interaction-notice" in obligation_keys(project)) == (None, True)
    waiting.refresh_from_db()
    assert waiting.status == "rejected" and "Superseded" in waiting.comment
    assert AuditEvent.objects.filter(action="signoff.rejected", object_id=waiting.pk).exists()


def test_a_second_downgrade_replaces_the_first_in_the_same_sign_off(project, bob, high):
    first = services.classification_set(project=project, actor=bob, answers={"transparency": ["art-50-1"], "role": "provider"})
    second = services.classification_set(project=project, actor=bob, answers={"role": "provider"})
    assert first.signoff.pk == second.signoff.pk
    assert AuditEvent.objects.filter(action="signoff.updated", object_id=first.signoff.pk).count() == 1
    assert Signoff.objects.filter(kind="classification_change").count() == 1
    high.refresh_from_db()
    assert high.pending["tier"] == "minimal"


def test_legal_signs_off_when_nobody_is_compliance_officer(project, alice, bob, ava, high):
    membership = project.memberships.get(user=ava)
    lifecycle_services.membership_update(membership=membership, actor=alice, role="approver", functions=["legal"])
    change = services.classification_set(project=project, actor=bob, answers={"role": "provider"})
    assert change.signoff.function_id == "legal"


def test_dropping_a_models_duties_needs_the_sign_off_too(project, bob):
    services.classification_set(project=project, actor=bob, answers={"gpai_provider": True, "systemic_compute": True, "role": "provider"})
    change = services.classification_set(project=project, actor=bob, answers={"gpai_provider": True, "role": "provider"})
    assert change.pending_reason.startswith("it changes the model role")


def test_the_page_and_the_api_show_the_waiting_change(client_for, api_for, project, bob, vic, high):
    response = client_for(bob).post(reverse("governance:classification", args=[project.pk]), {"role": "provider"}, follow=True)
    html = response.content.decode()
    assert "waits for a sign-off by the compliance officer function" in html
    assert "A change waits for its sign-off:" in html and "High-risk" in html
    signoff = Classification.objects.get(project=project).pending_signoff
    body = api_for(vic).get(f"/api/v1/projects/{project.pk}/classification/").json()
    assert (body["tier"], body["pending"]["tier"], body["pending"]["signoff"]) == ("high", "minimal", str(signoff.pk))
