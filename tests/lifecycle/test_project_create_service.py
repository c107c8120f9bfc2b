"""project_create instantiates the five phases and every app's part of the template at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lifecycle import hooks, services
from lifecycle.exceptions import ApplicationError
from lifecycle.models import ChecklistItemTemplate, LifecycleTemplate, Membership, Phase, PhaseKey, Project
from phases.models import ChecklistItem


def test_it_creates_the_five_phases_with_planned_dates(alice):
    project = services.project_create(actor=alice, name="Assistant", start_date=date(2026, 1, 1))

    phases = list(project.phases.order_by("order"))
    assert [p.key for p in phases] == PhaseKey.ordered()
    durations = [p.template.duration_days for p in phases]
    cursor = date(2026, 1, 1)
    for phase, days in zip(phases, durations, strict=True):
        assert (phase.planned_start, phase.planned_end) == (cursor, cursor + timedelta(days=days - 1))
        cursor = phase.planned_end + timedelta(days=1)
    # Only Scope is open; it started today.
    assert [p.status for p in phases] == ["in_progress"] + ["not_started"] * 4
    assert phases[0].actual_start is not None
    assert project.current_phase == "scope" and project.status == "active"


def test_it_makes_the_creator_the_owner(alice):
    project = services.project_create(actor=alice, name="Assistant")
    assert list(Membership.objects.filter(project=project).values_list("user__username", "role")) == [("alice", "owner")]


def test_it_copies_the_template_checklist(alice):
    project = services.project_create(actor=alice, name="Assistant")
    expected = ChecklistItemTemplate.objects.filter(phase__template=project.template).count()
    assert ChecklistItem.objects.filter(project=project).count() == expected
    required = ChecklistItem.objects.filter(project=project, required=True).count()
    assert 0 < required < expected


def test_it_keeps_the_template_version_it_was_created_from(alice):
    project = services.project_create(actor=alice, name="Assistant")
    template = project.template
    newer = services.template_import(
        text=services.template_export(template=template).replace("name: Scope", "name: Discovery"), make_default=True
    )
    assert newer.version == template.version + 1
    project.refresh_from_db()
    assert project.template == template
    assert project.phases.get(key="scope").name == "Scope"
    later = services.project_create(actor=alice, name="Later")
    assert later.template == newer and later.phases.get(key="scope").name == "Discovery"


def test_it_normalises_tags(alice):
    project = services.project_create(actor=alice, name="Assistant", tags=["Pilot", "pilot", "  customer  service "])
    assert sorted(t.name for t in project.tags.all()) == ["customer service", "pilot"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "ok", "tags": ["<script>"]}, "tags"),
        ({"name": "ok", "start_date": date(9999, 12, 20)}, "start_date"),
        ({"name": "ok", "start_date": date(1, 1, 1)}, "start_date"),
    ],
)
def test_it_refuses_bad_input_and_creates_nothing(alice, kwargs, field):
    before = Project.objects.count()
    with pytest.raises(ApplicationError) as error:
        services.project_create(actor=alice, **kwargs)
    assert field in error.value.fields
    assert Project.objects.count() == before


def test_a_far_future_start_date_is_refused_on_edit_too(alice):
    project = services.project_create(actor=alice, name="Dated")
    with pytest.raises(ApplicationError) as error:
        services.project_update(project=project, actor=alice, start_date=date(9999, 12, 20))
    assert "start_date" in error.value.fields


def test_it_creates_nothing_when_a_higher_app_fails(alice):
    def failing_hook(project, actor):
        raise RuntimeError("a higher app failed")

    hooks.registry.on_project_created(failing_hook)
    try:
        with pytest.raises(RuntimeError):
            services.project_create(actor=alice, name="Half made")
    finally:
        hooks.registry.project_created.remove(failing_hook)
    assert not Project.objects.filter(name="Half made").exists()
    assert not Phase.objects.filter(project__name="Half made").exists()


def test_it_needs_a_template(alice):
    LifecycleTemplate.objects.update(is_default=False)
    with pytest.raises(ApplicationError, match="No lifecycle template"):
        services.project_create(actor=alice, name="Assistant")
