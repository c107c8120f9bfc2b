from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifecycle.infrastructure import backups


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format; or a copy of the SQLite file) and the media files "
        "(a tar of MEDIA_ROOT) into a new or empty directory, with a manifest of checksums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="A new or empty directory to write the backup into.")
        parser.add_argument("--no-media", action="store_true", help="Leave out the media files (kept elsewhere).")

    def handle(self, *args: Any, directory: Path, no_media: bool, **options: Any) -> None:
        try:
            manifest = backups.backup_create(target=directory, media=not no_media)
        except backups.BackupError as e:
            raise CommandError(str(e)) from None
        media = manifest["media"]
        media_text = f", {media['files']} media files ({media['bytes']} bytes)" if media else ", no media files"
        self.stdout.write(self.style.SUCCESS(f"Backed up the {manifest['database']['engine']} database{media_text} to {directory}."))
