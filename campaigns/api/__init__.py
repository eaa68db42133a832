from campaigns.api.accounts import AccountViewSet
from campaigns.api.appeals import AppealViewSet
from campaigns.api.callbacks import CallbackViewSet
from campaigns.api.catalogue import CampaignViewSet

__all__ = ["AccountViewSet", "AppealViewSet", "CallbackViewSet", "CampaignViewSet"]
