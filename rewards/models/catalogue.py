"""The reward catalogue (R11): what each connected service earns the agent."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from offers.models import Offer, Service

ERR_RULE_DATES = _("A rule cannot end before it starts.")
ERR_FIXED_NEEDS_AMOUNT = _("A fixed reward needs an amount.")
ERR_ARPU_NEEDS_SHARE = _("A share of ARPU needs the share, e.g. 0.75.")


class RewardKind(models.TextChoices):
    FIXED = "fixed", _("Fixed amount")
    ARPU_SHARE = "arpu_share", _("Share of ARPU")
    TIERED = "tiered", _("Tiered by fee increase")


class RewardRuleQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def with_relations(self):
        return self.select_related("service").prefetch_related("offers", "bands")


class RewardRule(models.Model):
    """One line of the reward catalogue, valid for a period."""

    code = models.SlugField(_("code"), max_length=60, allow_unicode=True)
    name = models.CharField(_("name"), max_length=255)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="reward_rules", verbose_name=_("service")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RewardKind.choices)
    offers = models.ManyToManyField(
        Offer,
        related_name="reward_rules",
        blank=True,
        verbose_name=_("offers"),
        help_text=_("The offers the rule pays for. Empty for a share of ARPU on a new service."),
    )
    amount = models.DecimalField(
        _("amount, ₽"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    arpu_share = models.DecimalField(
        _("share of ARPU"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords(m2m_fields=[offers])

    objects = RewardRuleQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("reward rule")
        verbose_name_plural = _("reward rules")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="reward_rule_code_period"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="reward_rule_valid_dates",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="reward_rule_amount_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(arpu_share__isnull=True) | Q(arpu_share__gte=0, arpu_share__lte=1),
                name="reward_rule_share_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(kind=RewardKind.FIXED) | Q(amount__isnull=False),
                name="reward_rule_fixed_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(kind=RewardKind.ARPU_SHARE) | Q(arpu_share__isnull=False),
                name="reward_rule_arpu_has_share",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = ERR_RULE_DATES
        if self.kind == RewardKind.FIXED and self.amount is None:
            errors["amount"] = ERR_FIXED_NEEDS_AMOUNT
        if self.kind == RewardKind.ARPU_SHARE and self.arpu_share is None:
            errors["arpu_share"] = ERR_ARPU_NEEDS_SHARE
        if errors:
            raise ValidationError(errors)


class RewardBand(models.Model):
    """A band of a tiered rule: a move whose monthly-fee increase falls in [min, max) earns amount."""

    rule = models.ForeignKey(
        RewardRule, on_delete=models.CASCADE, related_name="bands", verbose_name=_("rule")
    )
    min_increase = models.DecimalField(
        _("fee increase from, ₽"), max_digits=10, decimal_places=2, default=0
    )
    max_increase = models.DecimalField(
        _("fee increase below, ₽"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty for no upper bound."),
    )
    amount = models.DecimalField(_("amount, ₽"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["rule", "min_increase"]
        verbose_name = _("reward band")
        verbose_name_plural = _("reward bands")
        constraints = [
            models.UniqueConstraint(fields=["rule", "min_increase"], name="reward_band_start_once"),
            models.CheckConstraint(
                condition=Q(min_increase__gte=0) & Q(amount__gte=0),
                name="reward_band_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(max_increase__isnull=True)
                | Q(max_increase__gt=models.F("min_increase")),
                name="reward_band_max_above_min",
            ),
        ]

    def __str__(self):
        upper = self.max_increase if self.max_increase is not None else "∞"
        return f"{self.min_increase}–{upper}: {self.amount}"
