from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles_after_migrate(sender, using="default", **kwargs):
    from codes.roles import sync_roles

    sync_roles(using=using)


def _repair_search_index(sender, using="default", **kwargs):
    from codes.search.backends import get_backend

    get_backend().repair()


class CodesConfig(AppConfig):
    name = "codes"
    verbose_name = "Codes"

    def ready(self):
        post_migrate.connect(_sync_roles_after_migrate, sender=self)
        post_migrate.connect(_repair_search_index, sender=self)
