"""The `/api/v1/` router: each app registers its viewsets here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from campaigns.api import AccountViewSet, AppealViewSet, CallbackViewSet, CampaignViewSet
from campaigns.orders.api import OrderViewSet
from config.api.auth import TokenView
from config.api.me import MeView
from knowledge_base.api import (
    ArticleViewSet,
    BridgeViewSet,
    CategoryViewSet,
    ClosingPhraseViewSet,
    ObjectionTypeViewSet,
    SearchView,
)
from offers.api import OfferViewSet
from rewards.api import LeaderboardView, MyProgressView, RewardRuleViewSet
from rewards.disputes.api import DisputeViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("offers", OfferViewSet, basename="offer")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("accounts", AccountViewSet, basename="account")
router.register("appeals", AppealViewSet, basename="appeal")
router.register("callbacks", CallbackViewSet, basename="callback")
router.register("orders", OrderViewSet, basename="order")
router.register("rewards/rules", RewardRuleViewSet, basename="reward-rule")
router.register("disputes", DisputeViewSet, basename="dispute")
router.register("kb/categories", CategoryViewSet, basename="kb-category")
router.register("kb/articles", ArticleViewSet, basename="kb-article")
router.register("kb/bridges", BridgeViewSet, basename="kb-bridge")
router.register("kb/objections", ObjectionTypeViewSet, basename="kb-objection")
router.register("kb/closing-phrases", ClosingPhraseViewSet, basename="kb-closing-phrase")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/me/", MeView.as_view(), name="auth-me"),
    path("leaderboard/", LeaderboardView.as_view(), name="leaderboard-api"),
    path("me/progress/", MyProgressView.as_view(), name="me-progress"),
    path("kb/search/", SearchView.as_view(), name="kb-search"),
    *router.urls,
]
