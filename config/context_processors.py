from config.floor import roles
from config.navigation import navigation_for


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role_labels": []}
    names = roles.user_roles(user)
    return {
        "nav_items": navigation_for(user, request.path),
        "user_role_labels": [
            roles.ROLE_LABELS[name] for name in sorted(names) if name in roles.ROLE_LABELS
        ],
    }
