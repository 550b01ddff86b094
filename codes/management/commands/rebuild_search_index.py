from django.core.management.base import BaseCommand
from django.db import transaction

from codes.models import Code
from codes.search.backends import get_backend


class Command(BaseCommand):
    help = "Rebuild the full-text search index from the codes table (SQLite FTS5 or PostgreSQL)."

    def handle(self, *args, **options):
        backend = get_backend()
        with transaction.atomic():
            backend.repair()
            backend.rebuild()
        self.stdout.write(f"Search index rebuilt: {Code.objects.count()} codes.")
