"""Frameworks as data: the shipped ones load at migrate time; admins import updates as YAML,
validated with line numbers."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from governance import services
from governance.models import Framework, Requirement
from governance.services import frameworks

MINIMAL = """key: test-fw
name: Test framework
source: https://example.org/fw
as_of: 2026-01-01
requirements:
  - code: R1
    title: First
    level: clause
  - code: R1.1
    title: Child
    level: subclause
    parent: R1
"""


def test_the_shipped_frameworks_are_loaded_with_their_sources(db):
    assert set(Framework.objects.values_list("key", flat=True)) == {"eu-ai-act", "nist-ai-rmf", "nist-ai-600-1", "iso-42001"}
    rmf = Requirement.objects.filter(framework="nist-ai-rmf")
    assert rmf.filter(level="function").count() == 4
    assert rmf.filter(level="category").count() == 19
    assert rmf.filter(level="subcategory").count() == 72
    assert Requirement.objects.filter(framework="nist-ai-600-1").count() == 12
    eu = Framework.objects.get(key="eu-ai-act")
    assert eu.as_of.isoformat() == "2026-05-07" and eu.extra["dates"]
    assert Requirement.objects.get(framework="eu-ai-act", code="art-9").tiers == ["high"]
    # ISO/IEC 42001 carries IDs and titles only.
    assert not Requirement.objects.filter(framework="iso-42001").exclude(summary="").exists()


def test_importing_creates_then_updates_by_code(db):
    services.framework_import(text=MINIMAL)
    assert Requirement.objects.filter(framework="test-fw").count() == 2
    updated = MINIMAL.replace("title: First", "title: First, renamed").replace(
        "  - code: R1.1\n    title: Child\n    level: subclause\n    parent: R1\n",
        "  - code: R2\n    title: Second\n    level: clause\n",
    )
    services.framework_import(text=updated)
    assert sorted(Requirement.objects.filter(framework="test-fw").values_list("code", "title")) == [
        ("R1", "First, renamed"),
        ("R2", "Second"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "line", "problem"),
    [
        ("as_of: 2026-01-01", "as_of: soon", 4, "as_of: must be a date (YYYY-MM-DD)"),
        ("source: https://example.org/fw", "source: ftp://x", 3, "source: must be a web address"),
        ("    parent: R1", "    parent: R9", 12, "requirements[1].parent: 'R9' is not a code in this file"),
        ("  - code: R1.1", "  - code: R1", 9, "requirements[1].code: 'R1' is used twice"),
        ("    level: clause", "    level: clause\n    colour: red", 9, "requirements[0].colour: is not a known field"),
    ],
)
def test_malformed_files_name_the_line_and_field_and_import_nothing(db, old, new, line, problem):
    with pytest.raises(services.FrameworkImportError) as error:
        services.framework_import(text=MINIMAL.replace(old, new))
    assert f"line {line}: {problem}" in error.value.errors, error.value.errors
    assert not Framework.objects.filter(key="test-fw").exists()


def test_the_command_imports_and_reports_errors(db, tmp_path, capsys):
    good = tmp_path / "fw.yaml"
    good.write_text(MINIMAL)
    call_command("import_framework", str(good))
    assert "2 requirements" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: [oops\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_framework", str(bad))


def test_admins_import_a_framework_in_the_admin(client_for, adam, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = "/admin/governance/framework/import/"
    assert client_for(alice).get(url).status_code == 302  # not staff: sent to the admin login
    bad = client_for(adam).post(url, {"file": SimpleUploadedFile("f.yaml", MINIMAL.replace("as_of: 2026-01-01", "as_of: x").encode())})
    assert "line 4: as_of: must be a date (YYYY-MM-DD)" in bad.content.decode()
    good = client_for(adam).post(url, {"file": SimpleUploadedFile("f.yaml", MINIMAL.encode())})
    assert good.status_code == 302
    assert Framework.objects.filter(key="test-fw").exists()


def test_a_changed_shipped_framework_reaches_an_existing_installation(db, tmp_path, monkeypatch):
    """After an upgrade, migrate's reference data reloads a shipped framework whose file changed;
    an administrator's own import is left as they made it."""
    shipped = tmp_path / "test-fw.yaml"
    shipped.write_text(MINIMAL, encoding="utf-8")
    monkeypatch.setattr(frameworks, "FRAMEWORKS_DIR", tmp_path)
    services.governance_reference_data()
    assert Requirement.objects.filter(framework="test-fw").count() == 2

    # The next version of the product ships a new requirement: the next migrate loads it.
    shipped.write_text(MINIMAL + "  - code: R2\n    title: New duty\n    level: clause\n", encoding="utf-8")
    services.governance_reference_data()
    assert Requirement.objects.filter(framework="test-fw", code="R2").exists()

    # An administrator imports their own version: later runs keep it.
    services.framework_import(text=MINIMAL.replace("title: First", "title: Ours"))
    shipped.write_text(MINIMAL + "  - code: R3\n    title: Newer\n    level: clause\n", encoding="utf-8")
    services.governance_reference_data()
    assert Requirement.objects.get(framework="test-fw", code="R1").title == "Ours"
    assert not Requirement.objects.filter(framework="test-fw", code="R3").exists()


def test_a_framework_loaded_before_the_record_existed_is_brought_up_to_date(db):
    eu = Framework.objects.get(key="eu-ai-act")
    eu.extra.pop("shipped_sha256")
    eu.save()
    Requirement.objects.filter(framework=eu, code="art-26-6").delete()
    services.governance_reference_data()
    assert Requirement.objects.filter(framework=eu, code="art-26-6").exists()
