"""The contact history (история коммуникации) of recommendations on an account."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models.appeals import Appeal
from campaigns.models.campaigns import CampaignTarget, ResultCode
from campaigns.models.org import Department
from knowledge_base.models import ObjectionType


class HistoryAction(models.TextChoices):
    INFORMED = "informed", _("Informed")


class ContactHistoryEntry(models.Model):
    """One saved result on one recommendation: action, date-time, agent, department, comment (R5)."""

    target = models.ForeignKey(
        CampaignTarget,
        on_delete=models.CASCADE,
        related_name="history",
        verbose_name=_("recommendation"),
    )
    action = models.CharField(
        _("action"), max_length=20, choices=HistoryAction.choices, default=HistoryAction.INFORMED
    )
    result = models.CharField(_("result"), max_length=20, choices=ResultCode.choices)
    objections = models.ManyToManyField(
        ObjectionType, related_name="history_entries", blank=True, verbose_name=_("objections")
    )
    comment = models.CharField(_("comment"), max_length=500)
    agent_comment = models.TextField(_("agent's comment"), blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contact_history",
        verbose_name=_("agent"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_history",
        verbose_name=_("department"),
    )
    appeal = models.ForeignKey(
        Appeal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="history",
        verbose_name=_("appeal"),
    )
    created_at = models.DateTimeField(_("date and time"), db_index=True)
    # What the learning reads (campaigns.learning): the script version the account was shown, the
    # context of the offer and the account's services when the result was saved.
    script_version = models.ForeignKey(
        "campaigns.ScriptVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="results",
        verbose_name=_("script version"),
    )
    # Database defaults too: rows written by plain SQL (imports, benchmarks) need not name them.
    need_heard = models.BooleanField(_("need heard / bridge used"), default=False, db_default=False)
    segment_key = models.CharField(
        _("services of the account"), max_length=200, blank=True, default="", db_default=""
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("contact history entry")
        verbose_name_plural = _("contact history")
        indexes = [models.Index(fields=["target", "-created_at"], name="history_target_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(result__in=ResultCode.values), name="history_result_valid"
            )
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.created_at:%d.%m.%Y %H:%M:%S} {self.comment}"


class OfferResult(models.Model):
    """The state of one product for one customer (R5, R6): the latest result that counts, whatever
    the campaign it was given on. A later campaign of the same product reads its cooldown here."""

    account = models.ForeignKey(
        "campaigns.SubscriberAccount",
        on_delete=models.CASCADE,
        related_name="offer_results",
        verbose_name=_("account"),
    )
    offer = models.ForeignKey(
        "offers.Offer",
        on_delete=models.CASCADE,
        related_name="account_results",
        verbose_name=_("offer"),
    )
    result = models.CharField(_("result"), max_length=20, choices=ResultCode.choices)
    result_at = models.DateTimeField(_("result recorded"))
    appeal = models.ForeignKey(
        Appeal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offer_results",
        verbose_name=_("appeal"),
    )

    class Meta:
        ordering = ["account", "offer"]
        verbose_name = _("result per product")
        verbose_name_plural = _("results per product")
        constraints = [
            models.UniqueConstraint(fields=["account", "offer"], name="offer_result_once"),
            models.CheckConstraint(
                condition=models.Q(result__in=ResultCode.values), name="offer_result_valid"
            ),
        ]

    def __str__(self):
        return f"{self.account_id} / {self.offer_id}: {self.result}"
