"""The R9 exclusions managers switch: peak hours and outages."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class PeakHours(models.Model):
    """A window of peak load (ЧНН) on a weekday, local time: no offers are made in it."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("to"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["weekday", "starts_at"]
        verbose_name = _("peak hours")
        verbose_name_plural = _("peak hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="peak_hours_end_after_start"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="peak_hours_weekday_valid"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class OutageQuerySet(models.QuerySet):
    def in_force(self, now, region=""):
        """Outages in force at `now` for an account in `region` (global ones have no region)."""
        return (
            self.filter(is_active=True, starts_at__lte=now)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            .filter(Q(region="") | Q(region__iexact=region or ""))
        )


class Outage(models.Model):
    """A global problem (авария): while it is in force agents work to the outage script."""

    title = models.CharField(_("title"), max_length=255)
    region = models.CharField(
        _("region"), max_length=100, blank=True, help_text=_("Empty for every region.")
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(
        _("to"), null=True, blank=True, help_text=_("Empty: until switched off.")
    )
    is_active = models.BooleanField(_("switched on"), default=True)

    objects = OutageQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="outage_end_after_start",
            )
        ]

    def __str__(self):
        return self.title
