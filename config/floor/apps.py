from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The plumbing app: idempotency keys and the roles' groups (its label predates the split)."""

    name = "config.floor"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from config.floor import db

        db.connect()
