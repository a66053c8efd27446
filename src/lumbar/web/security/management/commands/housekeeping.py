"""`manage.py housekeeping`: purge old login logs now (for cron), or `--schedule` the daily task."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lumbar.web.security import tasks


class Command(BaseCommand):
    help = "Delete login logs older than LUMBAR_LOGIN_LOG_DAYS, old throttling counts and expired sessions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Queue the daily housekeeping task for the task worker instead of purging now.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            queued = tasks.ensure_scheduled()
            self.stdout.write("housekeeping queued" if queued else "housekeeping already queued")
            return
        counts = tasks.purge()
        self.stdout.write(", ".join(f"{kind}: {n}" for kind, n in counts.items()))
