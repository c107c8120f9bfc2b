"""The shared table export (lifecycle.infrastructure.exports) and the portfolio's export of the project list."""

from __future__ import annotations

import contextlib
import io
import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from lifecycle import services
from lifecycle.infrastructure import exports
from lifecycle.models import Project
from phases import services as phases_services
from tests.conftest import make_user
from tests.export_readers import csv_rows, xlsx_cells, xlsx_rows
from tests.helpers import count_queries

HEADER = [
    "name",
    "status",
    "current phase",
    "owners",
    "tags",
    "created",
    "updated",
    "checklist done (current phase)",
    "checklist items (current phase)",
]
RISKY = ['=HYPERLINK("http://x")', "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def _table(fmt: str, rows: list[list], header: list[str] | None = None):
    return exports.table_response(header=header or ["text", "number"], rows=rows, basename="things", fmt=fmt)


# The helper ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_names_the_download_after_the_list_and_the_day(fmt, time_machine):
    time_machine.move_to("2026-11-30 09:00:00+00:00")
    response = _table(fmt, [["a", 1]])
    assert response["Content-Disposition"] == f'attachment; filename="things-20261130.{fmt}"'


def test_it_quotes_risky_text_in_csv_but_not_numbers():
    rows = csv_rows(_table("csv", [[text, -5] for text in RISKY]))
    assert rows[0] == ["text", "number"]
    assert [row[0] for row in rows[1:]] == [f"'{text}" for text in RISKY]
    # A negative number is data, not a formula: it stays as it is.
    assert {row[1] for row in rows[1:]} == {"-5"}


def test_it_writes_risky_text_as_text_in_xlsx():
    cells = xlsx_cells(_table("xlsx", [[text, -5] for text in RISKY] + [["#N/A", 1], ["plain", 2]]))
    texts = [row[0] for row in cells[1:]]
    # The text is kept as typed (XML reads a carriage return back as a line feed); it is a string
    # cell, never a formula (xlsx_cells checks the XML).
    assert [c.value for c in texts] == [*RISKY[:-1], "\nx", "#N/A", "plain"]
    assert {c.data_type for c in texts} == {"s"}
    # Excel's quote prefix keeps a risky cell text even when someone edits it.
    assert [c.quotePrefix for c in texts] == [True] * len(RISKY) + [False, False]
    assert [row[1].value for row in cells[1:3]] == [-5, -5]


def test_it_keeps_numbers_dates_and_booleans_typed_in_xlsx():
    when = datetime(2026, 11, 30, 10, 15, 30, 123456, tzinfo=UTC)
    header = ["int", "decimal", "date", "datetime", "bool", "none", "uuid"]
    row = [7, Decimal("2.5"), date(2026, 12, 1), when, True, None, Project(name="x").pk]
    cells = xlsx_cells(_table("xlsx", [row], header))[1]
    assert [c.data_type for c in cells[:5]] == ["n", "n", "d", "d", "b"]
    assert [c.value for c in cells[:6]] == [7, 2.5, datetime(2026, 12, 1), datetime(2026, 11, 30, 10, 15, 30), True, None]
    assert cells[6].value == str(row[6])


def test_it_writes_the_same_values_as_text_in_csv():
    when = datetime(2026, 11, 30, 10, 15, 30, 123456, tzinfo=UTC)
    rows = csv_rows(_table("csv", [[7, Decimal("2.5"), date(2026, 12, 1), when, True, None]], ["a", "b", "c", "d", "e", "f"]))
    assert rows[1] == ["7", "2.5", "2026-12-01", "2026-11-30T10:15:30+00:00", "true", ""]


def test_it_keeps_accents_and_drops_characters_xlsx_cannot_hold():
    assert csv_rows(_table("csv", [["Évaluation ñ 日本", 1]]))[1][0] == "Évaluation ñ 日本"
    # A pasted control character would make openpyxl refuse the whole file.
    assert xlsx_rows(_table("xlsx", [["Évaluation\x01 ñ", 1]]))[1][0] == "Évaluation ñ"


@pytest.mark.parametrize("fmt", ["pdf", "", "CSV"])
def test_it_refuses_an_unknown_format_with_400(fmt):
    def rows():
        raise AssertionError("rows must not be read for a bad format")
        yield []

    response = exports.table_response(header=["a"], rows=rows(), basename="things", fmt=fmt)
    assert response.status_code == 400
    assert "use format=csv or format=xlsx" in response.content.decode()


def test_it_exports_ten_thousand_rows():
    rows = ([f"row {i}", i, date(2026, 1, 1)] for i in range(10_000))
    response = exports.table_response(header=["name", "n", "day"], rows=rows, basename="big", fmt="xlsx")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 10_001
    assert len(csv_rows(_table("csv", [[f"row {i}", i] for i in range(10_000)]))) == 10_001


# The portfolio (project list) ---------------------------------------------------------------------


def _export(client, fmt: str, **params):
    return client.get(reverse("lifecycle:project-list"), {**params, "format": fmt})


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(reverse("lifecycle:project-list"), {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_exports_the_project_list_as_csv(client_for, alice, project):
    total = project.checklist_items.filter(phase__key="scope").count()
    item = project.checklist_items.filter(phase__key="scope").first()
    phases_services.checklist_item_set_done(item=item, actor=alice, done=True)
    project.refresh_from_db()

    rows = csv_rows(_export(client_for(alice), "csv"))

    assert rows[0] == HEADER
    assert rows[1] == [
        "Support assistant",
        "Active",
        "Scope",
        "alice",
        "pilot, support",
        project.created_at.isoformat(timespec="seconds"),
        project.updated_at.isoformat(timespec="seconds"),
        "1",
        str(total),
    ]
    assert len(rows) == 2


def test_it_exports_the_project_list_as_xlsx(client_for, alice, project):
    total = project.checklist_items.filter(phase__key="scope").count()
    cells = xlsx_cells(_export(client_for(alice), "xlsx"))

    assert [c.value for c in cells[0]] == HEADER
    row = cells[1]
    assert [c.value for c in row[:5]] == ["Support assistant", "Active", "Scope", "alice", "pilot, support"]
    # Dates and counts stay typed, so the spreadsheet sorts and sums them.
    assert row[5].value == project.created_at.replace(tzinfo=None, microsecond=0)
    assert row[5].is_date and row[6].is_date
    assert [c.value for c in row[7:]] == [0, total]
    assert {c.data_type for c in row[7:]} == {"n"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_neutralises_a_formula_in_a_project_name(client_for, alice, fmt):
    services.project_create(actor=alice, name='=HYPERLINK("http://x")')
    response = _export(client_for(alice), fmt)
    if fmt == "csv":
        assert csv_rows(response)[1][:4] == ['\'=HYPERLINK("http://x")', "Active", "Scope", "alice"]
    else:
        cell = xlsx_cells(response)[1][0]
        assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("http://x")', "s", True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_applies_the_list_filters_and_order(client_for, alice, project, fmt):
    services.project_create(actor=alice, name="Contract summariser", tags=["legal"])
    services.project_create(actor=alice, name="Claims triage", tags=["legal"])
    client = client_for(alice)

    def names(**params):
        response = _export(client, fmt, **params)
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
        return [row[0] for row in rows[1:]]

    assert names(q="contract") == ["Contract summariser"]
    assert names(tag="legal", sort="name") == ["Claims triage", "Contract summariser"]
    assert names(tag="legal", sort="-name") == ["Contract summariser", "Claims triage"]
    assert names(status="killed") == []
    assert names(owner="alice", sort="name") == ["Claims triage", "Contract summariser", "Support assistant"]


def test_it_exports_every_matching_project_not_just_the_page(client_for, alice):
    for i in range(27):
        services.project_create(actor=alice, name=f"Project {i:02}")
    client = client_for(alice)
    # The page shows 25 projects; the export has them all, and keeps the page number out of it.
    assert len(client.get(reverse("lifecycle:project-list")).context["page_obj"].object_list) == 25
    assert len(csv_rows(_export(client, "csv", page="2", sort="name"))) == 28


def test_each_person_exports_only_what_they_may_see(client_for, personas, project, charlie):
    services.project_create(actor=charlie, name="Charlie's own")
    for role, visible in [
        ("owner", {"Support assistant"}),
        ("viewer", {"Support assistant"}),
        ("outsider", {"Charlie's own"}),
        ("portfolio_viewer", {"Support assistant", "Charlie's own"}),
        ("admin", {"Support assistant", "Charlie's own"}),
    ]:
        rows = csv_rows(_export(client_for(personas[role]), "csv"))
        assert {row[0] for row in rows[1:]} == visible, role


def test_deleted_projects_are_not_exported(client_for, alice, project):
    services.project_create(actor=alice, name="Gone soon")
    services.project_delete(project=Project.objects.get(name="Gone soon"), actor=alice)
    assert [row[0] for row in csv_rows(_export(client_for(alice), "csv"))[1:]] == ["Support assistant"]


def test_a_bad_format_is_a_400_not_a_500(client_for, alice, project):
    response = client_for(alice).get(reverse("lifecycle:project-list"), {"format": "pdf"})
    assert response.status_code == 400
    assert "Unknown export format “pdf”: use format=csv or format=xlsx." in response.content.decode()


def test_the_list_links_to_both_exports_with_its_filters(client_for, alice, project):
    html = client_for(alice).get(reverse("lifecycle:project-list"), {"tag": "pilot", "page": "1"}).content.decode()
    assert "/projects/?tag=pilot&amp;format=csv" in html
    assert "/projects/?tag=pilot&amp;format=xlsx" in html
    # The links sit in the table partial, so they follow the filters htmx applies.
    partial = client_for(alice).get(reverse("lifecycle:project-list"), {"q": "support"}, HTTP_HX_REQUEST="true")
    assert "/projects/?q=support&amp;format=xlsx" in partial.content.decode()


def _grow(owner, n: int) -> None:
    for i in range(n):
        project = services.project_create(actor=owner, name=f"Grown {i}", tags=[f"t{i}", "shared"])
        services.membership_add(project=project, actor=owner, user=make_user(f"extra{i}"), role="owner")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_makes_a_fixed_number_of_queries(client_for, alice, project, fmt):
    client = client_for(alice)
    small, response = count_queries(lambda: _export(client, fmt))
    assert response.status_code == 200
    _grow(alice, 6)
    large, response = count_queries(lambda: _export(client, fmt))
    assert response.status_code == 200
    # session, user, portfolio-viewer check, projects with their annotations, tags, owners, and
    # the one-export-per-person lock (its savepoint, the lock, the release)
    assert (small, large) == (9, 9)


# One portfolio export per person at a time ------------------------------------------------------


@contextlib.contextmanager
def export_in_progress(user):
    """Hold `user`'s export lock from another connection, as a request building an export does."""
    held, done = threading.Event(), threading.Event()

    def hold():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [exports._EXPORT_LOCK_CLASS, str(user.pk)])
                held.set()
                done.wait(30)
                cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", [exports._EXPORT_LOCK_CLASS, str(user.pk)])
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(10)
    try:
        yield
    finally:
        done.set()
        thread.join(10)


def test_a_second_portfolio_export_while_one_is_built_is_refused_with_429(client_for, alice, bob, project):
    with export_in_progress(alice):
        busy = _export(client_for(alice), "csv")
        # Someone else's export is not held up by alice's.
        assert _export(client_for(bob), "csv").status_code == 200
    assert busy.status_code == 429
    assert busy["Retry-After"] == str(exports.EXPORT_BUSY_RETRY_AFTER)
    assert busy.content.decode() == exports.EXPORT_BUSY
    # Once hers is done, the next one goes through.
    assert _export(client_for(alice), "csv").status_code == 200


def test_exports_one_after_the_other_are_never_refused(client_for, alice, project):
    client = client_for(alice)
    assert [_export(client, fmt).status_code for fmt in ("csv", "xlsx", "csv")] == [200, 200, 200]
