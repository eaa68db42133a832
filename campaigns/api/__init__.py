from campaigns.api.accounts import AccountViewSet
from campaigns.api.appeals import AppealViewSet
from campaigns.api.catalogue import CampaignViewSet

__all__ = ["AccountViewSet", "AppealViewSet", "CampaignViewSet"]
