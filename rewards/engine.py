"""The reward engine: which rules an item of an order meets and what it earns, as SQL expressions.

The catalogue is a few dozen rows, so it is read once and turned into CASE expressions; the
orders are never read into Python: the job sums the expressions with GROUP BY and a statement
selects them per item. Every amount is worked out in whole kopecks (integers), so PostgreSQL and
SQLite agree to the kopeck, and turned into roubles only at the end.

**Items.** Every item of an order earns its own line of the table (R11): the main item (the offer
agreed, `product`, or the order's tariff when it has none) and each extra of the ДК form
(«Доп. услуги Интернет», «Доп. каналы IP-TV»: options, subscriptions, packages). New IPTV at
320 ₽ with «Кино» and «VIP» earns 0.75 × 320 + 40 + 75 = 355 ₽. An extra that repeats the main
item earns once; equipment earns nothing of its own.

How an item is matched (the rule version is the one valid on the day the order was connected, or
registered while it is still pending):

1. **Fixed**: every fixed rule listing the item's offer pays its amount. An offer may be in two
   rules (the antivirus + Safe Kids bundle is two services) and then earns both.
2. **Tiered** (only when no fixed rule matched; main items only): the offer is in the rule's
   offers, the order replaces a plan of the same service (`previous_tariff`), and the monthly fee
   rose: the band whose [from, below) holds the increase (the offer's fee −
   `previous_monthly_fee`) pays its amount. No band, no rise: no reward.
3. **Share of ARPU** (only when neither matched): a new service for the account, i.e. an offer of
   kind service or tariff of the rule's service on an order that replaces no plan (or an offer the
   rule lists explicitly). ARPU is taken as the monthly fee of the new service's offer
   (`Offer.monthly_price`, promo days ignored), so the reward is round(share × fee) to the
   kopeck, half up: 0.75 × 139 ₽ = 104.25 ₽.

What the order replaces is recorded on it at registration (`ConnectionOrder.previous_tariff`, the
account's dearest plan of the sale's service other than the sale, and `previous_monthly_fee`, its
fee then), never read from the account at job time: by then the CRM may have swapped the plan.

**Speed.** The offers' kinds, services and fees are read with the rules (the catalogue at that
moment) and written into the expressions as constants, and each expression branches on the
offer once (`CASE offer WHEN … THEN …`): the aggregate reads only the orders' own columns, with
no join to the offers, and works out each item's amount once.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import BigIntegerField, Case, Expression, F, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Round
from django.db.models.lookups import IsNull

from offers.models import Offer, OfferKind
from rewards.calendar import local_midnight
from rewards.models import RewardKind, RewardRule

KOPECKS = 100
NEW_SERVICE_KINDS = (OfferKind.SERVICE, OfferKind.TARIFF)


def kopecks(amount: Decimal) -> int:
    return int((Decimal(amount) * KOPECKS).to_integral_value(ROUND_HALF_UP))


def roubles(value: int | None) -> Decimal:
    return (Decimal(value or 0) / KOPECKS).quantize(Decimal("0.01"))


def without_jit() -> None:
    """Tune PostgreSQL for the month's aggregates, for the rest of the current transaction.

    The engine's CASE expressions make the planner's cost estimate large enough for the JIT to
    spend seconds compiling a query that runs in a fraction of that: JIT off. Grouping by agent
    and team, the planner guesses many more groups than there are agents and would sort a
    million rows rather than hash them in the default 4 MB: 64 MB of work memory, for this
    transaction only. The month's rows are hot (read by the events' refreshes all day): a random
    page costs little more than a sequential one (1.1, not 4), so the extras reach their order by
    its primary key instead of hashing a second pass over the month's orders. Call inside
    `transaction.atomic()`.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL random_page_cost = 1.1")


def _int(value) -> Value:
    return Value(int(value), output_field=BigIntegerField())


def _to_kopecks(expression):
    return Cast(Round(expression * Value(KOPECKS)), BigIntegerField())


class SimpleCase(Expression):
    """`CASE operand WHEN k1 THEN r1 … ELSE NULL END`: the operand is worked out once per row.

    Keys are integers (offer ids) written into the SQL; results are integers (kopecks, written
    in) or expressions.
    """

    output_field = BigIntegerField()

    def __init__(self, operand, cases: list[tuple[int, object]]):
        super().__init__(output_field=BigIntegerField())
        self.operand = operand
        self.keys = [int(key) for key, _result in cases]
        self.results = [
            result if hasattr(result, "resolve_expression") else _int(result)
            for _key, result in cases
        ]

    def get_source_expressions(self):
        return [self.operand, *self.results]

    def set_source_expressions(self, expressions):
        self.operand, *self.results = expressions

    def as_sql(self, compiler, connection):
        operand_sql, params = compiler.compile(self.operand)
        parts = []
        for key, result in zip(self.keys, self.results, strict=True):
            if isinstance(result, Value) and isinstance(result.value, int):
                parts.append(f"WHEN {key} THEN {int(result.value)}")
                continue
            result_sql, result_params = compiler.compile(result)
            parts.append(f"WHEN {key} THEN {result_sql}")
            params = [*params, *result_params]
        return f"CASE {operand_sql} {' '.join(parts)} ELSE NULL END", params


@dataclass(frozen=True)
class OfferFacts:
    """What the engine needs of an offer, read once with the rules."""

    kind: str
    service_id: int
    price: int  # monthly fee, kopecks


def load_offers() -> dict[int, OfferFacts]:
    return {
        pk: OfferFacts(kind, service_id, kopecks(price or 0))
        for pk, kind, service_id, price in Offer.objects.values_list(
            "pk", "kind", "service_id", "monthly_price"
        )
    }


def with_sale(orders):
    """Annotate what the engine reads from each order's main item: the offer, the rule day, and
    the plan it replaces with that plan's fee (NULL for a new service)."""
    return orders.annotate(
        rw_offer=Coalesce("product_id", "tariff_id"),
        rw_at=Coalesce("connected_at", "created_at"),
        rw_prev=F("previous_tariff_id"),
        rw_prev_fee=_to_kopecks(F("previous_monthly_fee")),
    )


def extra_items(orders):
    """The extras of the orders (the ДК form's «Доп. услуги Интернет», «Доп. каналы IP-TV»), one
    row per order and extra, other than the order's main item (which earns once)."""
    through = orders.model.extras.through
    return through.objects.filter(connectionorder__in=orders.values("pk")).exclude(
        offer_id=Coalesce(F("connectionorder__product_id"), F("connectionorder__tariff_id"))
    )


def with_extra(items):
    """Annotate an extra (a row of the extras table) as `with_sale` does an order: an extra is
    never a move, so only the fixed rules (or a share rule listing it) can pay for it."""
    return items.annotate(
        rw_offer=F("offer_id"),
        rw_at=Coalesce("connectionorder__connected_at", "connectionorder__created_at"),
        rw_prev=Value(None, output_field=BigIntegerField()),
        rw_prev_fee=Value(None, output_field=BigIntegerField()),
    )


@dataclass(frozen=True)
class Term:
    """One way to earn: a rule, when it applies, what it pays (kopecks, an expression)."""

    rule: RewardRule
    condition: Q
    amount: object
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


def _fixed(rule, offers):
    ids = _offer_ids(rule)
    if not ids:
        return []
    amount = kopecks(rule.amount)
    condition = _window(rule) & Q(rw_offer__in=ids)
    return [Term(rule, condition, _int(amount), True, tuple(ids), _period(rule), amount)]


def _band_case(rule, price: int):
    """The band holding the rise of `price` over the previous fee: as conditions on the previous
    fee (rise >= from ⇔ fee <= price − from), so nothing is computed per row but a comparison."""
    whens = []
    for band in rule.bands.all():
        condition = Q(rw_prev_fee__lte=price - max(kopecks(band.min_increase), 1))
        if band.max_increase is not None:
            condition &= Q(rw_prev_fee__gt=price - kopecks(band.max_increase))
        whens.append(When(condition, then=_int(kopecks(band.amount))))
    return Case(*whens, default=None, output_field=BigIntegerField()) if whens else None


def _tiered(rule, offers):
    ids = [pk for pk in _offer_ids(rule) if pk in offers]
    cases = [(pk, _band_case(rule, offers[pk].price)) for pk in ids]
    cases = [(pk, case) for pk, case in cases if case is not None]
    if not cases:
        return []
    condition = _window(rule) & Q(rw_offer__in=[pk for pk, _case in cases], rw_prev__isnull=False)
    return [Term(rule, condition, SimpleCase(F("rw_offer"), cases), False)]


def _share(share: Decimal, price: int) -> int:
    return int((Decimal(price) * share).to_integral_value(ROUND_HALF_UP))


def _arpu(rule, offers):
    listed = _offer_ids(rule)
    if listed:
        ids = [pk for pk in listed if pk in offers]
        condition = Q(rw_offer__in=ids)
    else:
        ids = sorted(
            pk
            for pk, facts in offers.items()
            if facts.service_id == rule.service_id and facts.kind in NEW_SERVICE_KINDS
        )
        condition = Q(rw_offer__in=ids, rw_prev__isnull=True)
    if not ids:
        return []
    amount = SimpleCase(
        F("rw_offer"), [(pk, _share(rule.arpu_share, offers[pk].price)) for pk in ids]
    )
    return [Term(rule, _window(rule) & condition, amount, False)]


BUILDERS = {RewardKind.FIXED: _fixed, RewardKind.TIERED: _tiered, RewardKind.ARPU_SHARE: _arpu}
PRECEDENCE = {RewardKind.FIXED: 0, RewardKind.TIERED: 1, RewardKind.ARPU_SHARE: 2}


def load_terms(rules=None, offers=None) -> list[Term]:
    """Every term of the catalogue (all periods), fixed first, then tiered, then ARPU."""
    if rules is None:
        rules = RewardRule.objects.prefetch_related("offers", "bands").order_by("order", "pk")
    offers = load_offers() if offers is None else offers
    rules = sorted(rules, key=lambda r: (PRECEDENCE[r.kind], r.order, r.pk))
    return [term for rule in rules for term in BUILDERS[rule.kind](rule, offers)]


def _fixed_schedule(terms: list[Term]) -> list[tuple[int, object]]:
    """For each offer: the sum of its fixed rules in each stretch of time they do not change."""
    by_offer = defaultdict(list)
    for term in terms:
        for offer in term.offers:
            by_offer[offer].append(term)
    cases = []
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
            cases.append((offer, Case(*stretches, default=None, output_field=BigIntegerField())))
    return cases


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
    offers: dict = field(default_factory=dict)

    @classmethod
    def load(cls, rules=None) -> "Engine":
        offers = load_offers()
        return cls(load_terms(rules, offers), offers)

    def annotate(self, orders):
        """The orders with the (unselected) columns the expressions below read."""
        return with_sale(orders)

    def annotate_extras(self, items):
        """The same columns for the rows of the extras table."""
        return with_extra(items)

    def amount(self):
        """Kopecks an item earns (0 when no rule applies).

        The fixed rules become one CASE on the offer (then on the period), giving the sum of the
        fixed rules valid for it, or NULL; only then are the tiered and ARPU rules tried, in
        precedence order (COALESCE stops at the first that pays).
        """
        fixed = _fixed_schedule([t for t in self.terms if t.fixed])
        parts = [SimpleCase(F("rw_offer"), fixed)] if fixed else []
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
