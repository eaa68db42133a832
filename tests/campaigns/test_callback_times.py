"""The callback time's table of cases: the default two working days later inside the callback day
and outside peak hours, and the checks of a time the agent chooses (campaigns.callback_times)."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from campaigns import callback_times as ct

MSK = ZoneInfo("Europe/Moscow")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def at(day, clock="15:00", second=0, micro=0):
    hour, minute = map(int, clock.split(":"))
    year, month, dom = map(int, day.split("-"))
    return datetime.datetime(year, month, dom, hour, minute, second, micro, tzinfo=MSK)


def window(weekday, start, end):
    return SimpleNamespace(
        weekday=weekday,
        starts_at=datetime.time.fromisoformat(start),
        ends_at=datetime.time.fromisoformat(end),
    )


# 2026-11-25 is a Wednesday; 2026-11-27 a Friday; 2026-11-30 a Monday; 2026-12-01 a Tuesday.
DEFAULT_CASES = [
    ("two working days later, same clock time", at("2026-11-25"), [], at("2026-11-27")),
    ("over the weekend", at("2026-11-26"), [], at("2026-11-30")),
    ("over the month end", at("2026-11-27", "10:00"), [], at("2026-12-01", "10:00")),
    (
        "from a Saturday: Monday is the first",
        at("2026-11-28", "12:00"),
        [],
        at("2026-12-01", "12:00"),
    ),
    ("from a Sunday", at("2026-11-29", "12:00"), [], at("2026-12-01", "12:00")),
    (
        "over the year end (no holiday calendar)",
        at("2026-12-31", "12:00"),
        [],
        at("2027-01-04", "12:00"),
    ),
    ("seconds dropped", at("2026-11-25", "15:00", 42, 500), [], at("2026-11-27")),
    ("before the day starts: 09:00", at("2026-11-25", "07:30"), [], at("2026-11-27", "09:00")),
    ("last minute of the day kept", at("2026-11-25", "20:59"), [], at("2026-11-27", "20:59")),
    (
        "the day's end is exclusive: next working day",
        at("2026-11-25", "21:00"),
        [],
        at("2026-11-30", "09:00"),
    ),
    (
        "late evening: next working day 09:00",
        at("2026-11-25", "22:15"),
        [],
        at("2026-11-30", "09:00"),
    ),
    (
        "in a peak window: its end",
        at("2026-11-25", "18:00"),
        [window(FRI, "17:00", "20:00")],
        at("2026-11-27", "20:00"),
    ),
    (
        "a window's start is inside it",
        at("2026-11-25", "17:00"),
        [window(FRI, "17:00", "20:00")],
        at("2026-11-27", "20:00"),
    ),
    (
        "a window's end is outside it",
        at("2026-11-25", "20:00"),
        [window(FRI, "17:00", "20:00")],
        at("2026-11-27", "20:00"),
    ),
    (
        "another weekday's window does not count",
        at("2026-11-25", "18:00"),
        [window(WED, "17:00", "20:00")],
        at("2026-11-27", "18:00"),
    ),
    (
        "chained windows",
        at("2026-11-25", "13:00"),
        [window(FRI, "12:00", "14:00"), window(FRI, "14:00", "16:00")],
        at("2026-11-27", "16:00"),
    ),
    (
        "a window to the day's end: next working day",
        at("2026-11-25", "19:00"),
        [window(FRI, "18:00", "21:00")],
        at("2026-11-30", "09:00"),
    ),
    (
        "the next day's start in peak too",
        at("2026-11-25", "19:00"),
        [window(FRI, "18:00", "23:00"), window(MON, "09:00", "10:30")],
        at("2026-11-30", "10:30"),
    ),
    (
        "moved to 09:00 into a window",
        at("2026-11-25", "07:00"),
        [window(FRI, "08:00", "11:00")],
        at("2026-11-27", "11:00"),
    ),
]


@pytest.mark.parametrize(
    ("now", "windows", "expected"),
    [case[1:] for case in DEFAULT_CASES],
    ids=[case[0] for case in DEFAULT_CASES],
)
def test_default_callback_time(now, windows, expected):
    due = ct.default_due(now, windows)
    assert due == expected
    assert ct.peak_window_at(windows, due) is None
    assert ct.check_due(due, now=now, windows=windows) is None


def test_peak_hours_every_working_day_all_day_fall_back_to_the_first_candidate_day():
    windows = [window(day, "00:00", "23:59") for day in range(5)]
    assert ct.default_due(at("2026-11-25"), windows) == at("2026-11-27", "09:00")


NOW = at("2026-11-25")
PEAK = [window(THU, "17:00", "20:00")]
CHECK_CASES = [
    ("now is not ahead", NOW, ct.IN_PAST),
    ("a minute ago", NOW - datetime.timedelta(minutes=1), ct.IN_PAST),
    ("a minute ahead", NOW + datetime.timedelta(minutes=1), None),
    ("30 days ahead", NOW + datetime.timedelta(days=30), None),
    ("30 days and a minute", NOW + datetime.timedelta(days=30, minutes=1), ct.TOO_FAR),
    ("inside peak hours", at("2026-11-26", "18:30"), ct.IN_PEAK_HOURS),
    ("at the window's start", at("2026-11-26", "17:00"), ct.IN_PEAK_HOURS),
    ("at the window's end", at("2026-11-26", "20:00"), None),
    ("a Saturday the customer asked for", at("2026-11-28", "10:00"), None),
    ("an evening the customer asked for", at("2026-11-26", "22:00"), None),
    (
        "the same moment given in UTC",
        at("2026-11-26", "18:30").astimezone(datetime.UTC),
        ct.IN_PEAK_HOURS,
    ),
]


@pytest.mark.parametrize(
    ("due", "expected"), [case[1:] for case in CHECK_CASES], ids=[case[0] for case in CHECK_CASES]
)
def test_a_chosen_callback_time_is_checked(due, expected):
    assert ct.check_due(due.astimezone(MSK), now=NOW, windows=PEAK) == expected
