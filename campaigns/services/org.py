"""Writes on the sales floor: moving an agent to another team, with its history (R10)."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import AgentProfile, Team, TeamMembership
from config.floor.errors import Conflict

ERR_SAME_TEAM = _("The agent is already in this team.")
ERR_MOVE_FUTURE = _("A move takes effect today or earlier, never on a later day.")
ERR_MOVE_CLOSED_MONTH = _(
    "A move can be dated back only within the running month: closed months keep their teams."
)
ERR_MOVE_BEFORE_LAST = _("The agent's last move was on %(day)s: a new one must come after it.")
ERR_MOVE_BEFORE_START = _("The agent starts work on %(day)s: a move cannot come before that.")


class MoveError(Conflict):
    """A move the history refuses; `code` says why (the admin shows the message)."""


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _bounds(valid_from, valid_to) -> dict:
    end = local_midnight(valid_to + datetime.timedelta(days=1)) if valid_to else None
    return {"starts_at": local_midnight(valid_from), "ends_at": end}


def membership_create(*, agent, team, valid_from, valid_to=None, moved_by=None) -> TeamMembership:
    """One period of an agent in a team, its moments worked out from its days."""
    membership = TeamMembership(
        agent=agent,
        team=team,
        valid_from=valid_from,
        valid_to=valid_to,
        moved_by=moved_by,
        **_bounds(valid_from, valid_to),
    )
    membership.full_clean(exclude=["created_at"])
    membership.save()
    return membership


def _close(membership: TeamMembership, last_day: datetime.date) -> None:
    membership.valid_to = last_day
    membership.ends_at = _bounds(membership.valid_from, last_day)["ends_at"]
    membership.save(update_fields=["valid_to", "ends_at"])


@dataclass(frozen=True)
class Move:
    """What a move did: the period closed (if the agent had a history) and the one opened."""

    closed: TeamMembership | None
    opened: TeamMembership


def _check(profile: AgentProfile, team: Team, on: datetime.date, today, current) -> None:
    if team.pk == profile.team_id:
        raise MoveError(ERR_SAME_TEAM, code="same_team")
    if on > today:
        raise MoveError(ERR_MOVE_FUTURE, code="move_in_future")
    if on < today.replace(day=1):
        raise MoveError(ERR_MOVE_CLOSED_MONTH, code="move_in_closed_month")
    if on < profile.started_on:
        raise MoveError(
            ERR_MOVE_BEFORE_START,
            code="move_before_start",
            params={"day": f"{profile.started_on:%d.%m.%Y}"},
        )
    if current is not None and on <= current.valid_from:
        raise MoveError(
            ERR_MOVE_BEFORE_LAST,
            code="move_before_last",
            params={"day": f"{current.valid_from:%d.%m.%Y}"},
        )


@transaction.atomic
def agent_team_move(*, agent, team: Team, on: datetime.date, by=None, today=None) -> Move:
    """Move an agent to `team` from the day `on` (inclusive): the old period ends the day before.

    The agent's profile keeps its `team` as the current team, in step with the history. An agent
    with no history yet gets the period in the old team written first (from the start date), so
    the history covers every working day from then on.
    """
    today = today or timezone.localdate()
    profile = AgentProfile.objects.select_for_update().get(user=agent)
    current = TeamMembership.objects.filter(agent=agent).order_by("-valid_from").first()
    _check(profile, team, on, today, current)
    closed = None
    if current is None:
        if on > profile.started_on:
            closed = membership_create(
                agent=agent,
                team=profile.team,
                valid_from=profile.started_on,
                valid_to=on - datetime.timedelta(days=1),
                moved_by=by,
            )
    else:
        _close(current, on - datetime.timedelta(days=1))
        closed = current
    opened = membership_create(agent=agent, team=team, valid_from=on, moved_by=by)
    profile.team = team
    profile.save(update_fields=["team"])
    return Move(closed, opened)


def team_on(agent, day: datetime.date) -> int | None:
    """The id of the team the agent was in on `day` (the current team where no history says)."""
    membership = TeamMembership.objects.filter(agent=agent).on(day).first()
    if membership is not None:
        return membership.team_id
    return AgentProfile.objects.filter(user=agent).values_list("team_id", flat=True).first()
