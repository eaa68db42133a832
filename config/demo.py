"""The demo data of `seed_demo`: each app makes its own (`<app>/demo`), this module runs the steps
in order.

Every step is idempotent (natural keys, nothing saved when nothing changed) and deterministic (a
fixed random seed), so running `seed_demo` twice leaves the same rows. The toolkit the steps share
(SeedContext, upserts, generated names) is config.floor.seeding.

The "believable running month" of CONTRACT.md comes from the last steps: the results recorded in
the agents' appeals, the connection orders, and the conversions job run over both months.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _

from campaigns.demo import (
    accounts,
    agreements,
    callbacks,
    campaigns,
    learning,
    logins,
    org,
    reach,
    results,
)
from campaigns.orders import demo as orders
from config.floor.roles import ROLE_PERMISSIONS
from config.floor.seeding import SeedContext, Step
from knowledge_base import demo as knowledge
from offers import demo as catalogue
from rewards.demo import disputes as rewards_disputes
from rewards.demo import history as rewards_history
from rewards.demo import month as rewards_month
from rewards.demo import rules as rewards


def roles_step(ctx: SeedContext) -> dict[str, int]:
    """The groups first: the teams step gives the generated agents and supervisors their roles."""
    logins.sync_roles()
    return {"roles": len(ROLE_PERMISSIONS)}


STEPS = [
    Step("roles", roles_step),
    Step("catalogue", catalogue.run),
    Step("rewards", rewards.run),
    Step("teams and agents", org.run),
    Step("demo logins", logins.run),
    Step("a team move and a revised rule", rewards_history.run),
    Step("accounts", accounts.run),
    Step("campaigns", campaigns.run),
    Step("knowledge base", knowledge.run),
    Step("results of the running month", results.run),
    Step("connection orders", orders.run),
    Step("agreements behind the orders", agreements.run),
    Step("callbacks of the customers thinking", callbacks.run),
    # After the results and orders: the draft's list (all generated accounts) gets none of them.
    Step("a draft campaign to preview", reach.run),
    Step("statement disputes", rewards_disputes.run),
    Step("A/B tests and the propensities of the month", learning.run),
    # Keep the conversions job last: it reads the results and orders of the steps above.
    Step("conversions of the previous and running month", rewards_month.run),
]

__all__ = ["STEPS", "SeedContext", "Step"]


# Demo logins under production settings (issue 11 §4): their passwords are in the README, so they
# must never open anything there, however the users came to exist.
ERR_DEMO_LOGINS_ACTIVE = _(
    "Demo logins with their published passwords are active under production settings: %(names)s. "
    "Deactivate them or change their passwords."
)


def demo_credentials() -> dict[str, str]:
    return {username: password for username, (password, *_rest) in logins.DEMO_LOGINS.items()}


class RefuseDemoLoginsBackend:
    """Where DEMO_LOGINS_ALLOWED is false (production), a demo login with its published password
    is refused outright (PermissionDenied stops Django's authentication, and django-axes counts
    the failure): the login page, the token endpoint and the admin alike. It has no `get_user`
    (Django's BaseBackend would give it one that finds nobody): no session is ever its own."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if settings.DEMO_LOGINS_ALLOWED or not password:
            return None
        if demo_credentials().get(username) == password:
            raise PermissionDenied
        return None


@checks.register("portal_secrets", checks.Tags.database)
def check_demo_logins(app_configs=None, databases=None, **kwargs):
    """An error at start when active demo logins keep their published passwords in production
    (read only when a database is named: the database tag alone does not skip a check)."""
    if settings.DEMO_LOGINS_ALLOWED or not databases:
        return []
    user_model = get_user_model()
    credentials = demo_credentials()
    try:
        users = list(user_model.objects.filter(username__in=credentials, is_active=True))
    except DatabaseError:
        return []  # no tables yet: nothing to refuse
    names = sorted(u.username for u in users if u.check_password(credentials[u.username]))
    if not names:
        return []
    message = ERR_DEMO_LOGINS_ACTIVE % {"names": ", ".join(names)}
    return [checks.Error(str(message), id="portal.E001")]
