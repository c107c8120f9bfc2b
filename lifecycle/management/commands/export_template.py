from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lifecycle import services
from lifecycle.models import LifecycleTemplate


class Command(BaseCommand):
    help = "Print a lifecycle template as YAML (the latest version unless --version is given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key", help="the template key, e.g. genai-default")
        parser.add_argument("--template-version", type=int, dest="template_version", help="the version to export")
        parser.add_argument("--output", "-o", help="write to this file instead of standard output")

    def handle(self, *args: Any, key: str, template_version: int | None, output: str | None, **options: Any) -> None:
        templates = LifecycleTemplate.objects.filter(key=key)
        if template_version is not None:
            templates = templates.filter(version=template_version)
        template = templates.order_by("-version").first()
        if template is None:
            known = ", ".join(sorted(set(LifecycleTemplate.objects.values_list("key", flat=True)))) or "none"
            raise CommandError(f"No template {key!r}{f' version {template_version}' if template_version else ''}. Known keys: {known}.")
        text = services.template_export(template=template)
        if output:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
            self.stderr.write(f"Wrote {template} to {output}.")
        else:
            self.stdout.write(text, ending="")
