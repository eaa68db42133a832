"""The leaderboard a supervisor reads: the chart has a value axis, the trend arrows a legend, the
xlsx export column widths and money formats (issue 14)."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from config.floor.spreadsheets import MONEY
from rewards.charts import column_chart
from rewards.exports import leaderboard_xlsx


def test_the_chart_has_gridlines_for_zero_the_middle_and_the_top():
    chart = column_chart([(1, 4), (2, 8)], height=160)
    assert chart["y_ticks"] == [("0", 146.0), ("4", 74.0), ("8", 2.0)]
    assert [bar.y for bar in chart["bars"]] == [74.0, 2.0]  # the bars end on the gridlines


def test_an_empty_month_still_has_an_axis():
    assert column_chart([(1, 0)])["y_ticks"] == [("0", 146.0), ("1", 2.0)]


def test_the_export_is_styled_with_money_and_widths():
    agent = SimpleNamespace(
        get_full_name=lambda: "Петрова Анна",
        get_username=lambda: "agent",
        agent_profile=SimpleNamespace(employee_number="700001"),
    )
    row = SimpleNamespace(
        rank=1,
        agent=agent,
        team=SimpleNamespace(name="Команда 1"),
        orders=12,
        target=10,
        prorated=False,
        target_met=True,
        connected=9,
        cancelled=1,
        reward_total=Decimal("1234.50"),
        reward_pending=Decimal("15.00"),
        previous_orders=8,
        adjustment_reward=None,
        locked=False,
        overdue_callbacks=2,
    )
    scope = SimpleNamespace(month=datetime.date(2026, 11, 1))
    with translation.override("ru"):
        data = leaderboard_xlsx([row], scope=scope)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    headers = [cell.value for cell in sheet[1]]
    reward = sheet.cell(row=2, column=headers.index("Вознаграждение, ₽") + 1)
    assert reward.value == 1234.5 and reward.number_format == MONEY
    assert sheet.column_dimensions["B"].width >= len("Петрова Анна")
    assert sheet.freeze_panes == "A2"


@pytest.mark.django_db
def test_the_leaderboard_explains_its_arrows(client, supervisor):
    client.force_login(supervisor)
    html = client.get(reverse("leaderboard")).content.decode()
    assert 'id="rw-legend"' in html and "▲" in html.split('id="rw-legend"')[1]
