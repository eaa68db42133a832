"""The floor every app stands on; it imports no app (an import-linter contract says so).

roles, permissions       the portal's roles (Django groups) and the checks API and pages share
errors, messages         the domain errors services raise, the messages several edges share
api/                     the API's one error shape, pagination and OpenAPI schema plumbing
idempotency              `Idempotency-Key` for API POSTs and one-time keys for page forms
admin, admin_strings     the unfold admin base classes (and Django's and Celery's admins)
middleware               Russian unless the user chose otherwise
models, migrations       the plumbing app (label `portal`): idempotency keys, the roles' groups
templates/, static/      the base page, login and error pages, the portal's stylesheet

Beside it, `config.settings` and `config.celery_app` (their places are the deployment's interface:
DJANGO_SETTINGS_MODULE, `celery -A config`) import no app either.
"""
