# Script versions and propensities live in the learning sub-package; registered here likewise.
from campaigns.learning.models import (
    Propensity,
    PropensityLevel,
    ScriptVersion,
    VersionStatus,
)
from campaigns.models.accounts import (
    AccountSearch,
    PaymentModel,
    PersonalDataView,
    SearchChannel,
    SubjectType,
    SubscriberAccount,
    ViewSurface,
)
from campaigns.models.appeals import Appeal, AppealNeed, AppealTheme
from campaigns.models.callbacks import CALLBACK_GRACE, Callback
from campaigns.models.campaigns import (
    Campaign,
    CampaignStatus,
    CampaignTarget,
    ResultCode,
    ValueBasis,
)
from campaigns.models.exclusions import Outage, PeakHours, Weekday, window_covers
from campaigns.models.history import ContactHistoryEntry, HistoryAction, OfferResult
from campaigns.models.org import AgentProfile, Department, Team, TeamMembership

# Connection orders live in their sub-package; imported here so that Django registers them.
from campaigns.orders.models import (
    PENDING_ORDER_STATUSES,
    TRANSITIONS,
    ConnectionOrder,
    InstallerSlot,
    OrderKind,
    OrderOutboxMessage,
    OrderStatus,
    OrderStatusChange,
    OutboxKind,
    OutboxState,
    PersonalDataReveal,
    RevealChannel,
    SalesChannel,
    StatusSource,
)

__all__ = [
    "CALLBACK_GRACE",
    "PENDING_ORDER_STATUSES",
    "TRANSITIONS",
    "AccountSearch",
    "AgentProfile",
    "Appeal",
    "AppealNeed",
    "AppealTheme",
    "Callback",
    "Campaign",
    "CampaignStatus",
    "CampaignTarget",
    "ConnectionOrder",
    "ContactHistoryEntry",
    "Department",
    "HistoryAction",
    "InstallerSlot",
    "OfferResult",
    "OrderKind",
    "OrderOutboxMessage",
    "OrderStatus",
    "OrderStatusChange",
    "Outage",
    "OutboxKind",
    "OutboxState",
    "PaymentModel",
    "PeakHours",
    "PersonalDataReveal",
    "PersonalDataView",
    "Propensity",
    "PropensityLevel",
    "ResultCode",
    "RevealChannel",
    "SalesChannel",
    "ScriptVersion",
    "SearchChannel",
    "StatusSource",
    "SubjectType",
    "SubscriberAccount",
    "Team",
    "TeamMembership",
    "ValueBasis",
    "VersionStatus",
    "ViewSurface",
    "Weekday",
    "window_covers",
]
