"""The reward catalogue cannot contradict itself (R11): pure checks every write path shares.

- The bands of a tiered rule cover every fee increase from 0 ₽ up, once: the first starts at 0,
  each next one starts where the one before ends ([from, below): `from` belongs to the band,
  `below` to the next one), and only the last has no upper bound.
- The validity periods of one rule (one code) never overlap.

The admin (the rule form and its band inline), the import and the services call these functions
and attach each error to the row (band or period) it is about. The database holds the same rules
on its own (migration `rewards.0004`): exclusion constraints over ranges on PostgreSQL (bands
checked for holes at commit), triggers on SQLite.
"""

import datetime
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

ERR_BAND_FIRST = _("The first band starts at 0 ₽ (no fee increase may fall outside the bands).")
ERR_BAND_OVERLAP = _("This band overlaps the band %(other)s.")
ERR_BAND_HOLE = _(
    "Increases from %(end)s ₽ to %(start)s ₽ fall in no band: start this band where the one "
    "before it ends (%(end)s ₽)."
)
ERR_BAND_OPEN_NOT_LAST = _("Only the last band may have no upper bound.")
ERR_BAND_LAST_BOUNDED = _(
    "The last band has no upper bound (leave «below» empty): increases above %(end)s ₽ would "
    "fall in no band."
)
ERR_TIERED_NEEDS_BANDS = _("A tiered rule needs its bands, the first starting at 0 ₽.")
ERR_BANDS_NOT_TIERED = _("Only a tiered rule has bands.")
ERR_PERIOD_OVERLAP = _(
    "The rule «%(code)s» is already valid from %(start)s to %(end)s: periods of one rule cannot "
    "overlap. To change the reward, revise the rule (it closes the current period and opens the "
    "next)."
)
OPEN_END = _("no end")


@dataclass(frozen=True)
class BandSpec:
    """A band as a form, a file or the database gives it."""

    low: Decimal
    high: Decimal | None
    amount: Decimal = Decimal(0)


def _money(value: Decimal | None) -> str:
    return "∞" if value is None else f"{Decimal(value).normalize():f}"


def describe_band(band: BandSpec) -> str:
    return f"{_money(band.low)}–{_money(band.high)}"


LOW, HIGH = "min_increase", "max_increase"


def band_errors(bands: list[BandSpec]) -> dict[int, list[tuple[str, str]]]:
    """Errors by the index of the band (in the order given) that has to change, each with the
    bound it is about (`min_increase` or `max_increase`)."""
    errors: dict[int, list[tuple[str, str]]] = {}

    def add(index, message, bound=LOW):
        errors.setdefault(index, []).append((bound, str(message)))

    order = sorted(range(len(bands)), key=lambda i: (bands[i].low, bands[i].high is None))
    if not order:
        return errors
    if bands[order[0]].low != 0:
        add(order[0], ERR_BAND_FIRST)
    for before, index in itertools.pairwise(order):
        previous, band = bands[before], bands[index]
        if previous.high is None:
            add(before, ERR_BAND_OPEN_NOT_LAST, HIGH)
        elif band.low < previous.high:
            add(index, ERR_BAND_OVERLAP % {"other": describe_band(previous)})
        elif band.low > previous.high:
            add(index, ERR_BAND_HOLE % {"end": _money(previous.high), "start": _money(band.low)})
    last = bands[order[-1]]
    if last.high is not None:
        add(order[-1], ERR_BAND_LAST_BOUNDED % {"end": _money(last.high)}, HIGH)
    return errors


@dataclass(frozen=True)
class Period:
    """A validity period of a rule: [start, end], end None for open."""

    code: str
    start: datetime.date
    end: datetime.date | None
    key: object = None  # what identifies the row (pk, or a file's row), never compared as a date

    def overlaps(self, other: "Period") -> bool:
        return (other.end is None or self.start <= other.end) and (
            self.end is None or other.start <= self.end
        )


def period_conflict(period: Period, others: list[Period]) -> str | None:
    """The message for the first period of the same code that `period` overlaps, or None."""
    for other in sorted(others, key=lambda p: p.start):
        if other.code == period.code and other.key != period.key and period.overlaps(other):
            end = other.end.isoformat() if other.end else str(OPEN_END)
            return str(
                ERR_PERIOD_OVERLAP
                % {"code": other.code, "start": other.start.isoformat(), "end": end}
            )
    return None
