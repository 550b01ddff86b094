from typing import Any

from django.core.management.base import BaseCommand

from codes.roles import role_permissions, sync_roles


class Command(BaseCommand):
    help = "Create the Coders, Editors and Auditors groups and set their permissions."

    def handle(self, *args: Any, **options: Any) -> None:
        sync_roles()
        for group, codenames in role_permissions().items():
            self.stdout.write(f"{group}: {len(codenames)} permissions")
