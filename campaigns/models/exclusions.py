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
            # An end before the start is a window across midnight (22:00–02:00): one window,
            # from the weekday's evening into the next day's night.
            models.CheckConstraint(
                condition=~Q(ends_at=models.F("starts_at")),
                name="peak_hours_not_empty",
                violation_error_message=_(
                    "A peak-hours window cannot end when it starts (an end before the start "
                    "runs across midnight)."
                ),
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="peak_hours_weekday_valid"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def covers(self, local_moment) -> bool:
        return window_covers(self, local_moment)


def window_covers(window, local_moment) -> bool:
    """Whether a local moment falls in a peak window (start inclusive, end exclusive); a window
    whose end is before its start runs across midnight, from its weekday's start to the next
    day's end (22:00–02:00 is one window)."""
    clock, weekday = local_moment.time().replace(tzinfo=None), local_moment.weekday()
    if window.starts_at < window.ends_at:
        return weekday == window.weekday and window.starts_at <= clock < window.ends_at
    if weekday == window.weekday and clock >= window.starts_at:
        return True
    return weekday == (window.weekday + 1) % 7 and clock < window.ends_at


class OutageQuerySet(models.QuerySet):
    def in_force(self, now, region=""):
        """Outages in force at `now` for an account in `region` (global ones have no region)."""
        return (
            self.filter(is_active=True, starts_at__lte=now)
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            .filter(Q(region="") | Q(region__cfexact=region or ""))
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
