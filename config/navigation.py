"""The portal's navigation: each entry names the roles that may use it.

An entry whose URL is not (yet) part of the portal is left out, so the menu only ever links to
pages that exist.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from config.floor import roles


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str
    roles: frozenset


NAVIGATION = [
    NavEntry("account-search", _("Accounts"), frozenset({roles.AGENTS, roles.SUPERVISORS})),
    NavEntry("orders:list", _("Orders"), frozenset({roles.AGENTS, roles.SUPERVISORS})),
    NavEntry("callbacks", _("My callbacks"), frozenset({roles.AGENTS})),
    NavEntry(
        "kb:index",
        _("Knowledge base"),
        frozenset({roles.AGENTS, roles.SUPERVISORS, roles.MANAGERS}),
    ),
    NavEntry("me", _("My progress"), frozenset({roles.AGENTS})),
    NavEntry("leaderboard", _("Leaderboard"), frozenset({roles.SUPERVISORS, roles.MANAGERS})),
    NavEntry(
        "disputes:list",
        _("Disputes"),
        frozenset({roles.AGENTS, roles.SUPERVISORS, roles.MANAGERS}),
    ),
    NavEntry("admin:index", _("Administration"), frozenset({roles.MANAGERS, roles.SUPERVISORS})),
    NavEntry("api-docs", _("API"), frozenset({roles.MANAGERS, roles.CRM})),
]


def _url(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def navigation_for(user, current_path=""):
    user_roles = roles.user_roles(user)
    items = []
    for entry in NAVIGATION:
        if not user_roles & entry.roles:
            continue
        url = _url(entry.url_name)
        if url is None:
            continue
        items.append(
            {
                "name": entry.url_name,
                "url": url,
                "label": entry.label,
                "active": current_path.startswith(url),
            }
        )
    return items
