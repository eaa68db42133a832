"""Appeals (обращения): the record of one customer contact, with what only the agent knows."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models.accounts import SubscriberAccount
from campaigns.models.org import Department
from config.floor import roles
from knowledge_base.models import Bridge
from offers.models import Offer


class AppealTheme(models.TextChoices):
    SERVICE = "service", _("Service request")
    UPSELL = "upsell", _("Upsell")
    SALES = "sales", _("Sales")


class AppealQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def visible_to(self, user):
        """Agents see their own appeals, supervisors their teams', managers and the CRM all."""
        if roles.has_role(user, roles.MANAGERS, roles.CRM):
            return self
        if roles.has_role(user, roles.SUPERVISORS):
            return self.filter(agent__agent_profile__team__supervisors=user)
        return self.filter(agent=user)


class Appeal(models.Model):
    """One customer contact (call) on an account, with the context flags of R1 and R9."""

    account = models.ForeignKey(
        SubscriberAccount,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("account"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("agent"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("department"),
    )
    theme = models.CharField(
        _("theme"), max_length=20, choices=AppealTheme.choices, default=AppealTheme.SERVICE
    )
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    result = models.CharField(_("result"), max_length=255, blank=True)
    question_resolved = models.BooleanField(_("the customer's question is resolved"), default=False)
    negative_customer = models.BooleanField(_("demanding or negative customer"), default=False)
    complaint = models.BooleanField(_("complaint or threat to end the contract"), default=False)
    not_service_user = models.BooleanField(
        _("caller is not the service user or is a child"), default=False
    )
    need_heard = models.BooleanField(
        _("need heard / bridge used"),
        default=False,
        db_default=False,
        help_text=_("The customer's need was heard or a business bridge led to the offer."),
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        indexes = [
            models.Index(fields=["account", "agent", "closed_at"]),
            # The caller's open appeal on the account, latest first: read by every recommendations
            # call, it stays a probe of a handful of rows however many closed appeals pile up.
            models.Index(
                fields=["account", "agent", "-started_at"],
                condition=models.Q(closed_at__isnull=True),
                name="appeal_open_idx",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.account.number}"


class AppealNeed(models.Model):
    """A need heard in a call for one offer: the agent opened a business bridge leading to it."""

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="needs", verbose_name=_("appeal")
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.CASCADE, related_name="+", verbose_name=_("offer")
    )
    bridge = models.ForeignKey(
        Bridge,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("business bridge"),
    )
    marked_at = models.DateTimeField(_("marked"))

    class Meta:
        ordering = ["appeal", "marked_at"]
        verbose_name = _("need heard for an offer")
        verbose_name_plural = _("needs heard for offers")
        constraints = [
            models.UniqueConstraint(fields=["appeal", "offer"], name="appeal_need_once_per_offer")
        ]

    def __str__(self):
        return f"#{self.appeal_id}: {self.offer}"
