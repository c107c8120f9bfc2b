"""The ISO/IEC 42001 Statement of Applicability: every Annex A control, whether it applies to the
project and why, and the work that implements it; as a page, a CSV and part of the report."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from governance import selectors, services
from governance.models import ControlDecision
from lifecycle.exceptions import ApplicationError
from lifecycle.models import AuditEvent


def rows(project):
    return {r.code: r for r in selectors.statement_of_applicability(project=project)}


def test_every_annex_a_control_is_listed_with_the_work_that_maps_to_it(project):
    soa = rows(project)
    assert len(soa) == 38
    assert all(r.applicable == "undecided" for r in soa.values())
    # The default template's work maps to some controls: they show it as evidence.
    assert any(r.evidence for r in soa.values())


def test_a_contributor_records_applicability_and_exclusions_need_a_reason(project, bob):
    services.control_decision_set(project=project, actor=bob, code="A.2.2", applicable=True, justification="Our AI policy covers it.")
    with pytest.raises(ApplicationError) as error:
        services.control_decision_set(project=project, actor=bob, code="A.10.3", applicable=False)
    assert "justification" in error.value.fields
    services.control_decision_set(project=project, actor=bob, code="A.10.3", applicable=False, justification="No suppliers.")
    soa = rows(project)
    assert (soa["A.2.2"].applicable, soa["A.10.3"].applicable, soa["A.10.3"].justification) == ("yes", "no", "No suppliers.")
    assert soa["A.10.3"].decided_by == bob.display_name
    assert AuditEvent.objects.filter(action="control.decided").count() == 2
    # Deciding again replaces the decision.
    services.control_decision_set(project=project, actor=bob, code="A.10.3", applicable=True)
    assert ControlDecision.objects.filter(project=project).count() == 2 and rows(project)["A.10.3"].applicable == "yes"


@pytest.mark.parametrize(
    ("code", "justification"),
    [("A.99", "x"), ("A.2", "a group, not a control"), ("MAP-1.1", "another framework"), ("A.2.2", "x" * 2001)],
)
def test_bad_input_is_refused_and_changes_nothing(project, bob, code, justification):
    with pytest.raises(ApplicationError):
        services.control_decision_set(project=project, actor=bob, code=code, applicable=False, justification=justification)
    assert not ControlDecision.objects.exists()


def test_viewers_and_approvers_do_not_decide(project, vic, ava):
    for person in (vic, ava):
        with pytest.raises(PermissionDenied):
            services.control_decision_set(project=project, actor=person, code="A.2.2", applicable=True)
    assert not ControlDecision.objects.exists()


def test_the_page_records_a_decision_and_downloads_as_csv(client_for, project, bob, vic):
    url = reverse("governance:soa", args=[project.pk])
    response = client_for(bob).post(url, {"code": "A.6.2.8", "applicable": "no", "justification": "Logs are the provider's."}, follow=True)
    assert "A.6.2.8 recorded." in response.content.decode()
    html = client_for(vic).get(url).content.decode()
    assert "Statement of Applicability" in html and "Logs are the provider&#x27;s." in html
    assert 'name="justification"' not in html  # viewers read it
    download = client_for(vic).get(url + "?format=csv")
    assert download["Content-Disposition"].startswith('attachment; filename="statement-of-applicability-')
    table = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert table[0] == selectors.SOA_HEADER and len(table) == 39
    assert next(r for r in table if r[0] == "A.6.2.8")[2:4] == ["no", "Logs are the provider's."]
    assert client_for(vic).get(url + "?format=pdf").status_code == 400


def test_it_is_part_of_the_report(project, bob):
    services.control_decision_set(project=project, actor=bob, code="A.2.2", applicable=True, justification="Policy.")
    report = selectors.report_build(project=project)
    soa = {r["code"]: r for r in report["statement_of_applicability"]}
    assert len(soa) == 38 and soa["A.2.2"]["applicable"] == "yes"
    assert isinstance(soa["A.2.2"]["evidence"], list)
