"""Months are Moscow months everywhere (issue 10, tests): an order registered at a month's edge
belongs to the same month in the job, the refresh its events trigger, the leaderboard (API, page
chart, xlsx export), the statement, `audit_month` and the orders API's date filters.

The portal's time zone is Europe/Moscow (UTC+3, no daylight saving): the local month starts at
21:00 UTC the day before, so an order at 2026-10-31 21:00 UTC is a November order (day 1) and one
a second earlier an October one (day 31). The table's moments are relative to the running month's
local midnight; the case that the UTC date would put in the other month is there on purpose.
"""

import datetime
import io

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from campaigns.models import ResultCode
from offers.models import OfferKind
from rewards import audit, calendar, services
from rewards.models import AgentMonth, ConversionRun
from tests.campaigns.factories import ContactHistoryEntryFactory, TeamFactory
from tests.rewards.support import agent, fixed_rule, offer, order, supervisor_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

UTC = datetime.UTC
ORDERS_COLUMN = 4  # rank, agent, employee number, team, orders
HOUR, SECOND = datetime.timedelta(hours=1), datetime.timedelta(seconds=1)

# (case, moment as an offset from the running month's local midnight, month (0: running,
# -1: the one before), local day of that month ("last": its last day))
EDGES = [
    ("the last second of the month before, local", -SECOND, -1, "last"),
    ("local midnight = 21:00 UTC the day before", datetime.timedelta(0), 0, 1),
    ("02:30 local on the 1st, still the month before in UTC", 2.5 * HOUR, 0, 1),
    ("03:00 local on the 1st, the same day in UTC", 3 * HOUR, 0, 1),
    ("21:00 local on the last day (18:00 UTC)", -3 * HOUR, -1, "last"),
]


def months():
    current = timezone.localdate().replace(day=1)
    return calendar.previous_month(current), current


def expected(month_offset, day):
    previous, current = months()
    month = current if month_offset == 0 else previous
    if day == "last":
        day = (calendar.next_month(month) - datetime.timedelta(days=1)).day
    return month, day


def test_the_local_month_starts_at_21_utc_the_day_before():
    start, end = calendar.month_bounds(datetime.date(2026, 11, 1))
    assert start.astimezone(UTC) == datetime.datetime(2026, 10, 31, 21, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime.datetime(2026, 11, 30, 21, tzinfo=UTC)


@pytest.fixture
def edge_world(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        team = TeamFactory(name="Команда 1")
        world = {
            "team": team,
            "user": agent(team, username="edge"),
            "idle": agent(team, username="idle"),
            "boss": supervisor_of(team, username="edge-boss"),
            "kino": offer("299", kind=OfferKind.PACKAGE),
        }
        fixed_rule("40", [world["kino"]], code="iptv-kino")
    for month in months():  # the schedule's runs: the closed month's and last night's
        services.conversions_compute(month=month)
    return world


def _place(world, moment):
    day = timezone.localdate(moment)
    placed = order(world["user"], world["kino"], created=day, connected=day)
    placed.created_at = placed.sent_at = placed.connected_at = moment
    placed.save()
    placed.status_changes.update(changed_at=moment)
    ContactHistoryEntryFactory(agent=world["user"], result=ResultCode.AGREED, created_at=moment)
    return placed


def _stored(world, month):
    return AgentMonth.objects.filter(agent=world["user"], month=month).values_list(
        "orders", "connected", "reward_total", "agreed"
    )


def _board(api_client, world, month):
    api_client.force_authenticate(world["boss"])
    rows = api_client.get("/api/v1/leaderboard/", {"month": calendar.month_key(month)}).json()
    return [
        (r["orders"], r["connected"], r["reward_total"])
        for r in rows["results"]
        if r["agent"] == world["user"].username
    ]


def _statement(api_client, world, month):
    api_client.force_authenticate(world["user"])
    me = api_client.get("/api/v1/me/progress/", {"month": calendar.month_key(month)}).json()
    return [(line["order"], line["state"], line["amount"]) for line in me["lines"]]


def _export_orders(client, world, month):
    client.force_login(world["boss"])
    response = client.get("/leaderboard/export.xlsx", {"month": calendar.month_key(month)})
    sheet = load_workbook(io.BytesIO(response.content)).active
    _header, *rows = sheet.iter_rows(values_only=True)
    return sorted(row[ORDERS_COLUMN] for row in rows)


def _orders_on(api_client, world, day):
    api_client.force_authenticate(world["user"])
    params = {"registered_after": day.isoformat(), "registered_before": day.isoformat()}
    return [row["id"] for row in api_client.get("/api/v1/orders/", params).json()["results"]]


@pytest.mark.parametrize(
    ("case", "offset", "month_offset", "day"), EDGES, ids=[e[0] for e in EDGES]
)
def test_an_order_at_a_month_edge_is_in_the_same_local_month_everywhere(
    case, offset, month_offset, day, edge_world, api_client, client,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    previous, current = months()
    moment = calendar.local_midnight(current) + offset
    with django_capture_on_commit_callbacks(execute=True):  # the refreshes its events trigger
        placed = _place(edge_world, moment)
    month, local_day = expected(month_offset, day)
    other = previous if month == current else current
    assert timezone.localdate(moment) == month.replace(day=local_day)

    assert list(_stored(edge_world, month)) == [(1, 1, 40, 1)]
    assert list(_stored(edge_world, other)) == [(0, 0, 0, 0)]
    assert AgentMonth.objects.get(agent=edge_world["user"], month=month).daily[local_day - 1] == 1
    assert _board(api_client, edge_world, month) == [(1, 1, "40.00")]
    assert _board(api_client, edge_world, other) == [(0, 0, "0.00")]
    assert _statement(api_client, edge_world, month) == [(placed.pk, "earned", "40.00")]
    assert _statement(api_client, edge_world, other) == []
    assert _export_orders(client, edge_world, month) == [0, 1]  # the idle agent, then ours
    assert _export_orders(client, edge_world, other) == [0, 0]
    assert _orders_on(api_client, edge_world, month.replace(day=local_day)) == [placed.pk]
    assert _orders_on(api_client, edge_world, moment.astimezone(UTC).date()) == (
        [placed.pk] if moment.astimezone(UTC).date() == month.replace(day=local_day) else []
    )
    assert audit.audit_month(previous) == audit.audit_month(current) == []


def test_the_first_event_of_a_month_no_run_has_reached_computes_it_whole(
    edge_world, django_capture_on_commit_callbacks
):
    """Before the nightly run of a new month (00:00-01:30 on the 1st), an order's refresh writes
    every agent's row, the idle ones at zero: the leaderboard lists them from the first order on."""
    _previous, current = months()
    AgentMonth.objects.filter(month=current).delete()
    ConversionRun.objects.filter(month=current).delete()
    idle = edge_world["idle"]
    with django_capture_on_commit_callbacks(execute=True):
        _place(edge_world, calendar.local_midnight(current))
    assert list(_stored(edge_world, current)) == [(1, 1, 40, 1)]
    assert AgentMonth.objects.filter(agent=idle, month=current).values_list("orders").get() == (0,)
    assert ConversionRun.objects.get(month=current).finished_at is not None
    assert audit.audit_month(current) == []


@given(
    st.dictionaries(
        st.integers(min_value=1, max_value=31), st.integers(min_value=1, max_value=30_000)
    )
)
@settings(max_examples=200, deadline=None, derandomize=True)
def test_the_days_packed_into_one_sum_unpack_exactly(days):
    """PostgreSQL's job counts each day's orders as the digits of one sum (`_unpack_days`):
    any month of fewer than DAY_BASE orders comes back day by day, none carried into the next."""
    from decimal import Decimal

    from rewards.selectors.figures import DAY_BASE, LAST_DAY, _unpack_days

    # numeric's SUM, as psycopg hands it over: a Decimal of every digit (built from its text;
    # Decimal arithmetic would round it to 28 digits).
    packed = Decimal(str(sum(DAY_BASE ** (LAST_DAY - day) * n for day, n in days.items())))
    assert _unpack_days(packed, sum(days.values())) == days


def test_a_month_too_big_to_pack_fails_loudly_rather_than_miscount():
    from rewards.selectors.figures import DAY_BASE, _unpack_days

    with pytest.raises(OverflowError):
        _unpack_days(DAY_BASE, DAY_BASE)


# Months of every length through the job's writer (SQL on PostgreSQL) against the month worked
# out again in Python (audit_month): the last day's orders in the daily list, a starter on the
# month's last weekend (no target) or, when it ends on a weekday, its last day, a move mid-month.
MONTH_LENGTHS = [
    datetime.date(2025, 2, 1),  # 28 days, ends on a Friday
    datetime.date(2024, 2, 1),  # 29 days, ends on a Thursday
    datetime.date(2025, 11, 1),  # 30 days, ends on a Sunday
    datetime.date(2025, 8, 1),  # 31 days, ends on a Sunday
]


@pytest.mark.parametrize("month", MONTH_LENGTHS, ids=lambda m: f"{m:%Y-%m}")
def test_months_of_every_length_are_written_as_worked_out_again(month):
    from campaigns.services import membership_create

    last = calendar.next_month(month) - datetime.timedelta(days=1)
    one, two = TeamFactory(name="Команда 1"), TeamFactory(name="Команда 2")
    vip = offer("399", kind=OfferKind.PACKAGE)
    fixed_rule("75", [vip])
    steady = agent(one)
    order(steady, vip, created=month, connected=month + datetime.timedelta(days=1))
    order(steady, vip, created=last, connected=last)
    weekend = last - datetime.timedelta(days=(last.weekday() - 5) % 7 if last.weekday() >= 5 else 0)
    starter = agent(one, started_on=weekend if weekend.weekday() >= 5 else last)
    order(starter, vip, created=last)
    mover = agent(two)
    middle = month + datetime.timedelta(days=13)
    membership_create(agent=mover, team=one, valid_from=datetime.date(2024, 1, 15), valid_to=middle)
    membership_create(agent=mover, team=two, valid_from=middle + datetime.timedelta(days=1))
    order(mover, vip, created=middle, connected=last)
    order(mover, vip, created=last)

    services.conversions_compute(month=month)

    assert audit.audit_month(month) == []
    rows = {(r.agent_id, r.team_id): r for r in AgentMonth.objects.filter(month=month)}
    assert rows[(steady.pk, one.pk)].daily[last.day - 1] == 1
    assert rows[(steady.pk, one.pk)].daily[0] == 1
    assert len(rows[(steady.pk, one.pk)].daily) == last.day
    assert rows[(mover.pk, one.pk)].orders == 1 and rows[(mover.pk, two.pk)].orders == 1
