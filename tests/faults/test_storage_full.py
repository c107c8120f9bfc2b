"""Upload storage full: an attachment upload on a disk that fills up mid-write is refused with a
clear message, and leaves neither a row nor a partial file behind."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lifecycle.models import ChangeRecord
from phases import services
from phases.models import Attachment
from sample_data.artifacts import SAMPLES
from tests.full_storage import FullDiskStorage

pytestmark = pytest.mark.faults

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"%" * 4000


@pytest.fixture
def full_disk(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.full_storage.FullDiskStorage"}}
    return tmp_path


@pytest.fixture
def artifact(project, bob):
    title, data = SAMPLES["model_card"]
    return services.artifact_create(project=project, actor=bob, type="model_card", title=title, data=data)


def _files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("room", [0, 16], ids=["full-before-the-first-byte", "full-mid-write"])
def test_an_upload_to_a_full_disk_is_refused_and_leaves_nothing_behind(client_for, bob, artifact, full_disk, room, monkeypatch):
    monkeypatch.setattr(FullDiskStorage, "room", room)
    records = ChangeRecord.objects.count()
    upload = SimpleUploadedFile("Evaluation.pdf", PDF, content_type="application/pdf")

    response = client_for(bob).post(reverse("phases:attachment-upload", args=[artifact.pk]), {"file": upload}, follow=True)

    # The person is told what happened, on the artifact page (not an error page).
    assert response.status_code == 200
    assert response.redirect_chain == [(f"{artifact.get_absolute_url()}#attachments", 302)]
    assert "The file store is full, so the file was not saved." in response.content.decode()
    assert not Attachment.objects.exists()
    assert ChangeRecord.objects.count() == records
    # Django's file storage leaves what it wrote when the disk fills up; none of it may stay.
    assert _files(full_disk) == []
