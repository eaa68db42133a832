"""The demo data of `seed_demo`, one module per step, run in the order of STEPS.

Every step is idempotent (natural keys, nothing saved when nothing changed) and deterministic (a
fixed random seed), so running `seed_demo` twice leaves the same rows.

The "believable running month" of CONTRACT.md comes from the last steps: the results recorded in
the agents' appeals, the connection orders, and the conversions job run over both months.
"""

from config.demo import (
    accounts,
    agreements,
    campaigns,
    catalogue,
    knowledge,
    logins,
    orders,
    org,
    results,
    rewards,
    rewards_month,
)
from config.demo.base import SeedContext, Step
from config.floor.roles import ROLE_PERMISSIONS


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
    Step("accounts", accounts.run),
    Step("campaigns", campaigns.run),
    Step("knowledge base", knowledge.run),
    Step("results of the running month", results.run),
    Step("connection orders", orders.run),
    Step("agreements behind the orders", agreements.run),
    # Keep the conversions job last: it reads the results and orders of the steps above.
    Step("conversions of the previous and running month", rewards_month.run),
]

__all__ = ["STEPS", "SeedContext", "Step"]
