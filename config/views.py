"""The portal shell: login, the home page, the lockout answer and the error pages."""

from axes.helpers import get_cool_off
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.floor import roles
from config.floor.middleware import ERR_API_ONLY, is_service_login
from config.floor.throttles import LoginThrottle, page_throttled
from config.home import agent_day
from config.navigation import navigation_for

ERR_LOCKED_OUT = _("Too many failed login attempts. Try again in %(minutes)s.")
ERR_NOT_FOUND = _("Not found.")
ERR_SERVER = _("Something went wrong on our side. The error has been logged.")
LOCKOUT_STATUS = 429


class AuthenticationForm(auth_forms.AuthenticationForm):
    """Django's form sets the username's max_length only after the field is built, so nothing
    checked it: a name longer than any user's reached authentication and django-axes' bounded
    record of the failure (a DataError on PostgreSQL). It is now a field error like any other."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "api_only": ERR_API_ONLY,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(
            MaxLengthValidator(self.fields["username"].max_length)
        )

    def confirm_login_allowed(self, user):
        """Service logins (CRM, fulfilment) use the API with a token, never the pages."""
        super().confirm_login_allowed(user)
        if is_service_login(user):
            raise ValidationError(self.error_messages["api_only"], code="api_only")


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = AuthenticationForm

    def post(self, request, *args, **kwargs):
        # Sign-in attempts per client address, beyond django-axes' lockout of one username.
        return page_throttled(request, LoginThrottle) or super().post(request, *args, **kwargs)


@login_required
def home(request):
    entries = navigation_for(request.user)
    context = {
        "entries": entries,
        "has_role": bool(roles.user_roles(request.user)),
        # The agent's first move on a call: open the customer's account.
        "account_search": next((e["url"] for e in entries if e["name"] == "account-search"), None),
        "day": agent_day(request.user) if roles.has_role(request.user, roles.AGENTS) else None,
    }
    return render(request, "portal/home.html", context)


def _minutes(cool_off) -> str:
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes' answer once a login is locked: a page, or the API's error body."""
    message = ERR_LOCKED_OUT % {"minutes": _minutes(get_cool_off(request))}
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "detail": message}, status=LOCKOUT_STATUS)
    return render(
        request, "registration/locked_out.html", {"message": message}, status=LOCKOUT_STATUS
    )


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": str(ERR_NOT_FOUND)}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "detail": str(ERR_SERVER)}, status=500)
    return render(request, "500.html", status=500)


def favicon(request):
    """The portal's icon, where a browser asks for /favicon.ico (resolved per request: the
    hashed static name exists only once collectstatic has run)."""
    return HttpResponsePermanentRedirect(static("portal/favicon.svg"))
