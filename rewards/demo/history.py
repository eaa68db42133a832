"""A month with history: an agent moved between teams and a rule revised (issue 10).

- Агент `agent-012` of «Команда 2» moves to «Команда 1» on the 10th of the running month (today
  when earlier): his orders before the move count for «Команда 2», the later ones for «Команда 1»,
  and both leaderboards show him; his target stays one for the month.
- «Доп. пакет «Кино»» is revised from 40 ₽ to 50 ₽ from the 15th of the running month (a promotion
  for the second half): orders connected from then on earn 50 ₽, earlier ones 40 ₽.

Idempotent: a second run finds the move and the revision and writes nothing (the teams step
leaves a moved agent's team to the history).
"""

import datetime
from decimal import Decimal

from django.db import transaction

from campaigns.models import AgentProfile, Team, TeamMembership
from campaigns.services import agent_team_move
from config.floor.seeding import SeedContext
from rewards import services
from rewards.models import RewardRule

MOVER = "agent-012"
TO_TEAM = "Команда 1"
MOVE_DAY = 10
REVISED = "iptv-kino"
REVISED_AMOUNT = Decimal("50.00")
REVISION_DAY = 15


def _day(ctx: SeedContext, day: int) -> datetime.date:
    return ctx.month_start + datetime.timedelta(days=min(day, ctx.today.day) - 1)


def _move(ctx: SeedContext) -> int:
    profile = AgentProfile.objects.select_related("user").filter(user__username=MOVER).first()
    if profile is None:
        return 0
    team = Team.objects.get(name=TO_TEAM, department__code="COO")
    on = _day(ctx, MOVE_DAY)
    moved = TeamMembership.objects.filter(agent=profile.user, team=team, valid_from=on).first()
    if moved is None:
        agent_team_move(agent=profile.user, team=team, on=on, today=ctx.today)
        return 1
    if profile.team_id != moved.team_id:  # the teams step reset it from its table
        profile.team = moved.team
        profile.save(update_fields=["team"])
    return 0


def _revise(ctx: SeedContext) -> int:
    start = ctx.month_start + datetime.timedelta(days=REVISION_DAY - 1)
    if RewardRule.objects.filter(code=REVISED, valid_from=start).exists():
        return 0
    current = RewardRule.objects.filter(code=REVISED, valid_to__isnull=True).first()
    if current is None or current.valid_from >= start:
        return 0
    services.reward_rule_revise(rule=current, valid_from=start, amount=REVISED_AMOUNT)
    return 1


@transaction.atomic
def run(ctx: SeedContext) -> dict[str, int]:
    return {"agents moved": _move(ctx), "rules revised": _revise(ctx)}
