"""Rate limits against enumeration and password guessing (issue 11 §3), for the API and pages.

DRF's throttles count in a cache: `THROTTLE_CACHE` names it (Django's default cache locally; in
production a Redis shared by every process, so a limit holds across workers). Rates come from
`THROTTLE_RATES` at each request, so a deployment (and a test) sets them in the settings.

- `login`: sign-in attempts (token endpoint, login page) per client address, beyond django-axes'
  lockout of one username: spraying many usernames from one address stops here.
- `account_search`: account look-ups (the search page, an account by number, the API) per user.
"""

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework.throttling import SimpleRateThrottle

ERR_THROTTLED = _("Too many requests. Try again in %(wait)s.")


class PortalThrottle(SimpleRateThrottle):
    """A throttle whose cache and rate are read from the settings when it is used."""

    @property
    def cache(self):
        return caches[settings.THROTTLE_CACHE]

    def get_rate(self):
        return settings.THROTTLE_RATES[self.scope]


class LoginThrottle(PortalThrottle):
    scope = "login"

    def allow_request(self, request, view):
        if request.method != "POST":
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AccountSearchThrottle(PortalThrottle):
    scope = "account_search"

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def wait_text(seconds) -> str:
    minutes = max(1, round((seconds or 60) / 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def page_throttled(request, throttle_class):
    """For a page: None when the request may go on, else the 429 page to answer with."""
    throttle = throttle_class()
    if throttle.allow_request(request, None):
        return None
    message = ERR_THROTTLED % {"wait": wait_text(throttle.wait())}
    response = render(request, "throttled.html", {"message": message}, status=429)
    response["Retry-After"] = str(int(throttle.wait() or 60))
    return response
