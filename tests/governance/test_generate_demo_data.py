"""The bulk generator makes realistic projects the app can score and show."""

from __future__ import annotations

from django.core.management import call_command

from governance.models import Gate
from governance.services import readiness
from lifecycle import services
from lifecycle.models import AuditEvent, ChangeRecord, Project
from phases.models import ChecklistItem


def test_it_generates_projects_spread_over_the_phases(db, capsys):
    call_command("generate_demo_data", "--projects", "12", "--seed", "3")

    assert "Generated 12 projects" in capsys.readouterr().out
    projects = Project.objects.all()
    assert projects.count() == 12
    assert len(set(projects.values_list("current_phase", flat=True))) >= 3
    assert ChecklistItem.objects.count() == 12 * ChecklistItem.objects.filter(project=projects.first()).count()
    assert Gate.objects.count() == 60
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
