from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompositionConfig(AppConfig):
    """The composition above the apps: urls, the API router, the portal shell and the demo data
    (its `seed_demo` command is why it is an app)."""

    name = "config"
    verbose_name = _("Portal")

    def ready(self):
        # The start-up checks of secrets (demo logins in production) register themselves.
        from config import demo  # noqa: F401
