from campaigns.models.accounts import PaymentModel, SubscriberAccount
from campaigns.models.campaigns import Campaign, CampaignStatus, CampaignTarget
from campaigns.models.org import AgentProfile, Department, Team

__all__ = [
    "AgentProfile",
    "Campaign",
    "CampaignStatus",
    "CampaignTarget",
    "Department",
    "PaymentModel",
    "SubscriberAccount",
    "Team",
]
