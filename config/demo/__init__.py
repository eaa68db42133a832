"""The demo data of `seed_demo`, one module per step, run in the order of STEPS.

Every step is idempotent (natural keys, nothing saved when nothing changed) and deterministic (a
fixed random seed), so running `seed_demo` twice leaves the same rows.

The "believable running month" of CONTRACT.md (results recorded and connection orders in the
current and previous month) needs the appeals, results and orders models of later issues. Their
steps go at the end of STEPS, after "knowledge base": a module `config/demo/<name>.py` with
`run(ctx) -> dict[str, int]`, appended as `Step("<name>", <name>.run)`.
"""

from config.demo import (
    accounts,
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

STEPS = [
    Step("catalogue", catalogue.run),
    Step("rewards", rewards.run),
    Step("teams and agents", org.run),
    Step("demo logins", logins.run),
    Step("accounts", accounts.run),
    Step("campaigns", campaigns.run),
    Step("knowledge base", knowledge.run),
    Step("results of the running month", results.run),
    Step("connection orders", orders.run),
    # Later issues append here: results (appeals, recommendation results) and connection orders.
    # Keep the conversions job last: it reads the results and orders of the steps above.
    Step("conversions of the previous and running month", rewards_month.run),
]

__all__ = ["STEPS", "SeedContext", "Step"]
