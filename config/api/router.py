"""The `/api/v1/` router: each app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from campaigns.api import CampaignViewSet
from config.api.auth import TokenView
from offers.api import OfferViewSet
from rewards.api import RewardRuleViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("offers", OfferViewSet, basename="offer")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("rewards/rules", RewardRuleViewSet, basename="reward-rule")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    *router.urls,
]
