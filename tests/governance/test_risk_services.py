"""Risk scoring on the template's matrix, acceptance rules and expiry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from governance import services
from governance.models import Risk, RiskCategory, RiskMatrix, TemplateGovernance
from lifecycle.exceptions import ApplicationError, Conflict
from lifecycle.models import Notification


@pytest.fixture
def category(db):
    return RiskCategory.objects.get(project=None, key="confabulation")


def make(project, actor, category, **fields):
    fields = {"title": "Wrong answers", "likelihood": 3, "impact": 3, **fields}
    return services.risk_create(project=project, actor=actor, category=category, **fields)


def test_the_twelve_nist_600_1_risks_are_ready_categories(db):
    assert RiskCategory.objects.filter(project=None).count() == 12
    assert RiskCategory.objects.get(project=None, key="confabulation").ref == "nist-ai-600-1:confabulation"


@pytest.mark.parametrize(
    ("size", "likelihood", "impact", "score", "level"),
    [
        (5, 1, 1, 1, "low"),
        (5, 2, 2, 4, "low"),
        (5, 1, 5, 5, "medium"),
        (5, 3, 3, 9, "medium"),
        (5, 2, 5, 10, "high"),
        (5, 4, 4, 16, "high"),
        (5, 4, 5, 20, "critical"),
        (5, 5, 5, 25, "critical"),
        (4, 1, 3, 3, "low"),
        (4, 2, 2, 4, "medium"),
        (4, 2, 4, 8, "high"),
        (4, 3, 4, 12, "critical"),
        (3, 1, 2, 2, "low"),
        (3, 1, 3, 3, "medium"),
        (3, 2, 3, 6, "high"),
        (3, 3, 3, 9, "critical"),
    ],
)
def test_it_scores_on_the_templates_matrix(project, bob, category, size, likelihood, impact, score, level):
    TemplateGovernance.objects.filter(template=project.template).update(risk_matrix=RiskMatrix.objects.get(size=size))
    risk = make(project, bob, category, likelihood=likelihood, impact=impact)
    assert (risk.inherent_score, risk.inherent_level) == (score, level)


def test_the_residual_assessment_is_scored_too(project, bob, category):
    risk = make(project, bob, category, likelihood=4, impact=5, residual_likelihood=2, residual_impact=2)
    assert (risk.inherent_level, risk.residual_score, risk.residual_level, risk.level) == ("critical", 4, "low", "low")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"likelihood": 6}, "likelihood"),
        ({"impact": 0}, "impact"),
        ({"title": " "}, "title"),
        ({"residual_likelihood": 2}, "residual_impact"),
        ({"phase_found": "launch"}, "phase_found"),
        ({"status": "accepted"}, "status"),
    ],
)
def test_it_refuses_bad_risks(project, bob, category, fields, field):
    with pytest.raises(ApplicationError) as error:
        make(project, bob, category, **fields)
    assert field in error.value.fields
    assert not Risk.objects.exists()


def test_a_3x3_matrix_refuses_a_likelihood_of_4(project, bob, category):
    TemplateGovernance.objects.filter(template=project.template).update(risk_matrix=RiskMatrix.objects.get(size=3))
    with pytest.raises(ApplicationError, match="from 1 to 3"):
        make(project, bob, category, likelihood=4)


def test_the_owner_must_be_a_member(project, bob, charlie, category):
    with pytest.raises(ApplicationError) as error:
        make(project, bob, category, owner=charlie)
    assert "owner" in error.value.fields


def test_only_approvers_accept_high_risks_with_an_expiry(project, alice, bob, ava, adam, category):
    risk = make(project, bob, category, likelihood=4, impact=4)
    later = date.today() + timedelta(days=30)
    for person in (alice, bob):
        with pytest.raises(PermissionDenied):
            services.risk_accept(risk=risk, actor=person, expires_on=later, comment="ok")
    with pytest.raises(ApplicationError) as error:
        services.risk_accept(risk=risk, actor=ava, expires_on=None, comment="ok")
    assert "expires_on" in error.value.fields
    with pytest.raises(ApplicationError):
        services.risk_accept(risk=risk, actor=ava, expires_on=date.today(), comment="ok")

    risk = services.risk_accept(risk=risk, actor=ava, expires_on=later, comment="Mitigated enough")

    assert (risk.status, risk.accepted_by, risk.acceptance_expires_on) == ("accepted", ava, later)
    with pytest.raises(Conflict):
        services.risk_accept(risk=risk, actor=adam, expires_on=later, comment="again")


def test_contributors_accept_lower_risks(project, bob, category):
    risk = make(project, bob, category, likelihood=1, impact=2)
    risk = services.risk_accept(risk=risk, actor=bob, expires_on=None)
    assert risk.status == "accepted"


def test_an_expired_acceptance_reopens_the_risk_and_tells_its_owner(project, bob, ava, category, time_machine):
    time_machine.move_to("2026-03-01 09:00:00+00:00")
    risk = make(project, bob, category, likelihood=4, impact=4, owner=bob)
    services.risk_accept(risk=risk, actor=ava, expires_on=date(2026, 3, 10), comment="For now")

    time_machine.move_to("2026-03-10 09:00:00+00:00")
    assert services.risk_acceptances_expire() == []
    risk.refresh_from_db()
    # Still accepted on its last day: it does not count as open yet.
    assert not risk.counts_as_open()

    time_machine.move_to("2026-03-11 09:00:00+00:00")
    # Before the task runs, the expired acceptance already counts as open for gates.
    risk.refresh_from_db()
    assert risk.counts_as_open()
    assert [r.pk for r in services.risk_acceptances_expire()] == [risk.pk]
    risk.refresh_from_db()
    assert risk.status == "open"
    assert Notification.objects.get(user=bob, kind="risk_acceptance_expired").title == "Risk reopened: Wrong answers"
    # A second run the same day finds nothing more.
    assert services.risk_acceptances_expire() == []


def test_custom_categories_belong_to_one_project(project, alice, bob):
    category = services.risk_category_create(project=project, actor=alice, name="Vendor lock-in")
    risk = make(project, bob, category)
    assert risk.category.is_custom
    with pytest.raises(ApplicationError):
        services.risk_category_create(project=project, actor=alice, name="Vendor lock-in")
