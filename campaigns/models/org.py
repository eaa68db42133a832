"""The sales floor: departments, teams, their supervisors and agents."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Department(models.Model):
    """A subdivision of the contact centre, e.g. «ЦОО»."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=150)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class Team(models.Model):
    """A team of agents led by one or more supervisors."""

    name = models.CharField(_("name"), max_length=150)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="teams", verbose_name=_("department")
    )
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="supervised_teams",
        blank=True,
        verbose_name=_("supervisors"),
    )
    history = HistoricalRecords(m2m_fields=[supervisors])

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="team_name_per_department")
        ]

    def __str__(self):
        return self.name


class AgentProfile(models.Model):
    """An agent (ИТП): the user who works the calls, in a team."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent_profile",
        verbose_name=_("user"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="agents", verbose_name=_("team")
    )
    employee_number = models.CharField(_("employee number"), max_length=20, unique=True)
    started_on = models.DateField(_("start date"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()


class TeamMembershipQuerySet(models.QuerySet):
    def on(self, day):
        """The memberships in force on a day."""
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day)
        )


class TeamMembership(models.Model):
    """An agent's time in a team, from a day to a day (both inclusive; open while it lasts).

    The history of moves (R10): an order counts for the team the agent was in on the day it was
    registered. `starts_at`/`ends_at` are the same days as moments in the portal's time zone (local
    midnight, end exclusive), written by the service with the dates, so that the monthly
    aggregates join orders to teams by a plain comparison. Days no membership covers (an agent who
    never moved) belong to the agent's current team (`AgentProfile.team`).
    """

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="team_memberships",
        verbose_name=_("agent"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("team")
    )
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(
        _("to"), null=True, blank=True, help_text=_("Empty while it lasts.")
    )
    starts_at = models.DateTimeField(_("starts"), editable=False)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True, editable=False)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moved by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = TeamMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["agent", "valid_from"]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_dates",
            ),
            models.UniqueConstraint(fields=["agent", "valid_from"], name="membership_start_once"),
        ]
        indexes = [models.Index(fields=["agent", "starts_at"], name="membership_agent_idx")]

    def __str__(self):
        end = f"{self.valid_to:%d.%m.%Y}" if self.valid_to else "…"
        return f"{self.agent} · {self.team} · {self.valid_from:%d.%m.%Y}–{end}"
