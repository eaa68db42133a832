"""Role-based permissions shared by the API and the pages."""

from functools import cache, wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from config.floor import roles


@cache
def role_required(*role_names: str, read_roles: tuple[str, ...] = ()):
    """A DRF permission class: `role_names` may do anything, `read_roles` only safe methods.

    Made once per set of roles: viewsets ask for it on every request (`get_permissions`), and
    making a class cost ~0.05 ms of each request's CPU."""

    class HasRole(BasePermission):
        def has_permission(self, request, view):
            user = request.user
            if not (user and user.is_authenticated):
                return False
            if roles.has_role(user, *role_names):
                return True
            return request.method in ("GET", "HEAD", "OPTIONS") and roles.has_role(
                user, *read_roles
            )

    HasRole.__name__ = "HasRole_" + "_".join(r.split()[0] for r in role_names)
    return HasRole


def page_roles(*role_names: str):
    """A view decorator: logged-in users with one of the roles, others get 403 (anonymous: login)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not roles.has_role(request.user, *role_names):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class DocsPermission(BasePermission):
    """`/api/schema/` and `/api/docs/`: open unless API_DOCS_REQUIRE_LOGIN (production's default)
    asks for a signed-in user (a session or a token)."""

    def has_permission(self, request, view):
        from django.conf import settings

        if not settings.API_DOCS_REQUIRE_LOGIN:
            return True
        return bool(request.user and request.user.is_authenticated)
