"""manage.py expire_exports: delete the files of background exports older than a day."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from codes.services import export_jobs_expire


class Command(BaseCommand):
    help = (
        f"Delete the files of list exports older than EXPORT_FILE_HOURS "
        f"({settings.EXPORT_FILE_HOURS}); the export log keeps their records."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = export_jobs_expire()
        self.stdout.write(f"Deleted {deleted} expired export file{'' if deleted == 1 else 's'}.")
