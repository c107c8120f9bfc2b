"""Sign-offs: decided only by a member holding the function, with a comment and evidence;
back to pending when approved evidence changes."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import PermissionDenied

from governance import services
from governance.models import Signoff
from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError
from lifecycle.models import Membership, Notification
from phases import services as phases_services
from sample_data.artifacts import SAMPLES


@pytest.fixture
def privacy(project):
    # The default template puts the data-privacy sign-off in Scope, for compliance officers.
    return Signoff.objects.get(project=project, kind="data_privacy")


@pytest.fixture
def artifact(project, bob):
    title, data = SAMPLES["feasibility_study"]
    return phases_services.artifact_create(project=project, actor=bob, type="feasibility_study", title=title, data=copy.deepcopy(data))


def test_project_creation_adds_a_pending_signoff_per_kind(project):
    kinds = set(Signoff.objects.filter(project=project).values_list("kind", flat=True))
    assert kinds == {"bias_audit", "transparency", "data_privacy", "legal_review", "security_review"}
    assert set(Signoff.objects.filter(project=project).values_list("status", flat=True)) == {"pending"}


def test_only_a_member_holding_the_function_decides(privacy, alice, bob, vic, adam, ava, artifact):
    evidence = [{"type": "artifact", "id": str(artifact.pk)}]
    # Owner, contributor, viewer and even an administrator are refused: it is a personal attestation.
    for person in (alice, bob, vic, adam):
        with pytest.raises(PermissionDenied):
            services.signoff_decide(signoff=privacy, actor=person, decision="approved", comment="ok", evidence=evidence)

    signoff = services.signoff_decide(signoff=privacy, actor=ava, decision="approved", comment="DPIA done", evidence=evidence)

    assert (signoff.status, signoff.decided_by) == ("approved", ava)
    assert signoff.evidence == [{"type": "artifact", "id": str(artifact.pk), "title": artifact.title, "version": 1}]


def test_an_admin_who_holds_the_function_may_decide(project, alice, adam, privacy):
    lifecycle_services.membership_add(project=project, actor=alice, user=adam, role="viewer", functions=["compliance_officer"])
    signoff = services.signoff_decide(signoff=privacy, actor=adam, decision="rejected", comment="DPIA missing")
    assert signoff.status == "rejected"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"decision": "maybe", "comment": "x"}, "decision"),
        ({"decision": "approved", "comment": " "}, "comment"),
        ({"decision": "approved", "comment": "ok", "evidence": []}, "evidence"),
        ({"decision": "approved", "comment": "ok", "evidence": [{"type": "link", "url": "javascript:alert(1)"}]}, "evidence[0]"),
        ({"decision": "approved", "comment": "ok", "evidence": [{"type": "artifact", "id": "not-a-uuid"}]}, "evidence[0]"),
    ],
)
def test_bad_decisions_change_nothing(privacy, ava, kwargs, field):
    with pytest.raises(ApplicationError) as error:
        services.signoff_decide(signoff=privacy, actor=ava, **kwargs)
    assert field in error.value.fields
    privacy.refresh_from_db()
    assert privacy.status == "pending"


def test_evidence_of_another_project_is_refused(privacy, ava, charlie):
    other = lifecycle_services.project_create(actor=charlie, name="Other")
    title, data = SAMPLES["model_card"]
    foreign = phases_services.artifact_create(project=other, actor=charlie, type="model_card", title=title, data=data)
    with pytest.raises(ApplicationError):
        services.signoff_decide(
            signoff=privacy, actor=ava, decision="approved", comment="ok", evidence=[{"type": "artifact", "id": str(foreign.pk)}]
        )


def test_changed_evidence_returns_the_signoff_to_pending_and_tells_the_signer(privacy, ava, bob, artifact):
    services.signoff_decide(
        signoff=privacy, actor=ava, decision="approved", comment="Fine", evidence=[{"type": "artifact", "id": str(artifact.pk)}]
    )

    data = copy.deepcopy(artifact.latest_version.data)
    data["budget_estimate"] = "99000"
    phases_services.artifact_update(artifact=artifact, actor=bob, data=data)

    privacy.refresh_from_db()
    assert privacy.status == "pending"
    notification = Notification.objects.get(user=ava, kind="signoff_evidence_changed")
    assert "was v1" in notification.body


def test_unrelated_changes_leave_the_signoff_alone(project, privacy, ava, bob, artifact):
    services.signoff_decide(
        signoff=privacy,
        actor=ava,
        decision="approved",
        comment="Fine",
        evidence=[{"type": "link", "url": "https://wiki.example/dpia"}],
    )
    phases_services.artifact_update(artifact=artifact, actor=bob, title="Renamed study")
    privacy.refresh_from_db()
    assert privacy.status == "approved"


def test_the_inbox_lists_pending_signoffs_for_function_holders(alice, ava, bob, privacy):
    from governance.selectors import signoffs as signoff_selectors

    assert privacy in list(signoff_selectors._waiting(ava))
    assert signoff_selectors.inbox_count(bob) == 0
    # Sign-offs of phases the project has not reached yet wait.
    membership = Membership.objects.get(user=ava)
    lifecycle_services.membership_update(membership=membership, actor=alice, role="approver", functions=["compliance_officer", "legal"])
    assert Signoff.objects.filter(project=privacy.project, phase__key="select", function__key="legal").exists()
    assert [s.kind for s in signoff_selectors._waiting(ava)] == ["data_privacy"]
    Membership.objects.get(user=ava).functions.clear()
    assert signoff_selectors.inbox_count(ava) == 0


def test_a_member_who_gains_a_function_hears_of_the_signoffs_waiting_for_it(project, alice, ava, bob):
    # ava joined as compliance officer after the project (and its Scope phase) started.
    requested = Notification.objects.filter(user=ava, kind="signoff_requested")
    assert [n.title for n in requested] == ["Sign-off due: " + Signoff.objects.get(project=project, kind="data_privacy").title]
    assert not Notification.objects.filter(user=bob, kind="signoff_requested").exists()

    # A function whose sign-offs are in a phase not started yet: nothing until that phase starts.
    membership = Membership.objects.get(user=ava)
    lifecycle_services.membership_update(membership=membership, actor=alice, role="approver", functions=["compliance_officer", "legal"])
    assert requested.count() == 1
    # The same functions again: no repeat.
    lifecycle_services.membership_update(membership=membership, actor=alice, role="approver", functions=["compliance_officer", "legal"])
    assert requested.count() == 1

    lifecycle_services.phase_advance(project=project, actor=None)
    legal = Signoff.objects.get(project=project, kind="legal_review")
    assert requested.filter(title=f"Sign-off due: {legal.title}").count() == 1
