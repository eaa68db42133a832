from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns and sales floor")

    def ready(self):
        # Models are ready only now: the catalogue (which imports them) cannot load with apps.py.
        from campaigns import catalogue, checks, personal_data  # noqa: F401 (checks register)
        from campaigns.services import service_masks

        catalogue.bump_on_change()
        service_masks.keep_masks()
        personal_data.register_fields()
