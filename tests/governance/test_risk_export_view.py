"""The risk register's exports (project and portfolio), as CSV and XLSX."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.urls import reverse

from governance import services
from governance.models import RiskCategory
from lifecycle import services as lifecycle_services
from tests.export_readers import csv_rows, xlsx_cells, xlsx_rows
from tests.helpers import count_queries, statuses_by_role

DUE = date(2026, 12, 15)
HEADER = [
    "project",
    "title",
    "category",
    "phase_found",
    "likelihood",
    "impact",
    "inherent_score",
    "inherent_level",
    "residual_likelihood",
    "residual_impact",
    "residual_level",
    "owner",
    "treatment",
    "mitigation_plan",
    "mitigation_due",
    "status",
    "acceptance_expires_on",
]


@pytest.fixture
def category(db):
    return RiskCategory.objects.get(project=None, key="data-privacy")


@pytest.fixture
def risk(project, bob, category):
    return services.risk_create(
        project=project,
        actor=bob,
        title="+cmd",
        category=category,
        likelihood=4,
        impact=3,
        residual_likelihood=2,
        residual_impact=2,
        owner=bob,
        treatment="mitigate",
        mitigation_plan="-mask the logs",
        mitigation_due=DUE,
        status="mitigating",
    )


def _rows(response, fmt: str) -> list[list]:
    return csv_rows(response) if fmt == "csv" else xlsx_rows(response)


def _project_export(client, project, fmt: str, **params):
    return client.get(reverse("governance:risk-list", args=[project.pk]), {**params, "format": fmt})


def _portfolio_export(client, fmt: str, **params):
    return client.get(reverse("governance:portfolio-risks"), {**params, "format": fmt})


def test_the_csv_export_has_every_column(client_for, alice, project, risk):
    rows = csv_rows(_project_export(client_for(alice), project, "csv"))
    assert rows[0] == HEADER
    assert rows[1] == [
        "Support assistant",
        "'+cmd",  # neutralised: a spreadsheet would run it
        risk.category.name,
        "scope",
        "4",
        "3",
        "12",
        risk.inherent_level,
        "2",
        "2",
        risk.residual_level,
        "bob",
        "mitigate",
        "'-mask the logs",
        "2026-12-15",
        "mitigating",
        "",
    ]


def test_the_xlsx_export_keeps_numbers_and_dates_typed(client_for, alice, project, risk):
    cells = xlsx_cells(_project_export(client_for(alice), project, "xlsx"))
    assert [c.value for c in cells[0]] == HEADER
    row = cells[1]
    assert [c.value for c in row[4:7]] == [4, 3, 12]
    assert {c.data_type for c in row[4:7]} == {"n"}
    assert row[14].value == datetime(2026, 12, 15) and row[14].is_date
    # The risky title is text, never a formula, and stays text when edited.
    assert (row[1].value, row[1].data_type, row[1].quotePrefix) == ("+cmd", "s", True)
    assert (row[13].value, row[13].data_type, row[13].quotePrefix) == ("-mask the logs", "s", True)
    assert row[16].value is None


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_project_export_applies_the_filters(client_for, alice, project, risk, category, fmt):
    services.risk_create(project=project, actor=alice, title="Low one", category=category, likelihood=1, impact=1)
    client = client_for(alice)

    def titles(**params):
        return [row[1] for row in _rows(_project_export(client, project, fmt, **params), fmt)[1:]]

    plus = "'+cmd" if fmt == "csv" else "+cmd"
    assert titles() == [plus, "Low one"]
    assert titles(sort="title") == [plus, "Low one"]
    assert titles(q="low") == ["Low one"]
    assert titles(status="mitigating") == [plus]
    assert titles(likelihood="1", impact="1") == ["Low one"]
    assert titles(status="closed") == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_portfolio_export_holds_only_visible_projects(client_for, personas, project, risk, charlie, category, fmt):
    other = lifecycle_services.project_create(actor=charlie, name="Charlie's")
    services.risk_create(project=other, actor=charlie, title="Charlie's risk", category=category, likelihood=1, impact=1)

    def projects(role, **params):
        return {row[0] for row in _rows(_portfolio_export(client_for(personas[role]), fmt, **params), fmt)[1:]}

    assert projects("owner") == {"Support assistant"}
    assert projects("viewer") == {"Support assistant"}
    assert projects("outsider") == {"Charlie's"}
    assert projects("portfolio_viewer") == {"Support assistant", "Charlie's"}
    assert projects("portfolio_viewer", q="charlie") == {"Charlie's"}


def test_the_downloads_are_named_after_the_register_and_the_day(client_for, alice, project, risk, time_machine):
    time_machine.move_to("2026-11-30 09:00:00+00:00")
    client = client_for(alice)
    assert _project_export(client, project, "xlsx")["Content-Disposition"] == f'attachment; filename="risks-{project.pk}-20261130.xlsx"'
    assert _portfolio_export(client, "csv")["Content-Disposition"] == 'attachment; filename="portfolio-risks-20261130.csv"'


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_project_export_is_for_those_who_see_the_project(client_for, personas, project, risk, fmt):
    url = f"{reverse('governance:risk-list', args=[project.pk])}?format={fmt}"
    assert statuses_by_role(personas, client_for, "get", url) == {
        "owner": 200,
        "contributor": 200,
        "approver": 200,
        "viewer": 200,
        "portfolio_viewer": 200,
        "admin": 200,
        "outsider": 404,
    }


def test_a_bad_format_is_a_400(client_for, alice, project, risk):
    for response in (_project_export(client_for(alice), project, "pdf"), _portfolio_export(client_for(alice), "json")):
        assert response.status_code == 400
        assert "use format=csv or format=xlsx" in response.content.decode()


def test_the_register_links_to_both_exports(client_for, alice, project, risk):
    html = client_for(alice).get(reverse("governance:risk-list", args=[project.pk]), {"status": "open"}).content.decode()
    assert 'href="?status=open&amp;format=csv"' in html
    assert 'href="?status=open&amp;format=xlsx"' in html
    assert 'href="?format=xlsx"' in client_for(alice).get(reverse("governance:portfolio-risks")).content.decode()


def _grow(project, actor, category, n: int) -> None:
    for i in range(n):
        services.risk_create(project=project, actor=actor, title=f"Grown {i}", category=category, likelihood=2, impact=3, owner=actor)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_exports_make_a_fixed_number_of_queries(client_for, alice, bob, project, risk, category, fmt):
    client = client_for(alice)
    before = (count_queries(lambda: _project_export(client, project, fmt))[0], count_queries(lambda: _portfolio_export(client, fmt))[0])
    _grow(project, bob, category, 6)
    other = lifecycle_services.project_create(actor=alice, name="Second")
    _grow(other, alice, category, 3)
    after = (count_queries(lambda: _project_export(client, project, fmt))[0], count_queries(lambda: _portfolio_export(client, fmt))[0])
    # project: session, user, project, membership; risks with category and owner.
    # portfolio: session, user, portfolio-viewer check; risks with project, category and owner;
    # and the one-export-per-person lock (its savepoint, the lock, the release).
    assert (before, after) == ((5, 7), (5, 7))


def test_the_portfolio_register_is_exported_once_at_a_time_per_person(client_for, alice, project, risk):
    from tests.lifecycle.test_exports import export_in_progress

    client = client_for(alice)
    with export_in_progress(alice):
        assert _portfolio_export(client, "csv").status_code == 429
        # A project's own register is not the whole portfolio: it is never held back.
        assert _project_export(client, project, "csv").status_code == 200
    assert _portfolio_export(client, "csv").status_code == 200
