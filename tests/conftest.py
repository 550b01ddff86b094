import io
import os

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from pytest_django.plugin import blocking_manager_key

from codes.roles import AUDITORS, CODERS, EDITORS, sync_roles

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI") == "true"
PASSWORD = "a-long-test-password-1"

# Property tests explore new examples on every developer run; in CI they replay a fixed set, so a
# submission is judged on the code, not on the luck of a draw (a new find shows up locally first).
# The two runs and their xdist workers share the machine's cores, so how fast examples are drawn
# says nothing about the code: the too_slow health check would fail a busy run at random.
hypothesis_settings.register_profile("parallel", suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile(
    "ci", parent=hypothesis_settings.get_profile("parallel"), derandomize=True, print_blob=True
)
hypothesis_settings.load_profile("ci" if IN_CI else "parallel")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_collected_static_files(settings):
    """The tests see no `collectstatic` output, as in a fresh checkout, whether or not
    `make bench` collected it: WhiteNoise indexes STATIC_ROOT each time a middleware stack is
    built, which the test client does for every test (a third of a view test's time)."""
    settings.STATIC_ROOT = None


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks (list exports) run within the request that starts them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def pytest_collection_modifyitems(config, items):
    """Vendor-gated tests are deselected on the other database, never skipped, and so are the
    `any_database` tests on PostgreSQL (the SQLite run has them); the tests that read the sample
    run next to each other (after pytest-django's and pytest-randomly's ordering, which this sort
    keeps), so a worker loads the sample once for the lot."""
    vendor = connection.vendor
    keep, drop = [], []
    for item in items:
        if (item.get_closest_marker("postgres_only") and vendor != "postgresql") or (
            (item.get_closest_marker("sqlite_only") or item.get_closest_marker("any_database"))
            and vendor != "sqlite"
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    items.sort(key=lambda item: "sample" in getattr(item, "fixturenames", ()))


def pytest_terminal_summary(terminalreporter, config):
    """pytest-randomly's seed, so an order-dependent failure can be replayed."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int) and not hasattr(config, "workerinput"):
        terminalreporter.write_line(
            f"test order: pytest-randomly seed {seed} (replay: pytest --randomly-seed={seed})"
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skipped test is a failure: the PostgreSQL and browser runs must really run."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {report.longrepr}"


def _load_sample():
    call_command("loaddata", "sample", verbosity=0)
    call_command("load_synonyms", stdout=io.StringIO())


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


class _SampleTransaction:
    """A transaction holding the loaded sample, open across consecutive tests that read it; each
    test's own transaction nests inside as a savepoint and is rolled back after it, as usual."""

    def __init__(self) -> None:
        self.atomic = None
        self.wrapper = None

    def open(self, blocker) -> None:
        if self.atomic is None:
            with blocker.unblock():
                self.atomic = transaction.atomic()
                self.atomic.__enter__()
                self.wrapper = transaction.get_connection()
                _load_sample()

    def close(self, blocker) -> None:
        if self.atomic is None:
            return
        with blocker.unblock():
            # Playwright's fixtures run tests in a context with connections of its own: this
            # transaction must end before they start (`pytest_runtest_setup`).
            assert transaction.get_connection() is self.wrapper, "closed from another context"
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = self.wrapper = None


_SAMPLE = _SampleTransaction()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A transactional test commits and is flushed after: end the sample's transaction before
    any of its fixtures (live_server, the browser) start."""
    if _is_transactional(item):
        _SAMPLE.close(item.config.stash[blocking_manager_key])


@pytest.fixture(scope="session")
def _sample_session(django_db_setup, django_db_blocker):
    yield _SAMPLE
    _SAMPLE.close(django_db_blocker)


@pytest.fixture
def _sample_scope(request, _sample_session, django_db_blocker):
    """Open the sample's transaction for a test that reads it, close it for one that does not."""
    if "sample" in request.fixturenames and not _is_transactional(request.node):
        _sample_session.open(django_db_blocker)
    else:
        _sample_session.close(django_db_blocker)


@pytest.fixture
def _django_db_helper(_sample_scope, _django_db_helper):
    """pytest-django's per-test transaction (or flush, for a transactional test), begun after
    `_sample_scope` (fixture arguments are set up in order): inside the sample's transaction for
    a test that reads the sample, on the empty database for any other."""
    return _django_db_helper


@pytest.fixture
def sample(db, _sample_session):
    """The sample codes and notes, with the starter synonyms: loaded once for a run of tests that
    read them (`_SampleTransaction`), or per test for a transactional test (it commits, and is
    flushed after) and for one that asks for this fixture at run time."""
    if _sample_session.atomic is None:
        _load_sample()


def _user(django_user_model, username, group=None, **extra):
    user = django_user_model.objects.create_user(username, password=PASSWORD, **extra)
    if group:
        # The groups come with the migrations and come back after every flush (post_migrate).
        if not Group.objects.filter(name=group).exists():
            sync_roles()
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
