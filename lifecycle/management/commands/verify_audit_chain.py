from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lifecycle import services


class Command(BaseCommand):
    help = "Check the audit log's hash chain; report the first broken link and exit non-zero if there is one."

    def handle(self, *args: Any, **options: Any) -> None:
        report = services.audit_chain_verify()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event #{report.broken_at}: {report.problem} ({report.checked} events verified before it)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))
