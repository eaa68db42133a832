"""Settings shared by every environment. Every default is the embedded one (SQLite, eager Celery)."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="embedded-insecure-key-for-local-use-only")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])


def database(config: dict) -> dict:
    """The connection settings of a database URL, bounded on PostgreSQL.

    A new PostgreSQL connection costs ~14 ms, so connections are reused; but runserver makes a
    thread per request and each thread kept its own (`CONN_MAX_AGE`) until PostgreSQL answered
    «too many clients». On PostgreSQL each process therefore takes its connections from Django's
    psycopg pool, at most DJANGO_DB_POOL_MAX_SIZE of them (a request that waits longer than
    DJANGO_DB_POOL_TIMEOUT for one gets a 503); a process holds at most that many whatever its
    threads. SQLite, or DJANGO_DB_POOL=false, keeps one connection per thread for CONN_MAX_AGE.
    """
    config["CONN_HEALTH_CHECKS"] = True
    config["ATOMIC_REQUESTS"] = False
    config["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    if config["ENGINE"].endswith("postgresql"):
        # pg_stat_activity names the process kind (web, worker) when each sets its own.
        config.setdefault("OPTIONS", {}).setdefault(
            "application_name", env("DJANGO_DB_APPLICATION_NAME", default="upsell-portal")
        )
        if env.bool("DJANGO_DB_POOL", default=True):
            config["CONN_MAX_AGE"] = 0  # the pool keeps them; Django refuses both at once
            config["OPTIONS"]["pool"] = {
                "min_size": env.int("DJANGO_DB_POOL_MIN_SIZE", default=1),
                "max_size": env.int("DJANGO_DB_POOL_MAX_SIZE", default=8),
                "timeout": env.float("DJANGO_DB_POOL_TIMEOUT", default=10.0),
                "max_idle": 300,
            }
    return config


DATABASES = {
    "default": database(env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared between processes when it is Redis: the catalogue version that tells every worker to
# reload its copy of the campaigns (campaigns.catalogue). Per process by default.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

INSTALLED_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_celery_results",
    "import_export",
    "simple_history",
    "treebeard",
    "axes",
    "csp",
    "config.floor",
    "offers",
    "knowledge_base",
    "campaigns",
    "rewards",
    "config",
]

MIDDLEWARE = [
    # Metrics (django-prometheus) measure everything between these two; the request id is set
    # before anything logs.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "config.floor.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.floor.middleware.PortalCSPMiddleware",
    "config.floor.middleware.ApiBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.floor.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.floor.middleware.ServiceLoginsApiOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last before the view: a failed database connection becomes a 503, never a 500.
    "config.floor.unavailable.DatabaseUnavailableMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # A sub-package with the rooms of an app (campaigns.orders) is not an app of its own:
        # its templates and static files are named here.
        "DIRS": [
            BASE_DIR / "config" / "templates",
            # The admin theme's templates the portal corrects (Russian counts, missing scripts).
            BASE_DIR / "config" / "floor" / "admin_templates",
            BASE_DIR / "campaigns" / "orders" / "templates",
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.portal",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Refuses the demo logins' published passwords where DEMO_LOGINS_ALLOWED is false.
    "config.demo.RefuseDemoLoginsBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after a working shift of inactivity.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

AXES_FAILURE_LIMIT = env.int("DJANGO_AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout answer: the portal's page, or the API's error body under /api/.
AXES_LOCKOUT_CALLABLE = "config.views.locked_out"

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
TIME_ZONE = env("DJANGO_TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "campaigns" / "orders" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

REST_FRAMEWORK = {
    # Token first: a request without credentials gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.floor.api.authentication.TokenWithRolesAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.floor.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.floor.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "config.floor.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["config.floor.api.renderers.JSONRenderer"],
    # Bodies bounded in size (DATA_UPLOAD_MAX_MEMORY_SIZE) and nesting (API_JSON_MAX_DEPTH).
    "DEFAULT_PARSER_CLASSES": [
        "config.floor.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Hostile input (issue 11): the largest request body outside file uploads (Django's own limit,
# also the API's: 413 `too_large`) and how deep a JSON body may nest (400 `malformed`).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
API_JSON_MAX_DEPTH = env.int("DJANGO_API_JSON_MAX_DEPTH", default=32)
# Content-Security-Policy (django-csp) on every response (issue 11 §4). The portal's pages run
# only their own files: no inline script, no inline <style>; inline style attributes are allowed
# (progress bars' widths). The admin's theme (unfold) evaluates Alpine.js expressions and injects
# styles: config.floor.middleware.PortalCSPMiddleware relaxes exactly that under /admin/ (and
# Swagger UI's one <style> element), from CSP_PATH_REPLACE.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-elem": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
# What a path's pages need beyond the policy (the first prefix that matches).
CSP_PATH_REPLACE = {
    "/admin/": {
        "script-src": ["'self'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "style-src-elem": ["'self'", "'unsafe-inline'"],
    },
    # Swagger UI's page carries one <style> element of its own (its scripts are files).
    "/api/docs/": {"style-src-elem": ["'self'", "'unsafe-inline'"]},
}

# Rate limits (config.floor.throttles): sign-in attempts per client address, account look-ups per
# user. Counted in THROTTLE_CACHE (Redis in production, shared by every process).
THROTTLE_RATES = {
    "login": env("DJANGO_THROTTLE_LOGIN", default="30/min"),
    "account_search": env("DJANGO_THROTTLE_ACCOUNT_SEARCH", default="120/hour"),
}
THROTTLE_CACHE = "default"

# The schema and Swagger UI name every endpoint and field: production hides them from anyone
# not signed in (config.floor.permissions.DocsPermission).
API_DOCS_REQUIRE_LOGIN = env.bool("DJANGO_API_DOCS_REQUIRE_LOGIN", default=False)
SPECTACULAR_SETTINGS = {
    "SERVE_PERMISSIONS": ["config.floor.permissions.DocsPermission"],
    "TITLE": "Upsell portal API",
    "DESCRIPTION": "Recommendations, results, orders, rewards and the knowledge base.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DisputeKindEnum": "rewards.models.disputes.DisputeKind.choices",
        # A result and the state it leaves on the product are the same set of codes.
        "ResultEnum": "campaigns.models.campaigns.ResultCode.choices",
    },
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
# Without a broker the tasks run in-process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
# Saved results refresh an agent's month at most once per this many seconds, the refresh counting
# every result of the window (rewards.events); 0 sends one per result.
REWARDS_RESULT_REFRESH_SECONDS = env.int("REWARDS_RESULT_REFRESH_SECONDS", default=5)
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# django-celery-beat's database scheduler, waiting for `migrate` when started before it.
CELERY_BEAT_SCHEDULER = "config.floor.schedulers:MigratedDatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Campaigns start and end on their dates (the name is older than the starting).
    "archive-expired-campaigns": {
        "task": "campaigns.tasks.archive_expired_campaigns",
        "schedule": timedelta(minutes=5),
    },
    "resend-pending-orders": {
        "task": "campaigns.tasks.resend_pending_orders",
        "schedule": timedelta(minutes=1),
    },
    "erase-expired-passports": {
        "task": "campaigns.tasks.erase_expired_passports",
        "schedule": timedelta(hours=6),
    },
    # /readyz reports the age of the last heartbeat: beat, broker and a worker end to end.
    "worker-heartbeat": {
        "task": "portal.heartbeat",
        "schedule": timedelta(seconds=30),
    },
    "open-installer-slots": {
        "task": "campaigns.tasks.open_installer_slots",
        "schedule": timedelta(hours=12),
    },
    # Rewards (issue 5): the running month every night, and the month just closed on the 1st.
    "compute-running-month": {
        "task": "rewards.tasks.compute_running_month",
        "schedule": crontab(hour=1, minute=30),
    },
    "compute-closed-month": {
        "task": "rewards.tasks.compute_closed_month",
        "schedule": crontab(day_of_month=1, hour=2, minute=30),
    },
    # Learning (issue 13): the propensities from the day's results, every night.
    "refresh-propensities": {
        "task": "campaigns.tasks.refresh_propensities",
        "schedule": crontab(hour=3, minute=15),
    },
}

# Connection orders (issue 4): the fulfilment system they are handed to, and their personal data.
# Empty FULFILMENT_URL: orders wait in the outbox (the admin shows them) until one is configured.
FULFILMENT_URL = env("FULFILMENT_URL", default="")
# Where FULFILMENT_URL is empty, the address `manage.py fulfilment_standin` (started by `make run`)
# writes here while it serves: the portal and `make worker` hand orders to it. Unset in production.
FULFILMENT_STANDIN_URL_FILE = env.path(
    "FULFILMENT_STANDIN_URL_FILE", default=str(VAR_DIR / "fulfilment-standin.url")
)
FULFILMENT_TIMEOUT = env.float("FULFILMENT_TIMEOUT", default=5.0)
# Token the portal sends as `Authorization: Bearer ...` to the fulfilment system (optional).
FULFILMENT_TOKEN = env("FULFILMENT_TOKEN", default="")
FULFILMENT_MAX_BACKOFF_SECONDS = env.int("FULFILMENT_MAX_BACKOFF_SECONDS", default=15 * 60)
FULFILMENT_STUCK_MINUTES = env.int("FULFILMENT_STUCK_MINUTES", default=15)
# A Fernet key (or several, comma-separated, the first encrypting) for passport data at rest. The
# embedded default is derived from a fixed phrase and is for local use only: production requires one.
ORDER_PASSPORT_KEY = env(
    "ORDER_PASSPORT_KEY", default="bG9jYWwtb25seS1pbnNlY3VyZS1wYXNzcG9ydC1rZXk="
)
# The HMAC key of the personal data's digests (an order's or account's phone, normalised to
# +7XXXXXXXXXX): exact look-ups without the phone in clear. Its own key, not the Fernet one: a
# digest key cannot be rotated by listing the old one after it (`manage.py personal_data_rekey`
# takes every digest again). The embedded default is for local use only: production requires one.
PERSONAL_DATA_HASH_KEY = env(
    "PERSONAL_DATA_HASH_KEY", default="local-only-insecure-personal-data-digest-key"
)
ORDER_RETENTION_DAYS = env.int("ORDER_RETENTION_DAYS", default=90)
ORDER_CLAWBACK_DAYS = env.int("ORDER_CLAWBACK_DAYS", default=30)
# Installer visits: working hours (local time), the slot length and the visits per slot that the
# slots opened automatically get (managers change any slot's capacity in the admin).
INSTALLER_WORKDAY_START = env.int("INSTALLER_WORKDAY_START", default=9)
INSTALLER_WORKDAY_END = env.int("INSTALLER_WORKDAY_END", default=21)
INSTALLER_SLOT_HOURS = env.int("INSTALLER_SLOT_HOURS", default=3)
INSTALLER_SLOT_CAPACITY = env.int("INSTALLER_SLOT_CAPACITY", default=3)
INSTALLER_SLOT_DAYS_AHEAD = env.int("INSTALLER_SLOT_DAYS_AHEAD", default=14)

# How recommendations are ordered (issue 13): `adaptive` by expected value (learned propensity ×
# value × the manager's priority), `static` by priority alone, as before the learning.
RECOMMENDATION_RANKING = env.str("RECOMMENDATION_RANKING", default="adaptive")

# Readiness (/readyz): beyond these ages the portal reports itself «degraded» (still serving).
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = env.int("HEALTH_HEARTBEAT_MAX_AGE_SECONDS", default=180)
HEALTH_OUTBOX_MAX_AGE_SECONDS = env.int(
    "HEALTH_OUTBOX_MAX_AGE_SECONDS", default=FULFILMENT_STUCK_MINUTES * 60
)
HEALTH_REDIS_TIMEOUT_SECONDS = env.float("HEALTH_REDIS_TIMEOUT_SECONDS", default=0.5)
# /metrics (Prometheus): with a token, for `Authorization: Bearer <token>`; without, loopback only.
METRICS_TOKEN = env("DJANGO_METRICS_TOKEN", default="")

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

SIMPLE_HISTORY_REVERT_DISABLED = False

# Logs go to stderr, plain or one JSON object a line (DJANGO_LOG_FORMAT=json), each with the
# request id (config.floor.logs) that the Celery tasks of a request carry too.
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.floor.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
# The worker logs through the same handlers (JSON too), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

from config.settings.unfold import UNFOLD  # noqa: E402, F401

DEMO_LOGINS_ALLOWED = True
