"""Campaign scripts: templates with a small, fixed set of placeholders and nothing else.

Managers write `{customer}` or `{price_per_day}` in a script; there is no template language, so a
script cannot reach attributes, loops or filters. Unknown placeholders are refused when the campaign
is saved.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from offers import pricing

PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")

PLACEHOLDERS = {
    "customer": _("the customer's first name and patronymic («И.О.»)"),
    "offer": _("the offer's name"),
    "monthly_price": _("the monthly price, ₽"),
    "price_per_day": _("the price per day in the current month, ₽"),
    "first_charge": _("the prorated first charge for a connection today, ₽"),
    "promo_days": _("the free promo days"),
    "speed": _("the tariff speed, Mbit/s"),
}

ERR_UNKNOWN_PLACEHOLDER = _("Unknown placeholder {%(name)s}. Allowed: %(allowed)s.")


@dataclass(frozen=True)
class ScriptContext:
    customer: str
    offer: str
    monthly_price: Decimal
    promo_days: int
    speed: int | None
    on: datetime.date


def unknown_placeholders(template: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER_RE.findall(template) if name not in PLACEHOLDERS})


def _money(amount: Decimal) -> str:
    return number_format(amount, decimal_pos=2, use_l10n=True)


VALUES = {
    "customer": lambda ctx: ctx.customer,
    "offer": lambda ctx: ctx.offer,
    "monthly_price": lambda ctx: _money(ctx.monthly_price),
    "price_per_day": lambda ctx: _money(pricing.price_per_day(ctx.monthly_price, on=ctx.on)),
    "first_charge": lambda ctx: _money(
        pricing.first_charge(ctx.monthly_price, on=ctx.on, promo_days=ctx.promo_days)
    ),
    "promo_days": lambda ctx: str(ctx.promo_days),
    "speed": lambda ctx: str(ctx.speed) if ctx.speed else "—",
}


@functools.lru_cache(maxsize=4096)
def _value(name: str, ctx: ScriptContext, language: str) -> str:
    """One placeholder's text, computed once per customer, offer, day and language: scripts
    repeat their placeholders, and every call reads the recommendations."""
    return VALUES[name](ctx)


def render_script(template: str, ctx: ScriptContext) -> str:
    """Substitute the known placeholders; anything else in braces is left as written. Only the
    placeholders the template uses are computed."""
    if "{" not in template:
        return template
    language = translation.get_language()
    return PLACEHOLDER_RE.sub(
        lambda m: _value(m.group(1), ctx, language) if m.group(1) in VALUES else m.group(0),
        template,
    )


CUSTOMER = "{customer}"


def render_script_parts(template: str, ctx: ScriptContext) -> tuple[str, ...]:
    """The script rendered but for `{customer}`: the rendered pieces between its occurrences, so
    that `ctx.customer.join(parts) == render_script(template, ctx)` for any customer. What depends
    only on the campaign and the day is rendered once per catalogue copy; each call joins in its
    customer's name. (No placeholder can straddle a `{customer}`: their names hold no braces.)"""
    return tuple(render_script(piece, ctx) for piece in template.split(CUSTOMER))
