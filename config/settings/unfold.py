"""The admin theme (django-unfold): titles, colours and the sidebar.

Each sidebar entry shows only to a user who may view its model, and only once its admin is
registered; the "All applications" panel lists the rest (schedules, group results) by permission.
"""

from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _


def _changelist(app_label, model_name):
    return f"admin:{app_label}_{model_name}_changelist"


def _link(url_name):
    """The link of a sidebar entry, resolved when the sidebar is drawn."""

    def link(request):
        try:
            return reverse(url_name)
        except NoReverseMatch:
            return ""

    return link


def _may_view(app_label, model_name, url_name):
    """A user sees an entry when they may view the model and its admin page exists."""

    def permission(request):
        if not request.user.has_perm(f"{app_label}.view_{model_name}"):
            return False
        try:
            reverse(url_name)
        except NoReverseMatch:
            return False
        return True

    return permission


def _item(title, icon, app_label, model_name):
    url_name = _changelist(app_label, model_name)
    return {
        "title": title,
        "icon": icon,
        "link": _link(url_name),
        "permission": _may_view(app_label, model_name, url_name),
    }


SIDEBAR_NAVIGATION = [
    {
        "title": _("Catalogue"),
        "collapsible": False,
        "items": [
            _item(_("Services"), "router", "offers", "service"),
            _item(_("Segments"), "category", "offers", "segment"),
            _item(_("Offers"), "sell", "offers", "offer"),
        ],
    },
    {
        "title": _("Campaigns"),
        "collapsible": False,
        "items": [
            _item(_("Campaigns"), "campaign", "campaigns", "campaign"),
            _item(_("Campaign targets"), "checklist", "campaigns", "campaigntarget"),
            _item(_("Subscriber accounts"), "contacts", "campaigns", "subscriberaccount"),
        ],
    },
    {
        "title": _("Sales floor"),
        "collapsible": True,
        "items": [
            _item(_("Departments"), "apartment", "campaigns", "department"),
            _item(_("Teams"), "groups", "campaigns", "team"),
            _item(_("Agents"), "support_agent", "campaigns", "agentprofile"),
        ],
    },
    {
        "title": _("Rewards"),
        "collapsible": False,
        "items": [
            _item(_("Reward rules"), "payments", "rewards", "rewardrule"),
            _item(_("Campaign funnel"), "filter_alt", "rewards", "campaignmonth"),
            _item(_("Monthly targets"), "flag", "rewards", "monthlytarget"),
            _item(_("Agents' months"), "leaderboard", "rewards", "agentmonth"),
            _item(_("Month locks"), "lock", "rewards", "monthlock"),
        ],
    },
    {
        "title": _("Knowledge base"),
        "collapsible": True,
        "items": [
            _item(_("Categories"), "account_tree", "knowledge_base", "category"),
            _item(_("Articles"), "article", "knowledge_base", "article"),
            _item(_("Tags"), "label", "knowledge_base", "tag"),
            _item(_("Business bridges"), "alt_route", "knowledge_base", "bridge"),
            _item(_("Objection types"), "record_voice_over", "knowledge_base", "objectiontype"),
            _item(_("Closing phrases"), "handshake", "knowledge_base", "closingphrase"),
            _item(_("Article feedback"), "thumbs_up_down", "knowledge_base", "articlefeedback"),
        ],
    },
    {
        "title": _("System"),
        "collapsible": True,
        "items": [
            _item(_("Users"), "person", "auth", "user"),
            _item(_("Groups"), "group", "auth", "group"),
            _item(_("Task results"), "task_alt", "django_celery_results", "taskresult"),
            _item(_("Periodic tasks"), "schedule", "django_celery_beat", "periodictask"),
        ],
    },
]

UNFOLD = {
    "SITE_TITLE": _("Upsell portal"),
    "SITE_HEADER": _("Upsell portal"),
    "SITE_SUBHEADER": _("Marketing management"),
    "SITE_URL": "/",
    "SITE_SYMBOL": "campaign",
    "STYLES": [lambda request: static("portal/admin.css")],
    "SITE_FAVICONS": [
        {
            "rel": "icon",
            "type": "image/svg+xml",
            "href": lambda request: static("portal/favicon.svg"),
        }
    ],
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
    "SIDEBAR": {
        "show_search": True,
        # The groups above hold the daily work; "All applications" reaches the rest (beat
        # schedules, group results), each listed only to users who may see it.
        "show_all_applications": True,
        "navigation": SIDEBAR_NAVIGATION,
    },
}
