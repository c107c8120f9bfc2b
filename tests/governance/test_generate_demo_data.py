"""The bulk generator makes realistic projects the app can score and show."""

from __future__ import annotations

from django.core.management import call_command

from governance.models import Gate, Review, Vote
from governance.services import readiness
from lifecycle import services
from lifecycle.models import AuditEvent, ChangeRecord, PhaseKey, Project
from phases.models import ChecklistItem


def test_it_generates_projects_spread_over_the_phases(db, capsys):
    call_command("generate_demo_data", "--projects", "12", "--seed", "3")

    assert "Generated 12 projects" in capsys.readouterr().out
    projects = Project.objects.all()
    assert projects.count() == 12
    assert len(set(projects.values_list("current_phase", flat=True))) >= 3
    assert ChecklistItem.objects.count() == 12 * ChecklistItem.objects.filter(project=projects.first()).count()
    assert Gate.objects.count() == 60
    # Passed gates were decided Go by every approver; some current gates wait for a decision.
    resolved = Review.objects.filter(status="resolved")
    assert resolved.exists() and Vote.objects.exists()
    for review in resolved.select_related("gate__phase", "project"):
        assert review.gate.phase.order < PhaseKey.ordered().index(review.project.current_phase) or review.project.status == "live"
        assert review.votes.filter(decision="go").count() == review.approvers.count() == review.needed
    for review in Review.objects.filter(status="open").select_related("gate__phase", "project"):
        assert review.gate.phase.key == review.project.current_phase
    # Audit and feed rows come through the change record's bulk entry point, in the chain.
    assert AuditEvent.objects.filter(action="project.generated").count() == 12
    assert ChangeRecord.objects.filter(action="project.generated").count() == 12
    assert services.audit_chain_verify().ok
    # Generated gates are stale and score like any other.
    result = readiness.gates_assess(list(Gate.objects.values_list("pk", flat=True)))
    assert result == {"assessed": 60, "new": 60}
    assert not Gate.objects.filter(stale=True).exists()


def test_it_refuses_silly_sizes(db):
    import pytest
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("generate_demo_data", "--projects", "0")


def test_generated_reviews_show_like_any_other(client, db):
    from tests.conftest import make_user

    call_command("generate_demo_data", "--projects", "6", "--seed", "5")
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    reviews = list(Review.objects.all()[:6])
    assert reviews
    for review in reviews:
        assert client.get(review.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200
