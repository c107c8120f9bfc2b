"""The change feed (GET /api/v1/changes/): every change to what the caller can see, exactly once,
in sequence order; tombstones; access gained and lost; retention and 410."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from governance import services as governance_services
from governance.models import RiskCategory
from lifecycle import services
from lifecycle.models import ChangeRecord
from lifecycle.services.feed import feed_prune
from phases import services as phases_services
from tests.api.schema import assert_matches_schema
from tests.conftest import make_user

URL = "/api/v1/changes/"


def head() -> int:
    return ChangeRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def drain(client, since: int, page_size: int = 50) -> tuple[list[dict], int]:
    """Follow `next` to the end, as a client does; return the rows and the position to resume from."""
    rows: list[dict] = []
    response = client.get(URL, {"since": since, "page_size": page_size})
    while True:
        assert response.status_code == 200, response.content
        assert_matches_schema(response)
        body = response.json()
        rows += body["results"]
        if body["next"] is None:
            return rows, body["last_seq"]
        response = client.get(body["next"])


def keyed(rows: list[dict]) -> list[tuple[str, str, str]]:
    return [(r["type"], r["id"], r["op"]) for r in rows]


@pytest.fixture
def writes(project, alice, bob):
    """A few writes of different kinds in alice's project, after a known position."""
    start = head()
    item = project.checklist_items.filter(phase__key="scope").order_by("order").first()
    phases_services.checklist_item_set_done(item=item, actor=bob, done=True)
    services.project_update(project=project, actor=alice, description="Answers customer questions, politely.")
    risk = governance_services.risk_create(
        project=project,
        actor=bob,
        title="Leaks",
        category=RiskCategory.objects.get(project=None, key="data-privacy"),
        likelihood=2,
        impact=2,
    )
    return {"start": start, "item": item, "risk": risk}


def test_every_write_appears_once_in_order_across_pages(api_for, alice, project, writes):
    rows, last = drain(api_for(alice), writes["start"], page_size=2)
    seqs = [r["seq"] for r in rows]
    assert seqs == sorted(set(seqs)), "in order, no repeats"
    expected = list(ChangeRecord.objects.filter(seq__gt=writes["start"], audience=None).order_by("seq").values_list("seq", flat=True))
    assert seqs == expected
    kinds = keyed(rows)
    assert ("checklist_item", str(writes["item"].pk), "upsert") in kinds
    assert ("project", str(project.pk), "upsert") in kinds
    assert ("risk", str(writes["risk"].pk), "upsert") in kinds
    assert last == head()
    # Polling again from last_seq gives nothing new, and the same last_seq.
    again = api_for(alice).get(URL, {"since": last}).json()
    assert again["results"] == [] and again["last_seq"] == last and again["next"] is None


def test_rows_carry_the_documented_fields(api_for, alice, project, writes):
    row = api_for(alice).get(URL, {"since": writes["start"]}).json()["results"][0]
    assert set(row) == {"seq", "type", "id", "project", "op", "at"}
    assert row["project"] == str(project.pk)


def test_outsiders_see_nothing_of_a_project_and_everyone_else_sees_all_of_it(api_for, personas, project, writes):
    everything = keyed(drain(api_for(personas["owner"]), writes["start"])[0])
    for role in ("contributor", "approver", "viewer", "portfolio_viewer", "admin"):
        assert keyed(drain(api_for(personas[role]), writes["start"])[0]) == everything, role
    assert drain(api_for(personas["outsider"]), 0)[0] == []


def test_a_first_sync_from_zero_lists_every_row_of_the_project(api_for, bob, project):
    rows, _ = drain(api_for(bob), 0, page_size=200)
    ids = {(r["type"], r["id"]) for r in rows}
    assert ("project", str(project.pk)) in ids
    assert {str(pk) for pk in project.checklist_items.values_list("pk", flat=True)} <= {i for t, i in ids if t == "checklist_item"}
    assert {str(pk) for pk in project.gates.values_list("pk", flat=True)} <= {i for t, i in ids if t == "gate"}


def test_a_removed_item_stays_as_a_tombstone(api_for, alice, project):
    phases_services.checklist_items_add(
        project=project,
        actor=alice,
        entries=[{"phase": "scope", "key": "extra-check", "title": "Extra check"}],
        source="obligation",
        tier="limited",
    )
    added = project.checklist_items.get(title="Extra check")
    start = head()
    phases_services.checklist_items_remove(project=project, actor=alice, source="obligation", keys=["extra-check"])
    rows, _ = drain(api_for(alice), start)
    assert ("checklist_item", str(added.pk), "delete") in keyed(rows)


def test_deleting_a_project_sends_tombstones_for_it_and_its_rows_and_restoring_brings_them_back(api_for, alice, bob, adam, project):
    start = head()
    services.project_delete(project=project, actor=alice)
    rows, last = drain(api_for(bob), start, page_size=200)
    deleted = {(t, i) for t, i, op in keyed(rows) if op == "delete"}
    assert ("project", str(project.pk)) in deleted
    assert ("checklist_item", str(project.checklist_items.first().pk)) in deleted
    assert ("gate", str(project.gates.first().pk)) in deleted
    assert all(op == "delete" for _, _, op in keyed(rows))

    services.project_restore(project=project, actor=adam)
    rows, _ = drain(api_for(bob), last, page_size=200)
    assert ("project", str(project.pk), "upsert") in keyed(rows)
    assert ("checklist_item", str(project.checklist_items.first().pk), "upsert") in keyed(rows)


def test_gaining_a_project_sends_the_new_member_its_rows(api_for, alice, project):
    dora = make_user("dora")
    client = api_for(dora)
    _, position = drain(client, 0)
    services.membership_add(project=project, actor=alice, user=dora, role="viewer")
    rows, _ = drain(client, position, page_size=200)
    upserts = {(t, i) for t, i, op in keyed(rows) if op == "upsert"}
    assert ("project", str(project.pk)) in upserts
    for item in project.checklist_items.all():
        assert ("checklist_item", str(item.pk)) in upserts
    for membership in project.memberships.all():
        assert ("member", str(membership.pk)) in upserts
    for phase in project.phases.all():
        assert ("phase", str(phase.pk)) in upserts
    # Only dora hears about it: alice's feed has her membership, not dora's copy of the project.
    alice_rows, _ = drain(api_for(alice), position, page_size=200)
    assert [r for r in alice_rows if r["type"] == "checklist_item"] == []


def test_losing_a_project_sends_deletes_and_then_nothing_more(api_for, alice, bob, project):
    client = api_for(bob)
    _, position = drain(client, 0, page_size=200)
    services.membership_remove(membership=project.memberships.get(user=bob), actor=alice)
    rows, position = drain(client, position, page_size=200)
    assert ("project", str(project.pk), "delete") in keyed(rows)
    assert ("checklist_item", str(project.checklist_items.first().pk), "delete") in keyed(rows)
    services.project_update(project=project, actor=alice, description="After bob left")
    later, _ = drain(client, position)
    assert later == []


def test_old_positions_are_gone_after_retention_and_a_full_sync_still_finds_everything(api_for, alice, project, settings, time_machine):
    settings.CHANGE_RETENTION_DAYS = 30
    client = api_for(alice)
    _, old_position = drain(client, 0, page_size=200)
    services.project_update(project=project, actor=alice, description="First edit")
    services.project_update(project=project, actor=alice, description="Second edit")
    time_machine.move_to(timezone.now() + timedelta(days=31))
    services.project_update(project=project, actor=alice, description="A month later")

    dropped = feed_prune()
    assert dropped > 0

    response = client.get(URL, {"since": old_position})
    assert response.status_code == 410
    assert_matches_schema(response)
    assert response.json()["code"] == "gone"
    # A full sync still lists every live object once, at its newest row.
    rows, _ = drain(client, 0, page_size=200)
    ids = [(r["type"], r["id"]) for r in rows]
    assert ("project", str(project.pk)) in ids
    assert ids.count(("project", str(project.pk))) == 1
    assert {str(pk) for pk in project.checklist_items.values_list("pk", flat=True)} <= {i for t, i in ids if t == "checklist_item"}
    # Resuming after the newest dropped row is fine.
    assert client.get(URL, {"since": head()}).status_code == 200


def test_retention_keeps_rows_younger_than_the_period(alice, project, settings):
    settings.CHANGE_RETENTION_DAYS = 30
    before = ChangeRecord.objects.count()
    assert feed_prune() == 0
    assert ChangeRecord.objects.count() == before


@pytest.mark.parametrize("params", [{}, {"since": "ten"}, {"since": "-1"}, {"since": "99999999999"}])
def test_bad_positions(api_for, alice, project, params):
    response = api_for(alice).get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "since" in response.json()["fields"]
    assert_matches_schema(response)


def test_the_feed_needs_credentials(client):
    assert client.get(URL, {"since": 0}).status_code == 401
