"""A project's checklist (every phase) as CSV and XLSX."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lifecycle.models import PhaseKey
from phases import services
from phases.models import ChecklistItem
from tests.export_readers import csv_rows, xlsx_cells, xlsx_rows
from tests.helpers import count_queries, statuses_by_role

HEADER = ["phase", "order", "title", "required", "weight", "done", "done by", "done at", "note", "evidence links", "framework refs"]


@pytest.fixture
def item(project):
    return ChecklistItem.objects.filter(project=project, phase__key="scope").exclude(refs=[]).order_by("order").first()


@pytest.fixture
def ticked(item, bob, time_machine):
    time_machine.move_to("2026-11-30 09:15:00+00:00", tick=False)
    return services.checklist_item_set_done(
        item=item, actor=bob, done=True, note="=1+1 checked with legal", evidence_links=["https://wiki.example/a", "https://wiki.example/b"]
    )


def _url(project, fmt: str | None = None) -> str:
    url = reverse("phases:checklist-export", args=[project.pk])
    return f"{url}?format={fmt}" if fmt else url


def _expected_order(project) -> list[tuple[str, int]]:
    items = ChecklistItem.objects.filter(project=project).select_related("phase").order_by("phase__order", "order")
    return [(i.phase.name, i.order) for i in items]


def test_the_csv_export_lists_every_phase_in_order(client_for, alice, project, ticked):
    rows = csv_rows(client_for(alice).get(_url(project, "csv")))
    assert rows[0] == HEADER
    assert [(r[0], int(r[1])) for r in rows[1:]] == _expected_order(project)
    assert {r[0] for r in rows[1:]} == {"Scope", "Select", "Adapt/Align", "Evaluate", "Integrate"}
    row = next(r for r in rows if r[2] == ticked.title)
    assert row == [
        "Scope",
        str(ticked.order),
        ticked.title,
        "true" if ticked.required else "false",
        str(ticked.weight),
        "true",
        "bob",
        "2026-11-30T09:15:00+00:00",
        "'=1+1 checked with legal",  # a note is text, never a formula
        "https://wiki.example/a\nhttps://wiki.example/b",
        ", ".join(ticked.refs),
    ]
    undone = next(r for r in rows[1:] if r[5] == "false")
    assert undone[6:10] == ["", "", "", ""]


def test_the_xlsx_export_keeps_values_typed(client_for, alice, project, ticked):
    cells = xlsx_cells(client_for(alice).get(_url(project, "xlsx")))
    assert [c.value for c in cells[0]] == HEADER
    assert len(cells) - 1 == ChecklistItem.objects.filter(project=project).count()
    row = next(r for r in cells if r[2].value == ticked.title)
    assert (row[1].data_type, row[3].data_type, row[4].data_type, row[5].data_type) == ("n", "b", "n", "b")
    assert [row[3].value, row[5].value, row[6].value] == [ticked.required, True, "bob"]
    assert row[7].is_date and row[7].value.isoformat() == "2026-11-30T09:15:00"
    assert (row[8].value, row[8].data_type, row[8].quotePrefix) == ("=1+1 checked with legal", "s", True)
    assert row[10].value == ", ".join(ticked.refs)


def test_the_checklist_is_for_those_who_see_the_project(client_for, personas, project):
    assert statuses_by_role(personas, client_for, "get", _url(project, "csv")) == {
        "owner": 200,
        "contributor": 200,
        "approver": 200,
        "viewer": 200,
        "portfolio_viewer": 200,
        "admin": 200,
        "outsider": 404,
    }


def test_anonymous_users_are_sent_to_log_in(client, project):
    response = client.get(_url(project, "csv"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_outsider_gets_404_even_with_a_bad_format(client_for, charlie, project):
    # The project's existence must not leak through the format check.
    assert client_for(charlie).get(_url(project, "pdf")).status_code == 404


@pytest.mark.parametrize(("fmt", "message"), [("pdf", "Unknown export format “pdf”"), (None, "No export format given")])
def test_a_bad_or_missing_format_is_a_400(client_for, vic, project, fmt, message):
    response = client_for(vic).get(_url(project, fmt))
    assert response.status_code == 400
    assert response.content.decode() == f"{message}: use format=csv or format=xlsx."


def test_only_get_is_allowed(client_for, alice, project):
    assert client_for(alice).post(_url(project, "csv")).status_code == 405


def test_the_download_is_named_after_the_project_and_the_day(client_for, alice, project, time_machine):
    time_machine.move_to("2026-11-30 09:00:00+00:00")
    response = client_for(alice).get(_url(project, "xlsx"))
    assert response["Content-Disposition"] == f'attachment; filename="checklist-{project.pk}-20261130.xlsx"'


def test_the_phase_page_links_to_the_exports(client_for, vic, project):
    scope = project.phases.get(key=PhaseKey.SCOPE)
    html = client_for(vic).get(reverse("phases:phase-detail", args=[scope.pk])).content.decode()
    assert f'href="{_url(project, "csv")}"' in html
    assert f'href="{_url(project, "xlsx")}"' in html


def _grow(project, bob, n: int) -> None:
    items = services.checklist_items_add(
        project=project,
        actor=None,
        entries=[
            {"phase": key, "key": f"grown-{i}", "title": f"Grown {i}", "refs": ["eu-ai-act:art-9"]}
            for i in range(n)
            for key in ("scope", "evaluate")
        ],
        source="obligation",
        tier="high",
    )
    for item in items[::2]:
        services.checklist_item_set_done(item=item, actor=bob, done=True, note="done", evidence_links=["https://x.example"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_makes_a_fixed_number_of_queries(client_for, vic, bob, project, fmt):
    client = client_for(vic)
    small, response = count_queries(lambda: client.get(_url(project, fmt)))
    before = len(xlsx_rows(response) if fmt == "xlsx" else csv_rows(response))
    _grow(project, bob, 5)
    large, response = count_queries(lambda: client.get(_url(project, fmt)))
    assert len(xlsx_rows(response) if fmt == "xlsx" else csv_rows(response)) == before + 10
    # session, user, project, membership, items with their phase and who ticked them
    assert (small, large) == (5, 5)
