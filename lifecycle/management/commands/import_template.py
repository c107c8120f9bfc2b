from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifecycle import services


class Command(BaseCommand):
    help = "Import a lifecycle template from YAML as the next version of its key. Nothing is imported when the file has errors."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the YAML file")
        parser.add_argument("--default", action="store_true", help="make it the default template for new projects")

    def handle(self, *args: Any, path: str, default: bool, **options: Any) -> None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise CommandError(f"Cannot read {path}: {e}") from None
        try:
            template = services.template_import(text=text, make_default=default)
        except services.TemplateImportError as e:
            for error in e.errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(f"{path}: {len(e.errors)} problem(s); nothing was imported.") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {template} ({template.key} v{template.version})."))
