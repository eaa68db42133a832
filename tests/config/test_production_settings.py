"""Production settings: secrets only from the environment, `check --deploy` clean, whitenoise."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "postgres://portal@db.example.com:5432/portal",
    "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
    # A Fernet key (32 url-safe base64 bytes) for passport data at rest (connection orders).
    "ORDER_PASSPORT_KEY": "cHJvZHVjdGlvbi10ZXN0LWtleS1ub3QtYS1zZWNyZXQ=",
    # The HMAC key of the phones' digests (exact look-ups of encrypted phones).
    "PERSONAL_DATA_HASH_KEY": secrets.token_urlsafe(32),
}
REQUIRED = [
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "ORDER_PASSPORT_KEY",
    "PERSONAL_DATA_HASH_KEY",
]
SETTINGS_DIR = BASE_DIR / "config" / "settings"
# env("NAME"), env.list("NAME"), ... with the name as the first argument; group 2 when no default.
ENV_CALL = re.compile(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"(\s*\))?")


def _env_calls(path):
    """(name, has_default) for every variable a settings module reads."""
    return [(m.group(1), m.group(2) is None) for m in ENV_CALL.finditer(path.read_text())]


def test_every_variable_without_a_default_is_known_to_be_required():
    calls = _env_calls(SETTINGS_DIR / "production.py")
    without_default = {name for name, has_default in calls if not has_default}

    assert without_default == set(REQUIRED)


def test_the_readme_documents_every_environment_variable():
    readme = (BASE_DIR / "README.md").read_text()
    names = {name for path in SETTINGS_DIR.glob("*.py") for name, _ in _env_calls(path)}

    assert names
    assert sorted(name for name in names if f"`{name}`" not in readme) == []


def _manage(*args, env_overrides=None, drop=()):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_"))}
    env.pop("DATABASE_URL", None)
    env.update(PRODUCTION_ENV)
    env.update(env_overrides or {})
    for name in drop:
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize("name", REQUIRED)
def test_start_up_fails_without_a_required_variable(name):
    result = _manage("check", drop=[name])
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_production_settings_have_no_embedded_secret():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECRET_KEY == 'x' * 60, s.CELERY_TASK_ALWAYS_EAGER, "
        "s.DEMO_LOGINS_ALLOWED, s.DATABASES['default']['HOST'])",
        env_overrides={"DJANGO_SECRET_KEY": "x" * 60},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "False", "False", "db.example.com"]


def test_collectstatic_writes_hashed_compressed_files_for_whitenoise(tmp_path):
    result = _manage(
        "collectstatic", "--noinput", env_overrides={"DJANGO_STATIC_ROOT": str(tmp_path)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    hashed = manifest["paths"]["portal/portal.css"]
    assert hashed != "portal/portal.css"
    assert (tmp_path / hashed).is_file()
    assert (tmp_path / (hashed + ".gz")).is_file()
    assert "admin/css/base.css" in manifest["paths"]
