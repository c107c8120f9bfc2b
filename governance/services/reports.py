"""The governance report of a project, produced by a worker as a job: JSON on the job, the PDF
in its file."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import slugify

from governance import report_pdf, selectors
from lifecycle import services as lifecycle_services
from lifecycle.models import Job, Project, User
from lifecycle.permissions import Action


def report_filename(project: Project) -> str:
    """governance-report-<project name as a slug>-<date>.pdf (the id when the name has no
    latin letters or digits to make a slug of)."""
    slug = slugify(project.name)[:40].strip("-") or str(project.pk)[:8]
    return f"governance-report-{slug}-{timezone.localdate():%Y-%m-%d}.pdf"


@lifecycle_services.atomic
def report_request(*, project: Project, actor: User) -> Job:
    """Anyone who may see the project may ask for its report: a job the page or API client
    follows.

    One report per project is built at a time: while one is queued or running, whoever asks
    (the same person again, or anyone else who may see the project) gets that job to follow
    instead of a new one, so repeated clicks and scripts cannot pile reports up in front of the
    heavy worker. The report reads the same for every member, so following another's is no loss.
    """
    from governance import tasks

    lifecycle_services.require(actor, project, Action.VIEW)
    job, created = lifecycle_services.job_get_running_or_create(
        kind=selectors.REPORT_KIND, actor=actor, project=project, params={"filename": report_filename(project)}
    )
    if created:
        lifecycle_services.job_enqueue(job=job, task=tasks.report_job_task)
    return job


def report_run(*, job_id: Any) -> None:
    """Build and render the report of a queued job, as the system: who asked was checked when
    the job was requested.

    1. Claim the job (a second delivery of the task finds it claimed and does nothing).
    2. Build the JSON, then render the PDF, reporting progress between the steps.
    3. Store the PDF under the job's readable file name and finish the job with both.
    """
    if not lifecycle_services.job_start(job_id=job_id):
        return
    job = Job.objects.select_related("project", "project__template").get(pk=job_id)
    try:
        if job.project is None:  # report_request always names one; the column allows jobs of no project
            raise ValueError("A report job without a project.")
        lifecycle_services.job_progress(job_id=job_id, progress=10)
        report = selectors.report_build(project=job.project)
        lifecycle_services.job_progress(job_id=job_id, progress=60)
        pdf = report_pdf.report_pdf(report)
        lifecycle_services.job_progress(job_id=job_id, progress=90)
        field = Job._meta.get_field("result_file")
        # The stored name fits the column whatever the project is called: the storage shortens
        # it (and adds its own suffix when the name is taken) within max_length.
        wanted = field.generate_filename(None, job.params.get("filename") or "governance-report.pdf")
        name = default_storage.save(wanted, ContentFile(pdf), max_length=field.max_length)
    except Exception as e:
        lifecycle_services.job_fail(job_id=job_id, error=f"{e.__class__.__name__}: {e}")
        raise
    try:
        lifecycle_services.job_succeed(job_id=job_id, result=report, result_file=name, result_url=_download_url(job_id))
    except Exception:
        default_storage.delete(name)  # no job points at it: never leave it behind
        raise


def _download_url(job_id: Any) -> str:
    from django.urls import reverse

    return reverse("lifecycle:job-download", args=[job_id])
