from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance import services


class Command(BaseCommand):
    help = "Create or update a framework (EU AI Act, NIST, ISO...) from YAML. Nothing is imported when the file has errors."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the YAML file (see governance/frameworks/ for the format)")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise CommandError(f"Cannot read {path}: {e}") from None
        try:
            framework = services.framework_import(text=text)
        except services.FrameworkImportError as e:
            for error in e.errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(f"{path}: {len(e.errors)} problem(s); nothing was imported.") from None
        count = framework.requirements.count()
        self.stdout.write(self.style.SUCCESS(f"Imported {framework.name} (as of {framework.as_of}): {count} requirements."))
