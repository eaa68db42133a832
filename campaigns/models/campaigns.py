"""Marketing campaigns and their target lists."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaigns.models.accounts import SubscriberAccount
from campaigns.scripts import ERR_UNKNOWN_PLACEHOLDER, PLACEHOLDERS, unknown_placeholders
from knowledge_base.models import Article
from offers.models import Offer, Segment

ERR_CAMPAIGN_DATES = _("The campaign cannot end before it starts.")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # Launched, waiting for its start date: campaigns.services.campaigns_follow_schedule makes it
    # active on that day (the scheduled task, every few minutes).
    SCHEDULED = "scheduled", _("Scheduled")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ARCHIVED = "archived", _("Archived")


class ValueBasis(models.TextChoices):
    """What one agreement is worth when recommendations are ranked by expected value."""

    MONTHLY_FEE = "monthly_fee", _("The offer's monthly fee")
    FIXED = "fixed", _("A fixed amount")


class CampaignQuerySet(models.QuerySet):
    def running_on(self, day):
        return self.filter(status=CampaignStatus.ACTIVE, starts_on__lte=day).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=day)
        )

    def with_relations(self):
        return self.select_related("offer__service", "owner").prefetch_related("segments")


class Campaign(models.Model):
    """A marketing campaign: an offer, the script to read, the segments and dates it runs for."""

    code = models.CharField(_("code"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=255)
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("offer")
    )
    script_template = models.TextField(
        _("script"),
        help_text=_("Read out to the customer. Placeholders in braces, e.g. {customer}."),
    )
    connection_script_template = models.TextField(
        _("connection script"), blank=True, help_text=_("Read out when the customer agrees.")
    )
    segments = models.ManyToManyField(
        Segment, related_name="campaigns", blank=True, verbose_name=_("segments")
    )
    # Campaigns sit above the knowledge base, so the link is theirs; its table is the one it had
    # when it sat on the article (knowledge_base_article_campaigns), so no row moved.
    articles = models.ManyToManyField(
        Article,
        related_name="campaigns",
        blank=True,
        verbose_name=_("knowledge-base articles"),
        db_table="knowledge_base_article_campaigns",
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Higher first.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    cooldown_days = models.PositiveSmallIntegerField(
        _("cooldown after a refusal, days"), default=30
    )
    value_basis = models.CharField(
        _("value of an agreement"),
        max_length=20,
        choices=ValueBasis.choices,
        default=ValueBasis.MONTHLY_FEE,
    )
    value_amount = models.DecimalField(
        _("fixed value, ₽"),
        max_digits=10,
        decimal_places=2,
        default=0,
        help_text=_("Used when the value of an agreement is a fixed amount."),
    )
    exploration_share = models.PositiveSmallIntegerField(
        _("exploration, %"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Share of calls ranked by a draw from the learned propensity (Thompson sampling) "
            "instead of its mean; 0: pure expected value."
        ),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_campaigns",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[segments], excluded_fields=["updated_at"])

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-priority", "code"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CampaignStatus.values), name="campaign_status_valid"
            ),
        ]

    def __str__(self):
        return self.code

    def clean(self):
        errors = {}
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = ERR_CAMPAIGN_DATES
        for field in ("script_template", "connection_script_template"):
            unknown = unknown_placeholders(getattr(self, field) or "")
            if unknown:
                errors[field] = ERR_UNKNOWN_PLACEHOLDER % {
                    "name": unknown[0],
                    "allowed": ", ".join("{" + name + "}" for name in PLACEHOLDERS),
                }
        if errors:
            raise ValidationError(errors)


class ResultCode(models.TextChoices):
    """The four results of a recommendation (R5)."""

    NOT_OFFERED = "not_offered", _("Not offered")
    NOT_INTERESTED = "not_interested", _("Customer not interested")
    THINKING = "thinking", _("Customer is thinking")
    AGREED = "agreed", _("Customer agreed")


class CampaignTarget(models.Model):
    """An account on a campaign's target list: a recommendation, with its latest result."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="targets", verbose_name=_("campaign")
    )
    account = models.ForeignKey(
        SubscriberAccount,
        on_delete=models.CASCADE,
        related_name="campaign_targets",
        verbose_name=_("account"),
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    result = models.CharField(
        _("result"), max_length=20, choices=ResultCode.choices, default=ResultCode.NOT_OFFERED
    )
    result_at = models.DateTimeField(_("result recorded"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "account"]
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "account"], name="target_once_per_campaign"
            ),
            models.CheckConstraint(
                condition=Q(result__in=ResultCode.values), name="target_result_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["account", "campaign"], name="target_account_idx"),
            # The few targets offered so far (the learned acceptance of the reach preview counts
            # them and their results from the index alone, not the whole list nor its rows).
            models.Index(
                fields=["campaign", "result"],
                condition=~Q(result=ResultCode.NOT_OFFERED),
                name="target_offered_idx",
            ),
        ]

    def __str__(self):
        return f"{self.campaign} → {self.account.number}"
