"""`manage.py backup` and `manage.py restore`: a round trip through pg_dump/pg_restore and a tar
of the media files, the refusal to overwrite without --yes, and damaged or unfinished backups."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, connections

from lifecycle.models import Project
from phases import services as phases_services
from phases.models import Attachment

NOTES = b"Interview notes: the support team answers 400 tickets a day.\n"


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db(transaction=True)
def test_it_restores_a_project_and_its_uploaded_file_after_a_wipe(tmp_path, media, project, bob):
    from sample_data.artifacts import SAMPLES

    title, data = SAMPLES["scope_document"]
    artifact = phases_services.artifact_create(project=project, actor=bob, type="scope_document", title=title, data=data)
    upload = SimpleUploadedFile("notes.txt", NOTES, content_type="text/plain")
    attachment = phases_services.attachment_add(artifact=artifact, actor=bob, upload=upload)
    target = tmp_path / "backup"

    call_command("backup", str(target), stdout=StringIO())

    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["database"]["engine"] == "postgresql"
    assert manifest["media"]["files"] == 1
    for name in ("database.dump", "media.tar.gz"):
        assert manifest["checksums"][name] == hashlib.sha256((target / name).read_bytes()).hexdigest()

    # Without --yes, a database with data in it is left alone.
    with pytest.raises(CommandError, match=r"not empty.*--yes"):
        call_command("restore", str(target))

    # The wipe: every row, every file, plus a table the backup never had (a newer migration).
    call_command("flush", interactive=False)
    shutil.rmtree(media)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE ops_newer_table (id integer)")
    assert not Project.objects.exists()

    call_command("restore", str(target), "--yes", stdout=StringIO())

    assert Project.objects.get(pk=project.pk).name == "Support assistant"
    restored = Attachment.objects.get(pk=attachment.pk)
    with restored.file.open("rb") as f:
        assert f.read() == NOTES
    assert restored.sha256 == hashlib.sha256(NOTES).hexdigest()
    assert "ops_newer_table" not in connection.introspection.table_names()


@pytest.mark.django_db
def test_it_refuses_a_damaged_backup_and_changes_nothing(tmp_path, media):
    (media / "jobs").mkdir(parents=True)
    (media / "jobs" / "report.pdf").write_bytes(b"%PDF-1.4 report")
    target = tmp_path / "backup"
    call_command("backup", str(target), stdout=StringIO())
    (media / "jobs" / "report.pdf").write_bytes(b"%PDF-1.4 newer report")
    with (target / "media.tar.gz").open("r+b") as f:
        f.seek(20)
        f.write(b"\x00\x01")

    with pytest.raises(CommandError, match=r"media\.tar\.gz does not match its checksum"):
        call_command("restore", str(target), "--yes")

    assert (media / "jobs" / "report.pdf").read_bytes() == b"%PDF-1.4 newer report"
    (target / "manifest.json").unlink()
    with pytest.raises(CommandError, match=r"holds no manifest\.json"):
        call_command("restore", str(target), "--yes")


def test_it_refuses_to_write_into_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "old-backup.txt").write_text("keep me")

    with pytest.raises(CommandError, match="not an empty directory"):
        call_command("backup", str(tmp_path))

    assert (tmp_path / "old-backup.txt").read_text() == "keep me"


@pytest.mark.django_db
def test_it_backs_up_and_restores_an_sqlite_database(tmp_path, media):
    """SQLite (the embedded default) is copied with SQLite's online backup API. An SQLite
    connection stands in for "default" while the commands run; the test's PostgreSQL connection
    is put back afterwards."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    database = tmp_path / "site.sqlite3"
    media.mkdir()
    (media / "a.txt").write_text("first")
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE note (body text)")
        db.execute("INSERT INTO note VALUES ('kept')")
    real = connections["default"]
    config = connections.configure_settings({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(database)}})
    connections["default"] = DatabaseWrapper(config["default"], alias="default")
    try:
        call_command("backup", str(tmp_path / "backup"), stdout=StringIO())
        with sqlite3.connect(database) as db:
            db.execute("DELETE FROM note")
        (media / "a.txt").write_text("changed")
        with pytest.raises(CommandError, match=r"not empty.*--yes"):
            call_command("restore", str(tmp_path / "backup"))
        call_command("restore", str(tmp_path / "backup"), "--yes", stdout=StringIO())
    finally:
        connections["default"].close()
        connections["default"] = real

    assert json.loads((tmp_path / "backup" / "manifest.json").read_text())["database"]["file"] == "database.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT body FROM note").fetchall() == [("kept",)]
    assert (media / "a.txt").read_text() == "first"
