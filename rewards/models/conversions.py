"""The monthly conversions (R10, R11): targets, the job's per-agent and per-campaign figures, the
supervisors' month locks and the statement lines frozen by them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from config.floor import roles
from rewards.models.catalogue import RewardRule

DEFAULT_TARGET = 10
ERR_MONTH_NOT_FIRST = _("A month is stored as its first day.")


class MonthlyTarget(models.Model):
    """The orders a team's agents must reach in one month (10 unless a manager sets otherwise)."""

    team = models.ForeignKey(
        "campaigns.Team",
        on_delete=models.CASCADE,
        related_name="monthly_targets",
        verbose_name=_("team"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    target = models.PositiveSmallIntegerField(
        _("orders target"), default=DEFAULT_TARGET, validators=[MinValueValidator(1)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "team__name"]
        verbose_name = _("monthly target")
        verbose_name_plural = _("monthly targets")
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="target_once_per_team_month"),
            models.CheckConstraint(condition=Q(target__gte=1), name="target_at_least_one"),
        ]

    def __str__(self):
        return f"{self.team} {self.month:%m.%Y}: {self.target}"

    def clean(self):
        if self.month and self.month.day != 1:
            raise ValidationError({"month": ERR_MONTH_NOT_FIRST})


class ConversionRun(models.Model):
    """The row a conversions run locks for its month, with what the last run did."""

    month = models.DateField(_("month"), unique=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    started_at = models.DateTimeField(_("last run started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("last run finished"), null=True, blank=True)
    agents = models.PositiveIntegerField(_("agents"), default=0)
    orders = models.PositiveIntegerField(_("orders"), default=0)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("conversions run")
        verbose_name_plural = _("conversions runs")

    def __str__(self):
        return f"{self.month:%m.%Y}"


class MonthLock(models.Model):
    """A closed month a supervisor locked for a team: its figures stay, later changes are adjustments."""

    team = models.ForeignKey(
        "campaigns.Team",
        on_delete=models.CASCADE,
        related_name="month_locks",
        verbose_name=_("team"),
    )
    month = models.DateField(_("month"))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("locked by"),
    )
    locked_at = models.DateTimeField(_("locked"))

    class Meta:
        ordering = ["-month", "team__name"]
        verbose_name = _("month lock")
        verbose_name_plural = _("month locks")
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="lock_once_per_team_month")
        ]

    def __str__(self):
        return f"{self.team} {self.month:%m.%Y}"


class AgentMonthQuerySet(models.QuerySet):
    def for_month(self, month):
        return self.filter(month=month)

    def visible_to(self, user):
        """Supervisors their teams' rows, managers all, anyone else none."""
        if roles.has_role(user, roles.MANAGERS):
            return self
        if roles.has_role(user, roles.SUPERVISORS):
            return self.filter(team__supervisors=user)
        return self.none()


class AgentMonth(models.Model):
    """One agent's month in one team, as computed: orders, target, rewards, funnel.

    An order (and a saved result) counts for the team the agent was in on the day it was
    registered, so an agent who moved within a month has a row in each team. The target is the
    agent's for the whole month: every row of the agent carries it and the agent's orders of the
    month in all teams (`month_orders`), which decide whether it is met.
    """

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent_months",
        verbose_name=_("agent"),
    )
    month = models.DateField(_("month"))
    team = models.ForeignKey(
        "campaigns.Team",
        on_delete=models.PROTECT,
        related_name="agent_months",
        verbose_name=_("team"),
    )
    target = models.PositiveSmallIntegerField(
        _("target"), help_text=_("0: no target (a starter with no working day left).")
    )
    base_target = models.PositiveSmallIntegerField(_("team target"))
    prorated = models.BooleanField(_("prorated"), default=False)
    orders = models.PositiveIntegerField(_("orders registered"), default=0)
    month_orders = models.PositiveIntegerField(
        _("orders in the month, all teams"),
        default=0,
        help_text=_("What the target is measured against."),
    )
    connected = models.PositiveIntegerField(_("orders connected"), default=0)
    cancelled = models.PositiveIntegerField(_("orders cancelled"), default=0)
    clawbacks = models.PositiveIntegerField(_("clawbacks"), default=0)
    reward_earned = models.DecimalField(_("earned, ₽"), max_digits=12, decimal_places=2, default=0)
    reward_clawed_back = models.DecimalField(
        _("clawed back, ₽"), max_digits=12, decimal_places=2, default=0
    )
    reward_total = models.DecimalField(_("reward, ₽"), max_digits=12, decimal_places=2, default=0)
    reward_pending = models.DecimalField(
        _("pending, ₽"), max_digits=12, decimal_places=2, default=0
    )
    reward_disputes = models.DecimalField(
        _("accepted disputes, ₽"),
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("Adjustments of accepted statement disputes booked in this month."),
    )
    shown = models.PositiveIntegerField(_("shown"), default=0)
    offered = models.PositiveIntegerField(_("offered"), default=0)
    thinking = models.PositiveIntegerField(_("thinking"), default=0)
    agreed = models.PositiveIntegerField(_("agreed"), default=0)
    ordered = models.PositiveIntegerField(_("ordered"), default=0)
    ordered_connected = models.PositiveIntegerField(_("of them connected"), default=0)
    daily = models.JSONField(
        _("orders by day"),
        default=list,
        blank=True,
        help_text=_("Orders registered on each day of the month, the 1st first."),
    )
    locked = models.BooleanField(_("locked"), default=False)
    adjustment_orders = models.IntegerField(_("orders adjustment"), default=0)
    adjustment_connected = models.IntegerField(_("connected adjustment"), default=0)
    adjustment_reward = models.DecimalField(
        _("reward adjustment, ₽"), max_digits=12, decimal_places=2, default=0
    )
    computed_at = models.DateTimeField(_("computed"))

    objects = AgentMonthQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "agent__last_name"]
        verbose_name = _("agent's month")
        verbose_name_plural = _("agents' months")
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "month", "team"], name="agent_month_team_once"
            ),
        ]
        indexes = [models.Index(fields=["month", "team"], name="agent_month_team_idx")]

    def __str__(self):
        return f"{self.agent} {self.month:%m.%Y} {self.team}"

    @property
    def has_target(self) -> bool:
        return self.target > 0

    @property
    def target_met(self) -> bool:
        """Met when the agent's orders of the month reach a target; never without a target."""
        return self.has_target and self.month_orders >= self.target


class CampaignMonth(models.Model):
    """A campaign's offer funnel in one month, as the conversions job computed it."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="funnel_months",
        verbose_name=_("campaign"),
    )
    month = models.DateField(_("month"))
    shown = models.PositiveIntegerField(_("shown"), default=0)
    offered = models.PositiveIntegerField(_("offered"), default=0)
    thinking = models.PositiveIntegerField(_("thinking"), default=0)
    agreed = models.PositiveIntegerField(_("agreed"), default=0)
    ordered = models.PositiveIntegerField(_("ordered"), default=0)
    connected = models.PositiveIntegerField(_("connected"), default=0)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["-month", "campaign__code"]
        verbose_name = _("campaign funnel")
        verbose_name_plural = _("campaign funnels")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "month"], name="campaign_month_once"),
        ]

    def __str__(self):
        return f"{self.campaign} {self.month:%m.%Y}"


class LineState(models.TextChoices):
    PENDING = "pending", _("Pending until connected")
    EARNED = "earned", _("Earned")
    CLAWED_BACK = "clawed_back", _("Clawed back")
    CANCELLED = "cancelled", _("Cancelled before connection")


class RewardLine(models.Model):
    """A statement line frozen when its month was locked: an order, the rule it met and the amount."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reward_lines",
        verbose_name=_("agent"),
    )
    month = models.DateField(_("month"))
    order = models.ForeignKey(
        "campaigns.ConnectionOrder",
        on_delete=models.CASCADE,
        related_name="reward_lines",
        verbose_name=pgettext_lazy("connection order", "order"),
    )
    offer = models.ForeignKey(
        "offers.Offer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item"),
        help_text=_("The item of the order the line pays for: its main offer or an extra."),
    )
    team = models.ForeignKey(
        "campaigns.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    rule = models.ForeignKey(
        RewardRule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        verbose_name=_("rule"),
    )
    state = models.CharField(_("state"), max_length=20, choices=LineState.choices)
    amount = models.DecimalField(_("amount, ₽"), max_digits=12, decimal_places=2)
    counted = models.BooleanField(
        _("counts in the month"),
        default=True,
        help_text=_("Earned or clawed back in this month (not pending, not another month's)."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["month", "position"]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "month", "position"], name="reward_line_position_once"
            ),
            models.CheckConstraint(
                condition=Q(state__in=LineState.values), name="line_state_valid"
            ),
        ]

    def __str__(self):
        return f"{self.order} {self.amount}"
