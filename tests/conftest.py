import io
import os

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from hypothesis import settings as hypothesis_settings

from codes.roles import AUDITORS, CODERS, EDITORS, sync_roles

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI") == "true"
PASSWORD = "a-long-test-password-1"

# Property tests explore new examples on every developer run; in CI they replay a fixed set, so a
# submission is judged on the code, not on the luck of a draw (a new find shows up locally first).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if IN_CI:
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks (list exports) run within the request that starts them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def pytest_collection_modifyitems(config, items):
    """Vendor-gated tests are deselected on the other database, never skipped."""
    vendor = connection.vendor
    keep, drop = [], []
    for item in items:
        if (item.get_closest_marker("postgres_only") and vendor != "postgresql") or (
            item.get_closest_marker("sqlite_only") and vendor != "sqlite"
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skipped test is a failure: the PostgreSQL and browser runs must really run."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {report.longrepr}"


@pytest.fixture
def sample(db):
    """The sample codes and notes, with the starter synonyms."""
    call_command("loaddata", "sample", verbosity=0)
    call_command("load_synonyms", stdout=io.StringIO())


def _user(django_user_model, username, group=None, **extra):
    sync_roles()
    user = django_user_model.objects.create_user(username, password=PASSWORD, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def coder(db, django_user_model):
    return _user(django_user_model, "coder", CODERS)


@pytest.fixture
def editor(db, django_user_model):
    return _user(django_user_model, "editor", EDITORS, is_staff=True)


@pytest.fixture
def auditor(db, django_user_model):
    return _user(django_user_model, "auditor", AUDITORS, is_staff=True)


@pytest.fixture
def nobody(db, django_user_model):
    """A signed-in user with no role."""
    return _user(django_user_model, "nobody")


@pytest.fixture
def coder_client(client, coder):
    client.force_login(coder)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
