"""When to call a thinking customer back: the default time, and the check of a time chosen.

Pure functions over local datetimes and the peak-hours windows (`campaigns.catalogue`'s copy);
the table of cases is in tests/campaigns/test_callback_times.py. Decisions (README, «Callbacks»):

- The default is the same clock time two working days (Monday to Friday) later, minutes kept,
  seconds dropped; before the callback day starts (09:00) it moves to 09:00, at or after its end
  (21:00) to 09:00 of the next working day.
- Never inside peak hours (R9: no offers are made then): a default that falls in a window moves to
  the window's end (and on, if that is in another window or past the day's end).
- A time the agent chooses must be ahead of now, at most 30 days ahead and outside peak hours;
  weekends and evenings are the customer's choice and allowed.
"""

import datetime

from campaigns.models.exclusions import window_covers

CALLBACK_WORKING_DAYS = 2
DAY_START = datetime.time(9, 0)
DAY_END = datetime.time(21, 0)
MAX_AHEAD = datetime.timedelta(days=30)
_MAX_STEPS = 200

IN_PAST = "callback_in_past"
TOO_FAR = "callback_too_far"
IN_PEAK_HOURS = "callback_in_peak_hours"


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The working day `count` working days after `day` (a weekend day counts from Monday)."""
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def peak_window_at(windows, moment: datetime.datetime):
    """The active peak window a local moment falls in (start inclusive, end exclusive), or None."""
    return next((window for window in windows if window_covers(window, moment)), None)


def _next_day_start(day: datetime.date, tzinfo) -> datetime.datetime:
    return datetime.datetime.combine(add_working_days(day, 1), DAY_START, tzinfo=tzinfo)


def default_due(local_now: datetime.datetime, windows) -> datetime.datetime:
    """Two working days after `local_now`, inside the callback day and outside peak hours.

    `local_now` is aware and in the local zone; so is the answer (same tzinfo)."""
    tz = local_now.tzinfo
    day = add_working_days(local_now.date(), CALLBACK_WORKING_DAYS)
    moment = datetime.datetime.combine(day, local_now.time().replace(second=0, microsecond=0))
    moment = moment.replace(tzinfo=tz)
    for _step in range(_MAX_STEPS):
        if moment.time() < DAY_START:
            moment = datetime.datetime.combine(moment.date(), DAY_START, tzinfo=tz)
        if moment.time() >= DAY_END or not is_working_day(moment.date()):
            moment = _next_day_start(moment.date(), tz)
            continue
        window = peak_window_at(windows, moment)
        if window is None:
            return moment
        end = datetime.datetime.combine(moment.date(), window.ends_at, tzinfo=tz)
        # A window across midnight caught in its evening ends the next day.
        moment = end if end > moment else end + datetime.timedelta(days=1)
    # Peak hours fill every callback day for weeks: nothing better than the first candidate.
    return datetime.datetime.combine(day, DAY_START, tzinfo=tz)


def check_due(local_due: datetime.datetime, *, now: datetime.datetime, windows) -> str | None:
    """Why a chosen time cannot be a callback (a code), or None when it can."""
    if local_due <= now:
        return IN_PAST
    if local_due > now + MAX_AHEAD:
        return TOO_FAR
    if peak_window_at(windows, local_due) is not None:
        return IN_PEAK_HOURS
    return None
