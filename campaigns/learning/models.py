"""Script versions of a campaign (A/B) and the propensities learned from the results."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaigns.models.campaigns import Campaign
from campaigns.scripts import ERR_UNKNOWN_PLACEHOLDER, PLACEHOLDERS, unknown_placeholders

ERR_VERSION_WEIGHT = _("A running version needs a traffic weight above zero.")


class VersionStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    # Kept for the experiment's history: results keep pointing at it, no account sees it any more.
    RETIRED = "retired", _("Retired")


class ScriptVersionQuerySet(models.QuerySet):
    def running(self):
        return self.filter(status=VersionStatus.RUNNING)


class ScriptVersion(models.Model):
    """One version of a campaign's speech and agreement scripts, shown to a share of its accounts."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="script_versions",
        verbose_name=_("campaign"),
    )
    label = models.CharField(_("label"), max_length=20, help_text=_("E.g. A, B, «short»."))
    script_template = models.TextField(
        _("script"),
        help_text=_("Read out to the customer. Placeholders in braces, e.g. {customer}."),
    )
    connection_script_template = models.TextField(
        _("connection script"),
        blank=True,
        help_text=_("Read out when the customer agrees; empty: the campaign's."),
    )
    weight = models.PositiveSmallIntegerField(
        _("traffic weight"),
        default=50,
        help_text=_("Accounts are shared between running versions in proportion to their weights."),
    )
    is_control = models.BooleanField(_("control"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.RUNNING
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScriptVersionQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "label"]
        verbose_name = _("script version")
        verbose_name_plural = _("script versions")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "label"], name="version_label_unique"),
            models.UniqueConstraint(
                fields=["campaign"],
                condition=Q(is_control=True, status="running"),
                name="version_one_running_control",
            ),
            models.CheckConstraint(
                condition=Q(status__in=VersionStatus.values), name="version_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.campaign_id}:{self.label}"

    def clean(self):
        errors = {}
        for name in ("script_template", "connection_script_template"):
            unknown = unknown_placeholders(getattr(self, name) or "")
            if unknown:
                errors[name] = ERR_UNKNOWN_PLACEHOLDER % {
                    "name": unknown[0],
                    "allowed": ", ".join("{" + n + "}" for n in PLACEHOLDERS),
                }
        if self.status == VersionStatus.RUNNING and not self.weight:
            errors["weight"] = ERR_VERSION_WEIGHT
        if errors:
            raise ValidationError(errors)


class PropensityLevel(models.TextChoices):
    """How specific a learned propensity is; a narrower one starts from its parent's evidence."""

    KIND = "kind", _("Offer kind")
    OFFER = "offer", _("Offer")
    CAMPAIGN = "campaign", _("Campaign")
    SEGMENT = "segment", _("Campaign and segment")


class Propensity(models.Model):
    """How often customers agree to an offer: counts of the results and the Beta posterior."""

    level = models.CharField(_("level"), max_length=10, choices=PropensityLevel.choices)
    # The key of its level (0 or "" where the level does not use it): the offer kind, the offer
    # id, the campaign id, or the campaign id and the account's services («broadband+iptv»).
    kind = models.CharField(_("offer kind"), max_length=20, blank=True)
    offer_id = models.PositiveIntegerField(_("offer"), default=0)
    campaign_id = models.PositiveIntegerField(_("campaign"), default=0)
    segment_key = models.CharField(_("services of the account"), max_length=200, blank=True)
    need_heard = models.BooleanField(_("need heard / bridge used"))
    offered = models.PositiveIntegerField(_("offered"))
    agreed = models.PositiveIntegerField(_("agreed"))
    alpha = models.FloatField(_("alpha"))
    beta = models.FloatField(_("beta"))
    refreshed_at = models.DateTimeField(_("refreshed"))

    class Meta:
        ordering = ["level", "kind", "offer_id", "campaign_id", "segment_key", "need_heard"]
        verbose_name = _("propensity")
        verbose_name_plural = _("propensities")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "kind", "offer_id", "campaign_id", "segment_key", "need_heard"],
                name="propensity_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(agreed__lte=models.F("offered")), name="propensity_k_le_n"
            ),
        ]

    def __str__(self):
        return f"{self.level}:{self.kind}{self.offer_id}{self.campaign_id}{self.segment_key}"

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)
