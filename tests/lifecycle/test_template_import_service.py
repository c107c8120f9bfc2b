"""Lifecycle templates are versioned data, imported and exported as YAML."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from lifecycle import services
from lifecycle.models import ChecklistItemTemplate, LifecycleTemplate, PhaseKey
from lifecycle.services import templates
from lifecycle.services.templates import DEFAULT_TEMPLATE_PATH

DEFAULT_TEXT = DEFAULT_TEMPLATE_PATH.read_text()


def _default() -> LifecycleTemplate:
    return LifecycleTemplate.objects.get(is_default=True)


def test_it_installs_the_default_template_with_the_five_phases_in_order(db):
    template = _default()
    assert [p.key for p in template.phases.order_by("order")] == PhaseKey.ordered()
    assert ChecklistItemTemplate.objects.filter(phase__template=template).count() >= 50


@pytest.mark.parametrize(
    "phrase",
    [
        "problem",  # use-case definition
        "workshop",
        "feasibility",
        "scope document",
        "feedback",
        "risk",
        "build",  # build vs adopt
        "open-source",
        "inference",
        "prompt",
        "fine-tun",
        "human feedback",
        "metric",
        "user test",
        "quantis",
        "api",
        "pipeline",
        "monitor",
        "accessib",
        "rollout",
        "model card",
        "bias",
        "privacy",
        "eu ai act",
    ],
)
def test_it_covers_every_practice_of_the_lifecycle(db, phrase):
    titles = " ".join(
        f"{t} {g}" for t, g in ChecklistItemTemplate.objects.filter(phase__template=_default()).values_list("title", "guidance")
    ).lower()
    assert phrase in titles


def test_it_exports_and_reimports_the_same_content(db):
    template = _default()
    exported = services.template_export(template=template)

    again = services.template_import(text=exported)

    assert (again.key, again.version) == (template.key, template.version + 1)
    assert services.template_export(template=again) == exported


def _broken(old: str, new: str) -> str:
    assert old in DEFAULT_TEXT, old
    return DEFAULT_TEXT.replace(old, new, 1)


def _line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_it_names_the_line_and_field_of_a_bad_value(db):
    text = _broken("weight: 3", "weight: many")
    before = LifecycleTemplate.objects.count()

    with pytest.raises(services.TemplateImportError) as error:
        services.template_import(text=text)

    line = _line_of(text, "weight: many")
    assert any(
        e.startswith(f"line {line}: phases[0].checklist[") and e.endswith(".weight: must be a whole number from 1 to 10")
        for e in error.value.errors
    ), error.value.errors
    assert LifecycleTemplate.objects.count() == before


def test_it_reports_yaml_syntax_errors_with_their_line(db):
    with pytest.raises(services.TemplateImportError) as error:
        services.template_import(text="key: x\nname: [unclosed\nphases: []\n")
    assert error.value.errors[0].startswith("line 3:")


def test_it_refuses_phases_out_of_order(db):
    text = "key: t\nname: T\nphases:\n" + "".join(
        f"  - key: {k}\n    name: {k}\n" for k in ["select", "scope", "adapt_align", "evaluate", "integrate"]
    )
    with pytest.raises(services.TemplateImportError) as error:
        services.template_import(text=text)
    assert "line 4: phases: must list the five phases in order" in error.value.errors[0]


def test_it_refuses_unknown_fields_and_unknown_framework_references(db):
    text = _broken("required: true", "required: true\n        colour: red")
    text = text.replace("refs: [", "refs: [eu-ai-act:art-999, ", 1)
    with pytest.raises(services.TemplateImportError) as error:
        services.template_import(text=text)
    problems = " | ".join(error.value.errors)
    assert ".colour: is not a known field" in problems
    assert "'eu-ai-act:art-999' is not a known framework requirement" in problems


def test_it_refuses_duplicate_item_keys(db):
    first_key = DEFAULT_TEXT.split("checklist:\n", 1)[1].split("key: ", 1)[1].split("\n", 1)[0]
    second = DEFAULT_TEXT.split("checklist:\n", 1)[1].split("key: ", 2)[2].split("\n", 1)[0]
    text = DEFAULT_TEXT.replace(f"key: {second}\n", f"key: {first_key}\n", 1)
    with pytest.raises(services.TemplateImportError) as error:
        services.template_import(text=text)
    assert any(f"'{first_key}' is used twice in this template" in e for e in error.value.errors)


def test_the_import_command_prints_every_error_and_imports_nothing(db, tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(_broken("duration_days: 21", "duration_days: -4"))
    before = LifecycleTemplate.objects.count()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_template", str(path))

    assert "duration_days: must be a whole number from 1 to 365" in capsys.readouterr().err
    assert LifecycleTemplate.objects.count() == before


def test_the_export_and_import_commands_round_trip(db, tmp_path, capsys):
    path = tmp_path / "out.yaml"
    call_command("export_template", "genai-default", "--output", str(path))
    call_command("import_template", str(path))
    assert "Imported" in capsys.readouterr().out
    assert LifecycleTemplate.objects.filter(key="genai-default").count() == 2


def test_the_export_command_names_known_keys_for_an_unknown_one(db):
    with pytest.raises(CommandError, match="Known keys: genai-default"):
        call_command("export_template", "nope")


def test_a_template_in_use_is_locked_and_can_be_duplicated(project):
    from lifecycle.services.templates import template_is_locked

    template = project.template
    assert template_is_locked(template)
    copy = services.template_duplicate(template=template)
    assert not template_is_locked(copy)
    assert copy.version == template.version + 1


def test_a_changed_shipped_template_is_loaded_as_its_next_version(db, tmp_path, monkeypatch, alice, adam):
    """After an upgrade, migrate's reference data loads the changed default template as the next
    version (the new default); projects keep the version they were made with; a version someone
    imported is left alone."""
    v1 = LifecycleTemplate.objects.get(is_default=True)
    project = services.project_create(actor=alice, name="Made on v1")
    assert services.template_ensure_default() is None  # unchanged: nothing to do

    shipped = tmp_path / "genai-default.yaml"
    shipped.write_text(DEFAULT_TEXT.replace("Agree the incident process", "Agree the incident process (revised)"), encoding="utf-8")
    monkeypatch.setattr(templates, "DEFAULT_TEMPLATE_PATH", shipped)
    v2 = services.template_ensure_default()
    assert (v2.key, v2.version, v2.is_default) == (v1.key, v1.version + 1, True)
    assert ChecklistItemTemplate.objects.filter(phase__template=v2, title__contains="(revised)").exists()
    project.refresh_from_db()
    assert project.template_id == v1.pk
    assert services.template_ensure_default() is None  # loaded once

    # An administrator's own version is not replaced by the next shipped file.
    services.template_import(text=DEFAULT_TEXT, actor=adam)
    shipped.write_text(DEFAULT_TEXT.replace("Agree the incident process", "Agree the incident process (again)"), encoding="utf-8")
    assert services.template_ensure_default() is None


def test_a_version_loaded_before_the_record_existed_is_brought_up_to_date(db):
    LifecycleTemplate.objects.update(shipped_sha256=None)
    newer = services.template_ensure_default()
    assert newer is not None and newer.is_default and newer.shipped_sha256
