"""The blanks of the answers an agent reads out (objection answers, business bridges), filled from
what the card and the account know.

A text names a blank in braces: `{price_a_day}`, `{offer}`, `{speed}`, `{tariff}`. Each is filled
from `Facts` (the card's offer, the account's current tariff) or, when the fact is unknown, with a
neutral wording that still reads as a sentence, so a raw placeholder is never shown. Where the
neutral wording would not fit, a text offers its own alternative: `[known wording|otherwise]`
takes the first part when every blank in it is known, else the second («Ваш тариф
[предусматривает скорость до {speed}|ограничивает скорость]»). Anything else in braces or
brackets is left as written.

The texts are Russian data, so the fills are always in the portal's language (like the contact
history's comments), whatever the reader's.

Price per day (R3): the monthly fee divided by the days of the current month (28–31), rounded half
up to whole kopecks — `offers.pricing.price_per_day`, the figure the card's price frame shows.
Read out as words: «всего за 4,63 рубля в день» (a fraction takes «рубля»), «всего за 10 рублей в
день» (a whole amount loses its «,00»); no fee: «без абонентской платы»; a fee under half a
kopeck a day: «меньше чем за копейку в день» (never «0 рублей» for a paid service); a free promo
period is added: «…, а первые 30 дней — бесплатно».
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from offers import pricing

BLANK_RE = re.compile(r"\{([a-z_]+)\}")
# [known wording|otherwise]: only when the first part holds a blank (Markdown links stay as they are).
CHOICE_RE = re.compile(r"\[([^\[\]|]*\{[a-z_]+\}[^\[\]|]*)\|([^\[\]]*)\]")

BLANKS = {
    "price_a_day": _("the offer's price a day, in words («всего за 4,63 рубля в день»)"),
    "offer": _("the offer's name"),
    "speed": _("the account's current internet speed («100 Мбит/с»)"),
    "tariff": _("the account's current tariff plan"),
}


@dataclass(frozen=True)
class Facts:
    """What is known where a text is read: the card's offer and the account's current tariff.
    None (or empty) where it is not known: the panel opened without a card, an account without a
    broadband tariff."""

    on: datetime.date
    offer: str = ""
    monthly_price: Decimal | None = None
    promo_days: int = 0
    speed: int | None = None
    tariff: str = ""


def _amount(value: Decimal) -> str:
    """«4,63 рубля», «10 рублей», «1 рубль»: whole amounts without kopecks, declined."""
    if value == value.to_integral_value():
        whole = int(value)
        return ngettext("%(amount)s rouble", "%(amount)s roubles", whole) % {
            "amount": number_format(whole, force_grouping=True)
        }
    # A fraction takes the genitive singular in Russian («4,63 рубля») whatever its last digit.
    return pgettext("a fractional amount", "%(amount)s roubles") % {
        "amount": number_format(value, decimal_pos=2, force_grouping=True)
    }


def price_a_day(facts: Facts) -> str | None:
    """The price a day in words, or None when the offer's fee is unknown."""
    if facts.monthly_price is None:
        return None
    fee = Decimal(facts.monthly_price)
    if fee <= 0:
        return gettext("without a monthly fee")
    per_day = pricing.price_per_day(fee, on=facts.on)
    if per_day <= 0:
        text = gettext("for less than a kopeck a day")
    else:
        text = gettext("for just %(amount)s a day") % {"amount": _amount(per_day)}
    if facts.promo_days:
        text = ngettext(
            "%(price)s, and the first %(days)s day is free",
            "%(price)s, and the first %(days)s days are free",
            facts.promo_days,
        ) % {"price": text, "days": facts.promo_days}
    return text


def _speed(facts: Facts) -> str | None:
    return gettext("%(speed)s Mbit/s") % {"speed": facts.speed} if facts.speed else None


def _quoted(value: str) -> str | None:
    return f"«{value}»" if value else None


KNOWN = {
    "price_a_day": price_a_day,
    "offer": lambda facts: _quoted(facts.offer),
    "speed": _speed,
    "tariff": lambda facts: _quoted(facts.tariff),
}
NEUTRAL = {
    "price_a_day": _("for just a few roubles a day"),
    "offer": _("this service"),
    "speed": _("the speed of your tariff"),
    "tariff": _("your tariff plan"),
}


def fill(text: str, facts: Facts) -> str:
    """The text with its blanks filled (see the module's docstring); text without braces as is."""
    if "{" not in text:
        return text
    with translation.override(settings.LANGUAGE_CODE):
        values = {name: KNOWN[name](facts) for name in set(BLANK_RE.findall(text)) & KNOWN.keys()}

        def choose(match: re.Match) -> str:
            names = BLANK_RE.findall(match.group(1))
            known = all(values.get(name) for name in names if name in KNOWN)
            return match.group(1) if known else match.group(2)

        def blank(match: re.Match) -> str:
            name = match.group(1)
            if name not in KNOWN:
                return match.group(0)
            return values.get(name) or str(NEUTRAL[name])

        return BLANK_RE.sub(blank, CHOICE_RE.sub(choose, text))


def neutral(on: datetime.date) -> Facts:
    """Facts of no card and no account: every blank reads its neutral wording."""
    return Facts(on=on)
