"""The leaderboard as an xlsx workbook (openpyxl, write-only: thousands of rows in little memory)."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from config.floor.spreadsheets import styled
from rewards import calendar


def _headers():
    return [
        _("Rank"),
        _("Agent"),
        _("Employee number"),
        _("Team"),
        _("Orders"),
        _("Target"),
        _("Prorated"),
        _("Target met"),
        _("Connected"),
        _("Cancelled"),
        _("Reward, ₽"),
        _("Pending, ₽"),
        _("Last month's orders"),
        _("Adjustment, ₽"),
        _("Overdue callbacks now"),
    ]


def leaderboard_xlsx(rows, *, scope) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(calendar.month_key(scope.month))
    sheet.append(_headers())
    for row in rows:
        sheet.append(
            [
                row.rank,
                row.agent.get_full_name() or row.agent.get_username(),
                row.agent.agent_profile.employee_number,
                row.team.name if row.team else "",
                row.orders,
                row.target,
                _("yes") if row.prorated else "",
                _("yes") if row.target_met else _("no"),
                row.connected,
                row.cancelled,
                row.reward_total,
                row.reward_pending,
                row.previous_orders,
                row.adjustment_reward if row.locked else None,
                row.overdue_callbacks,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return styled(buffer.getvalue())
