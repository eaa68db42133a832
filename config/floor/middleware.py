"""Russian unless the user chose otherwise: the browser's Accept-Language is not consulted.

The staff are Russian-speaking whatever language their browser was installed in; English is one
click away in the header (Django's set_language view stores the choice in a cookie).
"""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext_lazy as _

from config.floor import roles
from config.floor.api.parsers import TooLarge, body_limit


class PortalLocaleMiddleware(MiddlewareMixin):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class ApiBodyLimitMiddleware:
    """An API request announcing a body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused unread:
    413 `too_large` in the API's error shape (Django would answer with an HTML page, or DRF
    would read the whole body before its parser saw it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/") and _announced_length(request) > body_limit():
            error = TooLarge()
            return JsonResponse(
                {"code": error.default_code, "detail": str(error.detail)}, status=error.status_code
            )
        return self.get_response(request)


def _announced_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


ERR_API_ONLY = _(
    "A service login (the CRM integration, the fulfilment system) works through the API with "
    "its token; it cannot open the portal's pages."
)
# What a service login may still reach outside /api/: leaving, the language, files, health.
SERVICE_PATHS = ("/api/", "/logout/", "/i18n/", "/static/", "/favicon.ico", "/healthz", "/readyz")


def is_service_login(user) -> bool:
    """A login whose only roles are services' (CRM, fulfilment): API-only."""
    held = roles.user_roles(user)
    return bool(held) and held <= roles.SERVICE_ROLES


class ServiceLoginsApiOnlyMiddleware:
    """Service logins cannot open pages (issue 11 §3): 403 on any page, the API as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(SERVICE_PATHS) and is_service_login(request.user):
            return render(
                request, "registration/api_only.html", {"message": ERR_API_ONLY}, status=403
            )
        return self.get_response(request)


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's policy (CONTENT_SECURITY_POLICY) on every response; under /admin/ the theme's
    needs replace a few directives (CSP_PATH_REPLACE: Alpine.js evaluates its expressions,
    unfold injects styles). A view's own @csp_replace still wins."""

    def process_response(self, request, response):
        if not hasattr(response, "_csp_replace"):
            for prefix, replace in settings.CSP_PATH_REPLACE.items():
                if request.path_info.startswith(prefix):
                    response._csp_replace = replace
                    break
        return super().process_response(request, response)
