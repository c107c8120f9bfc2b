from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifecycle.infrastructure import backups


class Command(BaseCommand):
    help = (
        "Restore a backup written by `backup`: checks its checksums, then replaces the database and the media "
        "files. Stop the web server and workers first. A database or media folder that is not empty is only "
        "replaced with --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="The directory `backup` wrote.")
        parser.add_argument("--yes", action="store_true", help="Replace a database and media files that are not empty.")

    def handle(self, *args: Any, directory: Path, yes: bool, **options: Any) -> None:
        try:
            manifest = backups.backup_restore(source=directory, replace=yes)
        except backups.BackupError as e:
            raise CommandError(str(e)) from None
        media = manifest["media"]
        media_text = f" and {media['files']} media files" if media else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the database{media_text} from the backup of {manifest['created_at']}. "
                "Run `manage.py migrate` if this code is newer than the backup."
            )
        )
