"""File attachments on artifacts: size limit, content types checked against the bytes, SHA-256,
stored through Django's storage API under a random name."""

from __future__ import annotations

import errno
import hashlib
import logging
import re
import unicodedata
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile

from lifecycle import services as lifecycle_services
from lifecycle.exceptions import ApplicationError, ServiceUnavailable
from lifecycle.models import User
from lifecycle.permissions import Action
from phases.models import Artifact, Attachment

logger = logging.getLogger(__name__)

ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "text/plain": "text",
    "text/csv": "CSV",
    "text/markdown": "Markdown",
    "application/json": "JSON",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint deck",
}
_TEXT_TYPES = {"text/plain", "text/csv", "text/markdown", "application/json"}
_OFFICE_TYPES = {t for t in ALLOWED_TYPES if t.startswith("application/vnd.openxmlformats")}
_EXTENSIONS = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".md": "text/markdown",
    ".json": "application/json",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
MAX_ATTACHMENTS_PER_ARTIFACT = 50


MAX_NAME = 150


def safe_filename(name: str) -> str:
    """The file's base name, with no path, control characters or characters that break headers;
    a long name is shortened before its extension, which it keeps."""
    base = PurePath(str(name).replace("\\", "/")).name
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\- ()]+", "_", base, flags=re.UNICODE).strip(" .")
    base = base or "attachment"
    if len(base) > MAX_NAME:
        suffix = PurePath(base).suffix[:10]
        base = base[: MAX_NAME - len(suffix)].rstrip(" .") + suffix
    return base


def _name_for_type(name: str, content_type: str) -> str:
    """`name`, with the extension of the type it is stored as when its own says otherwise (a
    `page.html` kept as plain text is downloaded as `page.html.txt`, never opened as a page)."""
    if _EXTENSIONS.get(PurePath(name).suffix.lower()) == content_type:
        return name
    extension = next(ext for ext, kind in _EXTENSIONS.items() if kind == content_type)
    return safe_filename(name[: MAX_NAME - len(extension)] + extension)


def sniff(head: bytes) -> str | None:
    """The content type the first bytes show, for the types we accept."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        return "office"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as e:
            # A multi-byte character cut by the sample's end is still text.
            if e.start < len(head) - 3:
                return None
        return "text"
    return None


def _content_type(upload: UploadedFile, name: str) -> str:
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    by_extension = _EXTENSIONS.get(PurePath(name).suffix.lower())
    candidate = declared if declared in ALLOWED_TYPES else by_extension
    if candidate is None or (by_extension is not None and by_extension != candidate and declared != "application/octet-stream"):
        candidate = by_extension
    if candidate is None:
        raise ApplicationError(
            f"“{name}” is not an accepted file type. Accepted: {', '.join(sorted(set(ALLOWED_TYPES.values())))}.",
            code="file_type",
            fields={"file": ["This file type is not accepted."]},
        )
    return candidate


def _check_bytes(content_type: str, head: bytes, name: str) -> None:
    seen = sniff(head)
    expected = "text" if content_type in _TEXT_TYPES else "office" if content_type in _OFFICE_TYPES else content_type
    if seen != expected:
        raise ApplicationError(
            f"“{name}” does not contain what its type says ({ALLOWED_TYPES[content_type]}).",
            code="file_type",
            fields={"file": ["The file's content does not match its type."]},
        )


@lifecycle_services.atomic
def attachment_add(*, artifact: Artifact, actor: User, upload: UploadedFile) -> Attachment:
    """Check, hash and store one uploaded file. Nothing is kept when any step fails: a storage
    error leaves no row, and a database error removes the stored file."""
    lifecycle_services.lock_writable(artifact.project_id)
    artifact = (
        Artifact.objects.select_for_update(of=("self",), no_key=True)
        .select_related("project", "latest_version", "approved_version")
        .get(pk=artifact.pk)
    )
    lifecycle_services.require(actor, artifact.project, Action.CONTRIBUTE)
    name = safe_filename(upload.name or "attachment")
    if upload.size is None or upload.size > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        raise ApplicationError(f"“{name}” is larger than {limit} MB.", code="file_too_large", fields={"file": [f"At most {limit} MB."]})
    if upload.size == 0:
        raise ApplicationError(f"“{name}” is empty.", code="file_empty", fields={"file": ["The file is empty."]})
    if artifact.attachments.count() >= MAX_ATTACHMENTS_PER_ARTIFACT:
        raise ApplicationError(f"An artifact holds at most {MAX_ATTACHMENTS_PER_ARTIFACT} files.", code="too_many_files")
    content_type = _content_type(upload, name)
    content = upload.read()
    _check_bytes(content_type, content[:2048], name)
    name = _name_for_type(name, content_type)
    attachment = Attachment(
        artifact=artifact,
        name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
    )
    _store(attachment, content)
    try:
        attachment.save()
        lifecycle_services.change_record(
            actor=actor,
            action="artifact.attachment_added",
            obj=artifact,
            project=artifact.project_id,
            after={"attachment": str(attachment.pk), "name": name, "sha256": attachment.sha256, "size": attachment.size},
        )
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def _store(attachment: Attachment, content: bytes) -> None:
    """Save the bytes under a fresh random name. A write that fails part-way (a full disk) can
    leave a partial file under that name, and Django's storage does not remove it; the name is
    ours alone, so whatever is found under it is removed."""
    field = attachment.file.field
    storage = attachment.file.storage
    name = field.generate_filename(attachment, attachment.name)
    try:
        attachment.file = storage.save(name, ContentFile(content), max_length=field.max_length)
    except OSError as e:
        logger.error("storing an attachment failed: %s", e)
        _discard(storage, name)
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise ServiceUnavailable(
                "The file store is full, so the file was not saved. Nothing else changed; try again later or tell an administrator.",
                code="storage_full",
            ) from None
        raise ServiceUnavailable("The file could not be stored. Nothing was saved; try again.", code="storage_error") from None


def _discard(storage: Storage, name: str) -> None:
    try:
        if storage.exists(name):
            storage.delete(name)
    except OSError as e:
        logger.error("removing a partly stored attachment %s failed: %s", name, e)
