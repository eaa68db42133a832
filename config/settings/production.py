"""Production: every secret comes from the environment and has no default.

A missing DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL,
ORDER_PASSPORT_KEY or PERSONAL_DATA_HASH_KEY stops the process at start-up with
ImproperlyConfigured, before it serves anything.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import LOGGING, database, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": database(env.db("DATABASE_URL"))}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False

# Orders go to the real fulfilment system (FULFILMENT_URL) only, never to a local stand-in.
FULFILMENT_STANDIN_URL_FILE = None

# Passport data at rest: a Fernet key of this deployment's own (no default).
ORDER_PASSPORT_KEY = env("ORDER_PASSPORT_KEY")
# The personal data's digest key (HMAC), of this deployment's own too (portal.E004 when weak).
PERSONAL_DATA_HASH_KEY = env("PERSONAL_DATA_HASH_KEY")

# Static files are collected here and served by whitenoise with hashed, compressed names.
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(STATIC_ROOT))  # noqa: F405
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(MEDIA_ROOT))  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Probes and the metrics scraper talk plain HTTP to the process, behind the proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

ADMINS = [("Admin", address) for address in env.list("DJANGO_ADMINS", default=[])]
SERVER_EMAIL = env("DJANGO_SERVER_EMAIL", default="portal@localhost")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default=SERVER_EMAIL)
EMAIL_CONFIG = env.email("DJANGO_EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)

LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "django.security": {"level": "WARNING"}}}

# Rate limits count in Redis, shared by every worker: DJANGO_THROTTLE_CACHE_URL, by default the
# broker's Redis (keys prefixed, each expiring with its window).
CACHES = {
    **CACHES,  # noqa: F405
    "throttle": {
        **env.cache_url("DJANGO_THROTTLE_CACHE_URL", default=CELERY_BROKER_URL),
        "KEY_PREFIX": "throttle",
    },
}
THROTTLE_CACHE = "throttle"

# The API's schema and docs only for signed-in users (issue 11 §3).
API_DOCS_REQUIRE_LOGIN = env.bool("DJANGO_API_DOCS_REQUIRE_LOGIN", default=True)

# seed_demo refuses to create its well-known logins here.
DEMO_LOGINS_ALLOWED = False
