"""The reward engine: which rules an order meets and what it earns, as SQL expressions.

The catalogue is a few dozen rows, so it is read once and turned into CASE expressions; the
orders are never read into Python: the job sums the expressions with GROUP BY and a statement
selects them per order. Every amount is worked out in whole kopecks (integers), so PostgreSQL and
SQLite agree to the kopeck, and turned into roubles only at the end.

How an order is matched (its "sale" is the offer agreed, `product`, or the order's tariff when it
has none; the rule version is the one valid on the day of connection, or of registration while the
order is still pending):

1. **Fixed**: every fixed rule listing the sale's offer pays its amount. An offer may be in two
   rules (the antivirus + Safe Kids bundle is two services) and then earns both.
2. **Tiered** (only when no fixed rule matched): the offer is in the rule's offers, the order
   replaces a plan of the same service (`previous_tariff`), and the monthly fee rose: the band
   whose [from, below) holds the increase (the sale's fee − `previous_monthly_fee`) pays its
   amount. No band, no rise: no reward.
3. **Share of ARPU** (only when neither matched): a new service for the account, i.e. an offer of
   kind service or tariff of the rule's service on an order that replaces no plan (or an offer the
   rule lists explicitly). ARPU is taken as the monthly fee of the new service's offer
   (`Offer.monthly_price` of the sale, promo days ignored), so the reward is round(share × fee) to
   the kopeck, half up: 0.75 × 139 ₽ = 104.25 ₽.

What the order replaces is recorded on it at registration (`ConnectionOrder.previous_tariff`, the
account's dearest plan of the sale's service other than the sale, and `previous_monthly_fee`, its
fee then), never read from the account at job time: by then the CRM may have swapped the plan, and
the catalogue's fee may have changed. So the engine reads only the order's own row and its offers.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    ExpressionWrapper,
    F,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round
from django.db.models.lookups import IsNull

from offers.models import OfferKind
from rewards.calendar import local_midnight
from rewards.models import RewardKind, RewardRule

KOPECKS = 100
NEW_SERVICE_KINDS = (OfferKind.SERVICE, OfferKind.TARIFF)


def kopecks(amount: Decimal) -> int:
    return int((Decimal(amount) * KOPECKS).to_integral_value())


def roubles(value: int | None) -> Decimal:
    return (Decimal(value or 0) / KOPECKS).quantize(Decimal("0.01"))


def without_jit() -> None:
    """Switch PostgreSQL's JIT off for the rest of the current transaction.

    The engine's CASE expressions make the planner's cost estimate large enough for the JIT to
    spend seconds compiling a query that runs in a fraction of that (4.6 s, 3.7 of them compiling,
    for 200,000 orders). Call inside `transaction.atomic()`.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _int(value) -> Value:
    return Value(int(value), output_field=BigIntegerField())


def _to_kopecks(expression):
    return Cast(Round(expression * Value(KOPECKS)), BigIntegerField())


def _band_amount(rule):
    """The band of the rule holding the rise over the frozen previous fee, in kopecks; NULL without
    a previous plan, a rise or a band."""
    whens = []
    for band in rule.bands.all():
        condition = Q(rw_rise__gte=max(kopecks(band.min_increase), 1))  # at least a kopeck
        if band.max_increase is not None:
            condition &= Q(rw_rise__lt=kopecks(band.max_increase))
        whens.append(When(condition, then=_int(kopecks(band.amount))))
    if not whens:
        return None
    return Case(*whens, default=None, output_field=BigIntegerField())


def with_sale(orders):
    """Annotate what the engine reads from each order: the sale, its fee, the rule day."""
    return orders.annotate(
        rw_offer=Coalesce("product_id", "tariff_id"),
        rw_kind=Coalesce("product__kind", "tariff__kind"),
        rw_service=Coalesce("product__service_id", "tariff__service_id"),
        rw_price=_to_kopecks(Coalesce("product__monthly_price", "tariff__monthly_price")),
        rw_at=Coalesce("connected_at", "created_at"),
        # NULL when the order replaces no plan: then no band holds it.
        rw_rise=ExpressionWrapper(
            F("rw_price") - _to_kopecks(F("previous_monthly_fee")), output_field=BigIntegerField()
        ),
    )


@dataclass(frozen=True)
class Term:
    """One way to earn: a rule (a band of it, for tiered rules), when it applies, what it pays."""

    rule: RewardRule
    condition: Q
    amount: object  # an integer expression, kopecks
    fixed: bool
    offers: tuple[int, ...] = ()
    period: tuple = ()  # (start, end or None): aware datetimes, end exclusive
    kopecks: int = 0


def _period(rule: RewardRule) -> tuple:
    end = None
    if rule.valid_to is not None:
        end = local_midnight(rule.valid_to + datetime.timedelta(days=1))
    return local_midnight(rule.valid_from), end


def _during(start, end) -> Q:
    window = Q(rw_at__gte=start)
    if end is not None:
        window &= Q(rw_at__lt=end)
    return window


def _window(rule: RewardRule) -> Q:
    return _during(*_period(rule))


def _offer_ids(rule: RewardRule) -> list[int]:
    return sorted(offer.pk for offer in rule.offers.all())


def _fixed(rule):
    offers = _offer_ids(rule)
    if not offers:
        return []
    amount = kopecks(rule.amount)
    condition = _window(rule) & Q(rw_offer__in=offers)
    return [Term(rule, condition, _int(amount), True, tuple(offers), _period(rule), amount)]


def _tiered(rule):
    offers, amount = _offer_ids(rule), _band_amount(rule)
    if not offers or amount is None:
        return []
    condition = _window(rule) & Q(rw_offer__in=offers, previous_tariff__isnull=False)
    return [Term(rule, condition, amount, False)]


def _arpu(rule):
    offers = _offer_ids(rule)
    if offers:
        condition = Q(rw_offer__in=offers)
    else:
        condition = Q(
            rw_service=rule.service_id,
            rw_kind__in=NEW_SERVICE_KINDS,
            previous_tariff__isnull=True,
        )
    share_milli = int((rule.arpu_share * 1000).to_integral_value())
    # Whole kopecks, half up: (fee in kopecks × share in thousandths + 500) div 1000.
    amount = (F("rw_price") * _int(share_milli) + _int(500)) / _int(1000)
    return [Term(rule, _window(rule) & condition, amount, False)]


BUILDERS = {RewardKind.FIXED: _fixed, RewardKind.TIERED: _tiered, RewardKind.ARPU_SHARE: _arpu}
PRECEDENCE = {RewardKind.FIXED: 0, RewardKind.TIERED: 1, RewardKind.ARPU_SHARE: 2}


def load_terms(rules=None) -> list[Term]:
    """Every term of the catalogue (all periods), fixed first, then tiered bands, then ARPU."""
    if rules is None:
        rules = RewardRule.objects.prefetch_related("offers", "bands").order_by("order", "pk")
    rules = sorted(rules, key=lambda r: (PRECEDENCE[r.kind], r.order, r.pk))
    return [term for rule in rules for term in BUILDERS[rule.kind](rule)]


def _fixed_schedule(terms: list[Term]) -> list[When]:
    """For each offer: the sum of its fixed rules in each stretch of time they do not change."""
    by_offer = defaultdict(list)
    for term in terms:
        for offer in term.offers:
            by_offer[offer].append(term)
    whens = []
    for offer, offer_terms in sorted(by_offer.items()):
        points = sorted(
            {t.period[0] for t in offer_terms} | {t.period[1] for t in offer_terms} - {None}
        )
        stretches = []
        for start, end in zip(points, [*points[1:], None], strict=True):
            total = [
                t.kopecks
                for t in offer_terms
                if t.period[0] <= start and (t.period[1] is None or (end and t.period[1] >= end))
            ]
            if total:
                stretches.append(When(_during(start, end), then=_int(sum(total))))
        if stretches:
            inner = Case(*stretches, default=None, output_field=BigIntegerField())
            whens.append(When(Q(rw_offer=offer), then=inner))
    return whens


def _when(condition, amount):
    return Case(When(condition, then=amount), default=None, output_field=BigIntegerField())


def _any(terms) -> Q | None:
    combined = None
    for term in terms:
        combined = term.condition if combined is None else combined | term.condition
    return combined


@dataclass(frozen=True)
class Engine:
    """The catalogue as expressions over a queryset annotated by `annotate()`."""

    terms: list[Term]

    @classmethod
    def load(cls, rules=None) -> "Engine":
        return cls(load_terms(rules))

    def annotate(self, orders):
        """The orders with the (unselected) columns the expressions below read."""
        return with_sale(orders)

    def amount(self):
        """Kopecks an order earns (0 when no rule applies).

        The fixed rules become one CASE on the offer (then on the period), giving the sum of the
        fixed rules valid for it, or NULL; only then are the tiered and ARPU rules tried, in
        precedence order.
        """
        fixed = _fixed_schedule([t for t in self.terms if t.fixed])
        parts = [Case(*fixed, default=None, output_field=BigIntegerField())] if fixed else []
        # COALESCE stops at the first term that pays: a tiered rule without a band for this
        # order gives NULL and lets the share of ARPU try.
        parts += [_when(term.condition, term.amount) for term in self.terms if not term.fixed]
        if not parts:
            return _int(0)
        return Coalesce(*parts, _int(0), output_field=BigIntegerField())

    def guarded(self):
        """Each term with the conditions of those before it that exclude it (for statements)."""
        fixed_any = _any([t for t in self.terms if t.fixed])
        taken = None
        result = []
        for term in self.terms:
            condition = term.condition
            if not term.fixed:
                if fixed_any is not None:
                    condition = condition & ~fixed_any
                if taken is not None:
                    condition = condition & ~taken
                pays = term.condition & Q(IsNull(term.amount, False))
                taken = pays if taken is None else taken | pays
            result.append((term, condition))
        return result

    def term_columns(self):
        """{alias: expression} for a statement: each term's kopecks, NULL when it does not apply."""
        return {
            f"rw_term_{i}": Case(
                When(condition, then=term.amount), default=None, output_field=BigIntegerField()
            )
            for i, (term, condition) in enumerate(self.guarded())
        }
