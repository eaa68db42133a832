"""WSGI entry point for gunicorn.

The start-up checks of secrets (`portal_secrets`: a passport key that does not decrypt the stored
passports, demo logins with their published passwords under production settings) stop the
process before it serves anything. They read the database, so like Django's database checks they
run with `migrate` and `manage.py check --database default`, not with a plain `check`.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()


def _check_secrets():
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured

    errors = [
        e
        for e in checks.run_checks(tags=["portal_secrets"], databases=["default"])
        if e.is_serious()
    ]
    if errors:
        raise ImproperlyConfigured("; ".join(f"{e.id}: {e.msg}" for e in errors))


_check_secrets()
