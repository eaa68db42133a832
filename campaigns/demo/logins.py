"""The roles and the demo logins of CONTRACT.md, with the CRM integration's API token."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from rest_framework.authtoken.models import Token

from campaigns.demo.org import TEAM_1, TEAM_2, ensure_agent, ensure_user, teams
from config.floor import roles
from config.floor.seeding import SeedContext, Tally, set_m2m

# username: (password, role, first name, last name)
DEMO_LOGINS = {
    "manager": ("demo-manager-1", roles.MANAGERS, "Ольга", "Смирнова"),
    "supervisor": ("demo-supervisor-1", roles.SUPERVISORS, "Ирина", "Кузнецова"),
    "agent": ("demo-agent-1", roles.AGENTS, "Анна", "Петрова"),
    "agent2": ("demo-agent-2", roles.AGENTS, "Дмитрий", "Соколов"),
    "crm": ("demo-crm-1", roles.CRM, "CRM", "Amdocs"),
}
# username: (team, employee number, start date)
DEMO_AGENTS = {
    "agent": (TEAM_1, "700001", datetime.date(2022, 3, 1)),
    "agent2": (TEAM_2, "700002", datetime.date(2023, 9, 18)),
}


def sync_roles() -> None:
    """The groups and their permissions, as config.floor.roles says (also made by a migration)."""
    roles.sync_roles(Group, Permission)


@transaction.atomic
def run(ctx: SeedContext) -> dict[str, int]:
    tally = Tally()
    sync_roles()
    users = {
        username: ensure_user(
            username=username,
            first_name=first_name,
            last_name=last_name,
            role=role,
            password=password,
            tally=tally,
        )
        for username, (password, role, first_name, last_name) in DEMO_LOGINS.items()
    }
    team_map = teams()
    set_m2m(team_map[TEAM_1], "supervisors", [users["supervisor"]])
    for username, (team, employee_number, started_on) in DEMO_AGENTS.items():
        ensure_agent(
            user=users[username],
            team=team_map[team],
            employee_number=employee_number,
            started_on=started_on,
            tally=tally,
        )
    token, _created = Token.objects.get_or_create(user=users["crm"])
    for username, (password, role, _first, _last) in DEMO_LOGINS.items():
        ctx.write(f"    {username} / {password}  ({role})")
    ctx.write(f"    CRM API token: {token.key}")
    return {"logins": len(users), **tally}
