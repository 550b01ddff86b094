"""coderef settings: one module, every deployment difference comes from the environment."""

import hashlib
import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(set DJANGO_DEBUG=true for local development)."
        )
    SECRET_KEY = "insecure-local-development-key-not-for-production"

# Signs every export's stamp, so manage.py verify_export can prove a file unaltered without the
# export log (after a restore). Derived from SECRET_KEY unless set: set it when SECRET_KEY may
# be rotated, or to the same value on instances that should verify each other's files.
EXPORT_SIGNING_KEY = (
    os.environ.get("CODEREF_EXPORT_SIGNING_KEY")
    or hashlib.sha256(f"coderef export signing key:{SECRET_KEY}".encode()).hexdigest()
)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django
    "coderef.admin.CoderefAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # third party
    "axes",
    "csp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "template_partials",
    # project
    "codes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coderef.urls"
WSGI_APPLICATION = "coderef.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        # Parsed once per process; runserver's autoreloader clears it on edits.
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers keep reading while an editor saves. IMMEDIATE: a write transaction takes the
    # write lock when it begins, so a writer that must wait waits (up to the busy timeout) instead
    # of failing at once with "database is locked" when it upgrades a read to a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": float(os.environ.get("DJANGO_SQLITE_BUSY_SECONDS", "5")),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests run on a file database of their own (one a process: xdist workers add a suffix) rather
    # than SQLite's in-memory default: writes inside a long transaction, an import's, are several
    # times slower in memory (loading the public sets took 127 s for ICD-10-PCS instead of 30 s).
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", os.path.join(tempfile.gettempdir(), f"coderef-test-{os.getpid()}.sqlite3")
    )

# PostgreSQL: how long an editor's save waits for a row lock (an import holding the code) before
# it is refused with the form kept; imports are not bounded by it.
EDITOR_LOCK_TIMEOUT_SECONDS = float(os.environ.get("DJANGO_EDITOR_LOCK_SECONDS", "3"))

# Optional read replica for search traffic (see coderef/routers.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["coderef.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Search results (codes.search) and the parts of code and comparison pages and API documents that
# every coder sees alike are cached in each process's memory under a token that the database renews
# on every change (codes.cache), so several processes or instances never disagree. A search result
# is about 12 kB, a page's parts about 10 kB. Search results are kept as the objects themselves
# (coderef.caches: nothing changes a result once made), pages' parts pickled as Django keeps them.
CACHES = {
    "default": {
        "BACKEND": "coderef.caches.ObjectCache",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("DJANGO_SEARCH_CACHE_ENTRIES", "2000"))},
    },
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("DJANGO_PAGE_CACHE_ENTRIES", "2000"))},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First: refuses any login attempt for a locked-out user/address before checking a password.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with its permissions read in one statement.
    "coderef.auth.RolesBackend",
    # Sessions signed in before RolesBackend name this one: they stay signed in. It reads the
    # permissions RolesBackend keeps on the user, so a refused permission costs no query.
    "django.contrib.auth.backends.ModelBackend",
]

# Optional single sign-on: a proxy that authenticates users and sets a trusted header (off by
# default; only enable behind a proxy that strips the header from client requests).
REMOTE_USER_HEADER = os.environ.get("DJANGO_REMOTE_USER_HEADER", "")
REMOTE_USER_GROUP = os.environ.get("DJANGO_REMOTE_USER_GROUP", "Coders")
if REMOTE_USER_HEADER:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "coderef.auth.TrustedHeaderMiddleware",
    )
    AUTHENTICATION_BACKENDS.append("coderef.auth.TrustedHeaderBackend")

# Login throttling: after AXES_FAILURE_LIMIT failures for one username from one address, that
# pair is locked out for the cool-off time and sees registration/locked_out.html.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address is the client's, read through the TLS proxy (coderef/client_address.py): the
# proxies' own addresses or networks, comma-separated, e.g. DJANGO_TRUSTED_PROXIES=10.0.0.5.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES")
AXES_CLIENT_IP_CALLABLE = "coderef.client_address.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Password reset mails a link, so it exists only where mail is configured (DJANGO_EMAIL_HOST);
# without it the reset pages are not there at all, rather than trying localhost:25.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
PASSWORD_RESET_ENABLED = bool(EMAIL_HOST)
if PASSWORD_RESET_ENABLED:
    EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)
    DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_EMAIL_FROM", "coderef@localhost")
EMAIL_TIMEOUT = 10

# Background tasks (django-tasks, the backport of Django 6's task framework): list exports run
# in `manage.py db_worker`, which takes them from the database; tests run them at once.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A list export's PDF layout is stopped after this long; its file is kept for the user who
# asked for this many hours (manage.py expire_exports deletes older ones).
EXPORT_TIME_LIMIT_SECONDS = int(os.environ.get("CODEREF_EXPORT_TIME_LIMIT_SECONDS", "900"))
EXPORT_FILE_HOURS = int(os.environ.get("CODEREF_EXPORT_FILE_HOURS", "24"))

# Sessions in the database, read by a statement written once (coderef/sessions.py).
SESSION_ENGINE = "coderef.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_SECONDS", str(8 * 3600)))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "codes:search"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Security headers. Production is served over TLS behind a proxy: cookies are secure, plain HTTP
# is redirected, HSTS is switched on by DJANGO_HSTS_SECONDS once TLS is known to work.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("DJANGO_BEHIND_TLS_PROXY", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
# /healthz is probed by load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# No inline scripts, styles or eval anywhere: htmx is configured for that in base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
