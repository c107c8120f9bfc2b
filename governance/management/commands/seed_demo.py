from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo users and projects (a second run changes nothing) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        from sample_data import demo  # only when run: production code never imports sample data

        demo.seed(self.stdout)
        self.stdout.write(demo.logins_text())
