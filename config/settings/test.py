"""The test suite: fast hashing, in-memory e-mail and files.

The database and the broker follow the environment like everywhere else: pytest-django makes an
in-memory SQLite database by default, or test_<name> on the PostgreSQL of DATABASE_URL. Celery runs
tasks in-process unless CELERY_BROKER_URL names a real broker (then a real worker runs them).
"""

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files come from the app folders; nothing needs collecting first.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
AXES_FAILURE_LIMIT = 3
LANGUAGE_CODE = "ru"
FULFILMENT_STANDIN_URL_FILE = None  # a developer's `make run` stand-in is not the tests'
