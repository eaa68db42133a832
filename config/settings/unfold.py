"""The admin theme (django-unfold): titles and colours; the sidebar lists the apps by permission."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

UNFOLD = {
    "SITE_TITLE": _("Upsell portal"),
    "SITE_HEADER": _("Upsell portal"),
    "SITE_SUBHEADER": _("Marketing management"),
    "SITE_URL": "/",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": True,
    "SHOW_LANGUAGES": True,
    "LOGIN": {"redirect_after": reverse_lazy("admin:index")},
    "COLORS": {
        "primary": {
            "50": "245 243 255",
            "100": "237 233 254",
            "200": "221 214 254",
            "300": "196 181 253",
            "400": "167 139 250",
            "500": "139 92 246",
            "600": "124 58 237",
            "700": "109 40 217",
            "800": "91 33 182",
            "900": "76 29 149",
            "950": "46 16 101",
        },
    },
    "SIDEBAR": {"show_search": True, "show_all_applications": True},
}
