from campaigns.api.accounts import AccountViewSet
from campaigns.api.appeals import AppealViewSet
from campaigns.api.catalogue import CampaignViewSet
from campaigns.api.orders import OrderViewSet

__all__ = ["AccountViewSet", "AppealViewSet", "CampaignViewSet", "OrderViewSet"]
