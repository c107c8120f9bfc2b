from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Generate realistic projects in bulk (checklists, artifacts, risks, sign-offs, gates, audit events) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--projects", type=int, default=100, help="how many projects to add (default 100)")
        parser.add_argument("--seed", type=int, default=1, help="random seed, for repeatable data")

    def handle(self, *args: Any, projects: int, seed: int, **options: Any) -> None:
        if not 1 <= projects <= 200_000:
            raise CommandError("--projects must be between 1 and 200000.")
        from sample_data.generator import Generator  # only when run: production code never imports sample data

        started = time.monotonic()
        stats = Generator(seed=seed, out=self.stdout).run(projects)
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{name} {count:,}" for name, count in sorted(stats.rows.items()))
        self.stdout.write(self.style.SUCCESS(f"Generated {stats.projects:,} projects: {stats.total:,} rows in {elapsed:.1f}s ({summary})."))
