"""Who may see which month of whom: the checks the leaderboard and progress pages and API share.

Each failure is a domain error (config.floor.errors) with a machine-readable code, which the API
answers as its error body and the pages as their error page, each with the status of its kind.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from campaigns.models import AgentProfile, Team
from config.floor import roles
from config.floor.errors import DomainError, Forbidden, NotFound
from config.floor.ids import parse_id
from rewards import calendar, selectors

ERR_LEADERBOARD_ROLE = _("The leaderboard is for supervisors and managers.")
ERR_TEAM_FORMAT = _("Give the team as its number.")
ERR_UNKNOWN_TEAM = _("There is no such team.")
ERR_TEAM_NOT_LED = _("You do not lead this team.")
ERR_NOT_YOUR_PROGRESS = _("Agents see only their own progress.")
ERR_UNKNOWN_AGENT = _("There is no such agent in your teams.")
ERR_AGENT_REQUIRED = _("Name the agent whose progress you want (?agent=username).")

LEADERBOARD_ROLES = (roles.SUPERVISORS, roles.MANAGERS)


def month_or_error(value) -> datetime.date:
    try:
        return calendar.parse_month(value)
    except calendar.MonthError as error:
        raise DomainError(error.message, code=error.code) from error


@dataclass(frozen=True)
class LeaderboardScope:
    month: datetime.date
    teams: list[Team]  # every team the user may pick
    team: Team | None  # the one picked, or None for all of them

    @property
    def team_ids(self) -> list[int]:
        return [self.team.pk] if self.team else [team.pk for team in self.teams]


def leaderboard_scope(user, *, month: str | None, team: str | None) -> LeaderboardScope:
    if not roles.has_role(user, *LEADERBOARD_ROLES):
        raise Forbidden(ERR_LEADERBOARD_ROLE, code="permission_denied")
    first_day = month_or_error(month)
    teams = list(selectors.teams_visible_to(user))
    if not team:
        return LeaderboardScope(first_day, teams, None)
    team_id = parse_id(team)
    if team_id is None:
        raise DomainError(ERR_TEAM_FORMAT, code="invalid_team")
    picked = next((t for t in teams if t.pk == team_id), None)
    if picked is None:
        if Team.objects.filter(pk=team_id).exists():
            raise NotFound(ERR_TEAM_NOT_LED, code="team_not_led")
        raise NotFound(ERR_UNKNOWN_TEAM, code="unknown_team")
    return LeaderboardScope(first_day, teams, picked)


def progress_agent(user, *, username: str | None):
    """Whose progress the caller may see: their own; supervisors their teams'; managers anyone's."""
    if not username or username == user.get_username():
        if not AgentProfile.objects.filter(user=user).exists():
            raise DomainError(ERR_AGENT_REQUIRED, code="agent_required")
        return user
    if not roles.has_role(user, *LEADERBOARD_ROLES):
        raise Forbidden(ERR_NOT_YOUR_PROGRESS, code="permission_denied")
    agents = (
        get_user_model()
        .objects.filter(username=username, agent_profile__isnull=False)
        .select_related("agent_profile")
    )
    if not roles.has_role(user, roles.MANAGERS):
        agents = agents.filter(agent_profile__team__supervisors=user)
    agent = agents.first()
    if agent is None:
        raise NotFound(ERR_UNKNOWN_AGENT, code="unknown_agent")
    return agent
