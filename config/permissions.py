"""Role-based permissions shared by the API and the pages."""

from rest_framework.permissions import BasePermission

from config import roles


def role_required(*role_names: str, read_roles: tuple[str, ...] = ()):
    """A DRF permission class: `role_names` may do anything, `read_roles` only safe methods."""

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
