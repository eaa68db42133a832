"""The sales floor: departments, teams, their supervisors and 30+ agents."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from campaigns.models import AgentProfile, Department, Team, TeamMembership
from config.floor import roles
from config.floor.seed_names import FEMALE, MALE
from config.floor.seeding import SeedContext, Tally, set_m2m, upsert

User = get_user_model()

COO = "COO"
DEPARTMENTS = [(COO, "ЦОО"), ("TS", "Техническая поддержка")]
TEAM_1 = "Команда 1"
TEAM_2 = "Команда 2"
# (department, team, generated agents). Every category of staff upsells (the deck: «все категории
# сотрудников ИТП»), technical support included.
TEAMS = [(COO, TEAM_1, 9), (COO, TEAM_2, 9), (COO, "Команда 3", 8), ("TS", "Команда 4", 6)]
# The last agents of this team joined in the middle of the current month (prorated targets).
NEWCOMERS_TEAM, NEWCOMERS = "Команда 3", 2
SERVICE_START = datetime.date(2019, 1, 1)
SERVICE_SPAN_DAYS = 6 * 365


def ensure_user(
    *,
    username: str,
    first_name: str,
    last_name: str,
    role: str,
    tally: Tally,
    password: str | None = None,
):
    """A user with exactly one role. Without a password the user cannot log in (generated staff).

    The password is set only when the user is new or it does not match, so a rerun stays cheap.
    """
    values = {
        "first_name": first_name,
        "last_name": last_name,
        "email": f"{username}@example.com",
        "is_staff": role in roles.STAFF_ROLES,
        "is_active": True,
    }
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, **values)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        tally.add("users created")
    else:
        changed = [name for name, value in values.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, values[name])
        if password and not user.check_password(password):
            user.set_password(password)
            changed.append("password")
        if changed:
            user.save(update_fields=changed)
            tally.add("users updated")
    set_m2m(user, "groups", [Group.objects.get(name=role)])
    return user


def ensure_agent(*, user, team: Team, employee_number: str, started_on, tally: Tally):
    values = {"team": team, "employee_number": employee_number, "started_on": started_on}
    if TeamMembership.objects.filter(agent=user).exists():
        values.pop("team")  # the agent moved: the team follows the history, not this table
    return upsert(AgentProfile, lookup={"user": user}, values=values, tally=tally)


def teams() -> dict[str, Team]:
    return {team.name: team for team in Team.objects.filter(department__code__in=dict(DEPARTMENTS))}


def _agents(ctx: SeedContext, team_map: dict[str, Team], tally: Tally) -> int:
    rng = ctx.rng("agents")
    newcomer_start = ctx.month_start + datetime.timedelta(days=min(14, ctx.today.day - 1))
    number = 2  # 1 and 2 are the demo agents `agent` and `agent2`
    for _department, team_name, count in TEAMS:
        for i in range(count):
            number += 1
            names = rng.choice((MALE, FEMALE))
            last_name, first_name = rng.choice(names["surnames"]), rng.choice(names["first_names"])
            started_on = SERVICE_START + datetime.timedelta(days=rng.randrange(SERVICE_SPAN_DAYS))
            if team_name == NEWCOMERS_TEAM and i >= count - NEWCOMERS:
                started_on = newcomer_start
            user = ensure_user(
                username=f"agent-{number:03d}",
                first_name=first_name,
                last_name=last_name,
                role=roles.AGENTS,
                tally=tally,
            )
            ensure_agent(
                user=user,
                team=team_map[team_name],
                employee_number=f"7{number:05d}",
                started_on=started_on,
                tally=tally,
            )
    return number - 2


@transaction.atomic
def run(ctx: SeedContext) -> dict[str, int]:
    tally = Tally()
    departments = {
        code: upsert(Department, lookup={"code": code}, values={"name": name}, tally=tally)
        for code, name in DEPARTMENTS
    }
    team_map = {
        name: upsert(Team, lookup={"department": departments[code], "name": name}, values={})
        for code, name, _count in TEAMS
    }
    rng = ctx.rng("supervisors")
    # Команда 1 is led by the demo login `supervisor` (the logins step).
    for number, (_code, name, _count) in enumerate(TEAMS[1:], start=2):
        names = rng.choice((MALE, FEMALE))
        supervisor = ensure_user(
            username=f"supervisor-{number}",
            first_name=rng.choice(names["first_names"]),
            last_name=rng.choice(names["surnames"]),
            role=roles.SUPERVISORS,
            tally=tally,
        )
        set_m2m(team_map[name], "supervisors", [supervisor])
    generated = _agents(ctx, team_map, tally)
    return {"departments": len(departments), "teams": len(team_map), "agents": generated, **tally}
