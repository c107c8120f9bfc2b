"""Report files expire: REPORT_FILE_RETENTION_DAYS after its job finished, the beat task removes
the file from storage (the test MEDIA_ROOT, a real directory) and clears the job's file, result
and download link; the job row stays and shows as expired."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from governance import services as governance_services
from lifecycle import services, tasks
from lifecycle.models import Job

REPORT = "governance_report"


def _finished_report(project, actor, *, days_ago: float, status: str = Job.Status.SUCCEEDED) -> Job:
    """A report job whose PDF is in storage, finished `days_ago` days ago."""
    job = services.job_create(kind=REPORT, actor=actor, project=project, params={"filename": "governance-report-x.pdf"})
    name = default_storage.save(f"jobs/test/{job.pk}.pdf", ContentFile(b"%PDF-1.4 test"))
    Job.objects.filter(pk=job.pk).update(
        status=status,
        progress=100,
        result={"summary": {}},
        result_url=reverse("lifecycle:job-download", args=[job.pk]),
        result_file=name,
        finished_at=timezone.now() - timedelta(days=days_ago),
    )
    job.refresh_from_db()
    return job


def _on_disk(job: Job) -> Path:
    return Path(settings.MEDIA_ROOT) / job.result_file.name


def test_it_removes_files_past_the_retention_and_keeps_the_job(project, alice):
    old = _finished_report(project, alice, days_ago=8)
    path = _on_disk(old)
    assert path.exists()

    assert services.job_files_expire() == 1

    assert not path.exists()
    old.refresh_from_db()
    # The row stays, with nothing left to download and the moment it expired.
    assert (old.status, old.result_file.name, old.result, old.result_url) == ("succeeded", "", None, "")
    assert old.params["expired_at"] and old.params["filename"] == "governance-report-x.pdf"


def test_it_keeps_files_inside_the_retention(project, alice):
    recent = _finished_report(project, alice, days_ago=6.9)
    assert services.job_files_expire() == 0
    recent.refresh_from_db()
    assert recent.result_file and _on_disk(recent).exists()


def test_the_retention_is_a_setting(project, alice, settings):
    settings.REPORT_FILE_RETENTION_DAYS = 1
    path = _on_disk(_finished_report(project, alice, days_ago=2))
    assert services.job_files_expire() == 1
    assert not path.exists()


def test_the_retention_defaults_to_seven_days_and_comes_from_the_environment():
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    code = "import lifecycle.settings.base as s; print(s.REPORT_FILE_RETENTION_DAYS)"
    env = {**os.environ, "SECRET_KEY": "x" * 50}
    env.pop("REPORT_FILE_RETENTION_DAYS", None)
    default = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    configured = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env={**env, "REPORT_FILE_RETENTION_DAYS": "30"}, capture_output=True, text=True, timeout=60
    )
    assert (default.stdout.strip(), configured.stdout.strip()) == ("7", "30"), default.stderr + configured.stderr


def test_a_second_run_changes_nothing(project, alice):
    _finished_report(project, alice, days_ago=10)
    assert services.job_files_expire() == 1
    assert services.job_files_expire() == 0


def test_a_file_already_gone_from_storage_still_expires_its_job(project, alice):
    job = _finished_report(project, alice, days_ago=10)
    _on_disk(job).unlink()
    assert services.job_files_expire() == 1
    job.refresh_from_db()
    assert not job.result_file


def test_failed_jobs_with_a_file_expire_too_and_unfinished_ones_never(project, alice):
    failed = _finished_report(project, alice, days_ago=10, status=Job.Status.FAILED)
    running = _finished_report(project, alice, days_ago=10, status=Job.Status.RUNNING)
    Job.objects.filter(pk=running.pk).update(finished_at=None)
    assert services.job_files_expire() == 1
    failed.refresh_from_db()
    running.refresh_from_db()
    assert not failed.result_file and running.result_file and _on_disk(running).exists()


def test_an_expired_report_is_no_longer_downloadable_and_shows_as_expired(client_for, alice, project):
    job = _finished_report(project, alice, days_ago=8)
    client = client_for(alice)
    assert client.get(reverse("lifecycle:job-download", args=[job.pk])).status_code == 200
    services.job_files_expire()
    for url in (reverse("lifecycle:job-download", args=[job.pk]), reverse("governance:report-json", args=[job.pk])):
        gone = client.get(url)
        assert gone.status_code == 410
        assert "kept for 7 days" in gone.content.decode()
    status = client.get(reverse("lifecycle:job-status", args=[job.pk])).content.decode()
    assert "its file was removed" in status and "Download" not in status
    page = client.get(reverse("governance:report", args=[project.pk])).content.decode()
    assert f'id="report-{job.pk}"' in page and "Expired" in page
    assert reverse("lifecycle:job-download", args=[job.pk]) not in page


def test_the_api_shows_an_expired_report_without_result(api_for, alice, project):
    job = _finished_report(project, alice, days_ago=8)
    services.job_files_expire()
    body = api_for(alice).get(f"/api/v1/jobs/{job.pk}/").json()
    assert (body["status"], body["result"], body["result_url"]) == ("succeeded", None, None)


def test_a_real_report_expires_with_its_pdf(project, vic, eager_tasks, django_capture_on_commit_callbacks, time_machine):
    with django_capture_on_commit_callbacks(execute=True):
        job = governance_services.report_request(project=project, actor=vic)
    job.refresh_from_db()
    path = _on_disk(job)
    assert job.status == "succeeded" and path.read_bytes().startswith(b"%PDF")
    time_machine.move_to(timezone.now() + timedelta(days=settings.REPORT_FILE_RETENTION_DAYS, minutes=1))
    assert services.job_files_expire() == 1
    assert not path.exists()


def test_the_task_runs_again_while_batches_come_back_full(project, alice, monkeypatch):
    for _ in range(3):
        _finished_report(project, alice, days_ago=10)
    monkeypatch.setattr("lifecycle.services.jobs.EXPIRE_BATCH", 2)
    with mock.patch("lifecycle.services.enqueue") as enqueue:
        assert tasks.job_files_expire_task() == 2
        enqueue.assert_called_once_with(tasks.job_files_expire_task)
        enqueue.reset_mock()
        assert tasks.job_files_expire_task() == 1
        enqueue.assert_not_called()


def test_beat_runs_it_every_hour():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "lifecycle.tasks.job_files_expire_task")
    assert entry["schedule"] == 3600.0


@pytest.fixture(autouse=True)
def _clean_media():
    yield
    for path in (Path(settings.MEDIA_ROOT) / "jobs" / "test").glob("*.pdf"):
        path.unlink()
