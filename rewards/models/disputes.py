"""Statement disputes (issue 12 §4): an agent flags a line of a statement, or an order missing
from it; the supervisor accepts (an adjustment in the next open month) or rejects, with a reason."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from config.floor import roles


class DisputeKind(models.TextChoices):
    LINE = "line", _("A line of the statement")
    MISSING_ORDER = "missing_order", _("An order missing from the statement")


class DisputeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("dispute status", "Open")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", pgettext_lazy("dispute status", "Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class StatementDisputeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Agents their own, supervisors their teams' agents', managers all, anyone else none."""
        if roles.has_role(user, roles.MANAGERS):
            return self
        if roles.has_role(user, roles.SUPERVISORS):
            return self.filter(agent__agent_profile__team__supervisors=user)
        if roles.has_role(user, roles.AGENTS):
            return self.filter(agent=user)
        return self.none()

    def open(self):
        return self.filter(status=DisputeStatus.OPEN)


class StatementDispute(models.Model):
    """An agent's objection to a month's statement: a line, or an order it lacks."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="statement_disputes",
        verbose_name=_("agent"),
    )
    month = models.DateField(_("statement month"), help_text=_("The first day of the month."))
    kind = models.CharField(_("what is disputed"), max_length=20, choices=DisputeKind.choices)
    order = models.ForeignKey(
        "campaigns.ConnectionOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disputes",
        verbose_name=pgettext_lazy("connection order", "order"),
    )
    offer = models.ForeignKey(
        "offers.Offer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item"),
        help_text=_("The item of the order whose line is disputed."),
    )
    reference = models.CharField(
        _("missing order"),
        max_length=200,
        blank=True,
        help_text=_("The order's number, the account or what was sold, as the agent knows it."),
    )
    comment = models.TextField(_("agent's comment"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=20, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    created_at = models.DateTimeField(_("flagged"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(pgettext_lazy("dispute", "resolved"), null=True, blank=True)
    resolution = models.TextField(_("reason of the decision"), max_length=2000, blank=True)
    amount = models.DecimalField(
        _("adjustment, ₽"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    adjustment_month = models.DateField(_("adjusted in month"), null=True, blank=True)
    adjustment_team = models.ForeignKey(
        "campaigns.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adjusted for team"),
    )
    history = HistoricalRecords()

    objects = StatementDisputeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("statement dispute")
        verbose_name_plural = _("statement disputes")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DisputeStatus.values), name="dispute_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind=DisputeKind.LINE) | Q(order__isnull=False, offer__isnull=False),
                name="dispute_line_names_order",
            ),
            models.CheckConstraint(
                condition=~Q(status=DisputeStatus.ACCEPTED)
                | Q(amount__isnull=False, adjustment_month__isnull=False),
                name="dispute_accepted_adjusts",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[DisputeStatus.OPEN, DisputeStatus.WITHDRAWN])
                | ~Q(resolution=""),
                name="dispute_decision_has_reason",
            ),
            # A retried or doubled flag of the same line makes no second open dispute.
            models.UniqueConstraint(
                fields=["agent", "order", "offer"],
                condition=Q(status=DisputeStatus.OPEN, kind=DisputeKind.LINE),
                name="dispute_line_open_once",
            ),
        ]
        indexes = [models.Index(fields=["status", "agent"], name="dispute_status_agent_idx")]

    def __str__(self):
        return f"{self.agent} {self.month:%m.%Y} #{self.pk}"
