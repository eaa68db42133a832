from campaigns.models.accounts import PaymentModel, SubscriberAccount
from campaigns.models.appeals import Appeal, AppealTheme
from campaigns.models.campaigns import Campaign, CampaignStatus, CampaignTarget, ResultCode
from campaigns.models.exclusions import Outage, PeakHours, Weekday
from campaigns.models.history import ContactHistoryEntry, HistoryAction
from campaigns.models.org import AgentProfile, Department, Team

__all__ = [
    "AgentProfile",
    "Appeal",
    "AppealTheme",
    "Campaign",
    "CampaignStatus",
    "CampaignTarget",
    "ContactHistoryEntry",
    "Department",
    "HistoryAction",
    "Outage",
    "PaymentModel",
    "PeakHours",
    "ResultCode",
    "SubscriberAccount",
    "Team",
    "Weekday",
]
