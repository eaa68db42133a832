"""The campaigns admin, one module per concept; Django's autodiscovery imports this package."""

from campaigns.admin import campaign, campaigns, targets, workspace  # noqa: F401  (registers the admins)
from campaigns.learning import admin as learning_admin  # noqa: F401  (versions, learning page)
from campaigns.orders import admin as orders_admin  # noqa: F401  (orders, outbox, reveals, slots)
