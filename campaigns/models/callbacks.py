"""Callbacks: «Клиент думает» becomes a promise to call the customer back at a time."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models.accounts import SubscriberAccount
from campaigns.models.campaigns import CampaignTarget, ResultCode
from config.floor import roles
from offers.models import Offer

# A callback made within this long after its time counts as made on time; after it, it is overdue.
CALLBACK_GRACE = datetime.timedelta(minutes=30)


class CallbackQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def overdue(self, now):
        return self.open().filter(due_at__lt=now - CALLBACK_GRACE)

    def visible_to(self, user):
        """Agents see their own, supervisors their teams' agents', managers and the CRM all."""
        if roles.has_role(user, roles.MANAGERS, roles.CRM):
            return self
        if roles.has_role(user, roles.SUPERVISORS):
            return self.filter(agent__agent_profile__team__supervisors=user)
        return self.filter(agent=user)


class Callback(models.Model):
    """A promise to call a thinking customer back about one product, at a time (issue 12 §1)."""

    account = models.ForeignKey(
        SubscriberAccount,
        on_delete=models.CASCADE,
        related_name="callbacks",
        verbose_name=_("account"),
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="callbacks", verbose_name=_("offer")
    )
    target = models.ForeignKey(
        CampaignTarget,
        on_delete=models.CASCADE,
        related_name="callbacks",
        verbose_name=_("recommendation"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="callbacks",
        verbose_name=_("agent"),
    )
    due_at = models.DateTimeField(_("call back at"), db_index=True)
    created_at = models.DateTimeField(_("created"))
    closed_at = models.DateTimeField(_("made"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=ResultCode.choices, blank=True)

    objects = CallbackQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        indexes = [models.Index(fields=["agent", "closed_at", "due_at"], name="callback_agent_idx")]
        constraints = [
            # One open callback per product on an account: a new «thinking» replaces the old one.
            models.UniqueConstraint(
                fields=["account", "offer"],
                condition=Q(closed_at__isnull=True),
                name="callback_one_open_per_product",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=ResultCode.values),
                name="callback_outcome_valid",
            ),
        ]

    def __str__(self):
        return f"{self.account.number} {self.offer} {self.due_at:%d.%m.%Y %H:%M}"

    def is_overdue(self, now) -> bool:
        return self.closed_at is None and self.due_at + CALLBACK_GRACE < now

    @property
    def made_on_time(self) -> bool | None:
        if self.closed_at is None:
            return None
        return self.closed_at <= self.due_at + CALLBACK_GRACE
