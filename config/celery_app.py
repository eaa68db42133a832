"""The Celery application; tasks live in each app's tasks.py."""

import os

from celery import Celery

# Connects the signal handlers that carry a request's id into its tasks (config.floor.logs).
from config.floor import logs  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("upsell")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
