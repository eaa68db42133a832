"""What a sale earns the agent today, for the offer card (issue 12 §2).

The agent sees on each recommendation what selling its offer would earn under the rule in force
today: the same figure the statement shows for an order of that offer registered today. The
statement works in SQL over orders (`rewards.engine`); a card has no order yet, so this module
applies the same rules, in the same order, in Python to what the order would record:

- the main item is the campaign's offer;
- the plan it replaces is the account's dearest plan (tariff, or base service offer) of the
  offer's service other than the offer itself, and its fee (what `order_register` freezes on the
  order as `previous_tariff` / `previous_monthly_fee`);
- fixed rules listing the offer pay their sum; else the first tiered rule listing it whose band
  holds the fee increase over the replaced plan; else the first share-of-ARPU rule that applies
  (a new service of the rule's service, or an offer the rule lists): round(share × fee), half up;
  else nothing. Amounts in whole kopecks, as the engine.

`tests/rewards/test_quotes.py` checks, over the reward table and generated accounts, that the card
equals the statement line of the order registered for it.

The catalogue (rules with their offers and bands, the offers' kinds, services and fees) is a few
dozen rows read on every call of the recommendations: each process keeps a copy while the version
in Django's cache is unchanged; a save or delete of a rule, band or offer (or a change of a rule's
offers) bumps it, and no copy is trusted longer than MAX_AGE: then it is read again, and when
the rules and offers read are equal to the copy's (plain values: `RuleFacts`, `OfferFacts`), the
copy is kept with its quotes (`memo`, for the same day) rather than worked out again.
"""

import dataclasses
import datetime
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from campaigns.orders.services import PLAN_KINDS
from campaigns.recommendations import RewardQuote
from offers.models import Offer
from rewards.engine import NEW_SERVICE_KINDS, OfferFacts, kopecks, load_offers, roubles
from rewards.models import RewardBand, RewardKind, RewardRule

VERSION_KEY = "rewards:quotes:version"
MAX_AGE = 30.0
PRECEDENCE = {RewardKind.FIXED: 0, RewardKind.TIERED: 1, RewardKind.ARPU_SHARE: 2}

BASIS_NONE = "none"
DETAIL_FIXED = _("fixed: %(rules)s")
DETAIL_SHARE = _("%(share)s%% of the monthly fee %(fee)s ₽ (a new service)")
DETAIL_BAND = _("a move with the fee up by %(increase)s ₽: band %(band)s ₽")
DETAIL_NONE = _("no reward rule pays for this sale today")


@dataclass(frozen=True)
class RuleFacts:
    """A rule as the quotes read it: amounts in kopecks, its offers, bands and period."""

    pk: int
    name: str
    kind: str
    service_id: int
    offers: frozenset
    amount: int
    share: Decimal | None
    bands: tuple  # (from, below or None, amount), kopecks
    valid_from: datetime.date
    valid_to: datetime.date | None
    order: int

    def valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Catalogue:
    version: str
    loaded_at: float
    rules: tuple[RuleFacts, ...]
    offers: dict[int, OfferFacts]
    # Quotes worked out on this copy: {(offer, replaced plan, day, language): RewardQuote}. A quote
    # depends on nothing else; a copy found unchanged after MAX_AGE keeps it for the day.
    memo: dict = field(default_factory=dict, compare=False, repr=False)
    day: datetime.date | None = None


_current: Catalogue | None = None
_lock = threading.Lock()


def bump(*args, **kwargs) -> str:
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    return version


def forget() -> None:
    """Drop this process's copy (tests)."""
    global _current
    _current = None


def current() -> Catalogue:
    global _current
    version = cache.get(VERSION_KEY) or bump()
    snapshot = _current
    if snapshot and snapshot.version == version and time.monotonic() - snapshot.loaded_at < MAX_AGE:
        return snapshot
    with _lock:
        snapshot = _current  # another thread may have done it while this one waited
        fresh = snapshot and time.monotonic() - snapshot.loaded_at < MAX_AGE
        if fresh and snapshot.version == version:
            return snapshot
        loaded = _load(version)
        if snapshot and (loaded.rules, loaded.offers) == (snapshot.rules, snapshot.offers):
            # Nothing a quote reads changed: the quotes worked out on the copy still hold.
            memo = snapshot.memo if snapshot.day == loaded.day else {}
            loaded = dataclasses.replace(loaded, memo=memo)
        _current = loaded
    return loaded


def _load(version: str) -> Catalogue:
    rules = []
    for rule in RewardRule.objects.prefetch_related("offers", "bands"):
        rules.append(
            RuleFacts(
                pk=rule.pk,
                name=rule.name,
                kind=rule.kind,
                service_id=rule.service_id,
                offers=frozenset(offer.pk for offer in rule.offers.all()),
                amount=kopecks(rule.amount or 0),
                share=rule.arpu_share,
                bands=tuple(
                    (
                        kopecks(band.min_increase),
                        None if band.max_increase is None else kopecks(band.max_increase),
                        kopecks(band.amount),
                    )
                    for band in sorted(rule.bands.all(), key=lambda b: b.min_increase)
                ),
                valid_from=rule.valid_from,
                valid_to=rule.valid_to,
                order=rule.order,
            )
        )
    rules.sort(key=lambda r: (PRECEDENCE[r.kind], r.order, r.pk))
    return Catalogue(
        version, time.monotonic(), tuple(rules), load_offers(), day=timezone.localdate()
    )


def bump_on_change() -> None:
    """Connected once in RewardsConfig.ready()."""
    for model in (RewardRule, RewardBand, Offer):
        post_save.connect(bump, sender=model, dispatch_uid=f"quotes-save-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"quotes-delete-{model.__name__}")
    m2m_changed.connect(bump, sender=RewardRule.offers.through, dispatch_uid="quotes-rule-offers")


def replaced_plan(offer_id: int, held: list[int], offers: dict[int, OfferFacts]) -> int | None:
    """The plan a sale of `offer_id` replaces among the offers held: the dearest of the sale's
    service (tariff or base service offer), the lowest id on a tie; None for a new service."""
    sale = offers[offer_id]
    plans = [
        pk
        for pk in held
        if pk != offer_id
        and pk in offers
        and offers[pk].kind in PLAN_KINDS
        and offers[pk].service_id == sale.service_id
    ]
    return min(plans, key=lambda pk: (-offers[pk].price, pk)) if plans else None


def _band(rule: RuleFacts, price: int, previous_fee: int):
    """The band holding the rise of `price` over `previous_fee` (the engine's conditions)."""
    for low, high, amount in rule.bands:
        if previous_fee <= price - max(low, 1) and (high is None or previous_fee > price - high):
            return low, high, amount
    return None


def _money(kop: int) -> str:
    return f"{roubles(kop):.2f}"


def _share(share: Decimal, price: int) -> int:
    return int((Decimal(price) * share).to_integral_value(ROUND_HALF_UP))


def quote(offer_id: int, *, held: list[int], day: datetime.date, catalogue: Catalogue):
    """The RewardQuote for selling `offer_id` on `day` to an account holding `held`."""
    offers = catalogue.offers
    sale = offers.get(offer_id)
    rules = [rule for rule in catalogue.rules if rule.valid_on(day)]
    fixed = [r for r in rules if r.kind == RewardKind.FIXED and offer_id in r.offers]
    if fixed:
        names = " + ".join(f"{r.name} {_money(r.amount)} ₽" for r in fixed)
        amount = sum(r.amount for r in fixed)
        return RewardQuote(
            roubles(amount), RewardKind.FIXED, gettext(DETAIL_FIXED) % {"rules": names}
        )
    if sale is not None:
        previous = replaced_plan(offer_id, held, offers)
        for rule in rules:
            found = _earned(rule, offer_id, sale, previous, offers)
            if found is not None:
                return found
    return RewardQuote(roubles(0), BASIS_NONE, gettext(DETAIL_NONE))


def _earned(rule, offer_id, sale, previous, offers) -> RewardQuote | None:
    if rule.kind == RewardKind.TIERED and offer_id in rule.offers and previous is not None:
        band = _band(rule, sale.price, offers[previous].price)
        if band is None:
            return None
        low, high, amount = band
        detail = gettext(DETAIL_BAND) % {
            "increase": _money(sale.price - offers[previous].price),
            "band": f"{_money(low)}–{'∞' if high is None else _money(high)}",
        }
        return RewardQuote(roubles(amount), RewardKind.TIERED, detail)
    if rule.kind != RewardKind.ARPU_SHARE:
        return None
    if rule.offers:
        applies = offer_id in rule.offers
    else:
        applies = (
            sale.service_id == rule.service_id
            and sale.kind in NEW_SERVICE_KINDS
            and previous is None
        )
    if not applies:
        return None
    share = rule.share or Decimal(0)
    detail = gettext(DETAIL_SHARE) % {
        "share": f"{(share * 100).normalize():f}",
        "fee": _money(sale.price),
    }
    return RewardQuote(roubles(_share(share, sale.price)), RewardKind.ARPU_SHARE, detail)


def reward_quotes(*, account, offers, on: datetime.date) -> dict[int, RewardQuote]:
    """The quoter registered with campaigns: a quote for each offer on the account's cards.

    `account` carries `offer_ids` (campaigns.recommendations.account_for_workspace); any other
    account's offers are read."""
    held = getattr(account, "offer_ids", None)
    if held is None:
        held = list(account.offers.values_list("pk", flat=True))
    catalogue = current()
    held, language = list(held), get_language()
    return {offer.pk: _remembered(offer.pk, held, on, catalogue, language) for offer in offers}


def _remembered(offer_id, held, day, catalogue: Catalogue, language) -> RewardQuote:
    """quote(), once per offer, replaced plan, day and language on each catalogue copy."""
    previous = (
        replaced_plan(offer_id, held, catalogue.offers) if offer_id in catalogue.offers else None
    )
    key = (offer_id, previous, day, language)
    found = catalogue.memo.get(key)
    if found is None:
        found = catalogue.memo[key] = quote(offer_id, held=held, day=day, catalogue=catalogue)
    return found
