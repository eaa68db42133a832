"""Reads for campaigns, accounts, appeals and recommendations."""

from django.db.models import Prefetch

from campaigns.models import Appeal, Campaign, ContactHistoryEntry, Department, SubscriberAccount

# The workspace's lean reads live in campaigns.recommendations; re-exported for the callers.
from campaigns.recommendations import (  # noqa: F401
    Recommendation,
    account_for_workspace,
    recommendations_for,
    situation_for,
    targets_of,
)


def campaign_list():
    return Campaign.objects.with_relations().order_by("-priority", "code")


def account_get(*, number: str) -> SubscriberAccount | None:
    return SubscriberAccount.objects.with_relations().filter(number=number).first()


def appeal_open_for(*, account: SubscriberAccount, agent) -> Appeal | None:
    """The agent's open appeal on this account, the latest first."""
    return (
        Appeal.objects.open().filter(account=account, agent=agent).order_by("-started_at").first()
    )


def department_of(*, agent) -> Department | None:
    """The department of the agent's team (the appeal and the history entry record it)."""
    return Department.objects.filter(teams__agents__user=agent).first()


def history_queryset():
    return ContactHistoryEntry.objects.select_related("agent", "department").prefetch_related(
        "objections"
    )


def account_history(*, account: SubscriberAccount, limit: int = 50):
    return (
        history_queryset()
        .filter(target__account=account)
        .select_related("target__campaign__offer")
        .order_by("-created_at", "-id")[:limit]
    )


def appeals_visible_to(user):
    return (
        Appeal.objects.visible_to(user)
        .select_related("account", "agent", "department")
        .prefetch_related(Prefetch("history", queryset=history_queryset()))
    )


def appeal_visible(*, user, appeal_id: int) -> Appeal | None:
    return appeals_visible_to(user).filter(pk=appeal_id).first()
