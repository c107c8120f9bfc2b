"""A file storage whose disk fills up part-way through a write, for fault tests.

It is Django's own FileSystemStorage; only the bytes it is given run out after `room` bytes, and
the next write fails with ENOSPC. So the first bytes really reach the file and the error comes
from the middle of Django's write loop, as on a real full disk.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator

from django.core.files.base import File
from django.core.files.storage import FileSystemStorage


class FullDiskStorage(FileSystemStorage):
    room = 16  # bytes that still fit on the disk

    def _save(self, name: str, content: File) -> str:
        return super()._save(name, _Filling(content, self.room))


class _Filling(File):
    """The upload's bytes up to `room`, then ENOSPC."""

    def __init__(self, content: File, room: int):
        super().__init__(content.file, content.name)
        self.content = content
        self.room = room

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        content = self.content
        content.seek(0)
        data = content.read()
        if self.room:
            yield data[: self.room]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
