import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

from codes.management.commands.load_synonyms import TERMINOLOGY_STARTER
from codes.models import Code
from codes.roles import AUDITORS, EDITORS

LOCAL_ADMIN = "admin"


class Command(BaseCommand):
    help = (
        "Prepare a local database: load the sample fixtures when it holds no codes, add the "
        "starter synonyms it lacks, create a local admin user when there is no superuser, and "
        "say how to log in. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if Code.objects.exists():
            self.stdout.write("Sample data: the database already holds codes; left as it is.")
        else:
            call_command("loaddata", "sample", verbosity=0)
            self.stdout.write(f"Sample data: loaded {Code.objects.count()} codes.")
        call_command("load_synonyms", str(TERMINOLOGY_STARTER), stdout=self.stdout._out)
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "Log in with your existing superuser at http://127.0.0.1:8000/accounts/login/ "
                "(forgot it? .venv/bin/python manage.py changepassword NAME)."
            )
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(LOCAL_ADMIN, email="", password=password)
        user.groups.set(Group.objects.filter(name__in=[EDITORS, AUDITORS]))
        self.stdout.write(
            self.style.SUCCESS(
                f"Created local admin user. Log in at http://127.0.0.1:8000/accounts/login/ "
                f"as {LOCAL_ADMIN!r} with password {password!r}"
            )
        )
