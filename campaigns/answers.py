"""Reads: the knowledge base's answers as the agent's cards show them — the В.З.О.Р. answers that
fit each card's offer and the business bridges that lead to it, their blanks filled from the card
(the offer's price a day) and from the account (its current tariff and speed).

A handful of queries per page whatever the number of cards: the account's broadband offers, the
objections with their steps and stock answers, the bridges, the needs heard in the call.
"""

import datetime
from dataclasses import dataclass, field

from campaigns.models import AppealNeed
from knowledge_base.filling import Facts
from knowledge_base.selectors import (
    ObjectionAnswer,
    bridge_list,
    bridge_phrase,
    objection_answers,
    objection_list,
)
from offers.models import Offer, OfferKind, ServiceCode

# What a held offer adds to the line's speed: its own plan, or an option on top of it.
BASE_KINDS = (OfferKind.TARIFF, OfferKind.SERVICE)


@dataclass(frozen=True)
class Line:
    """The account's broadband line as its held offers describe it; empty when unknown."""

    tariff: str = ""
    speed: int | None = None


@dataclass
class CardAnswers:
    objections: list[ObjectionAnswer]
    bridges: list = field(default_factory=list)
    need_heard: bool = False


def account_line(*, offer_ids) -> Line:
    """The current tariff and speed: the fastest held broadband plan (a tariff, or the service
    itself) with a speed, plus what held speed options add (+100 Мбит/с). No plan: unknown."""
    held = list(
        Offer.objects.filter(
            pk__in=list(offer_ids), service__code=ServiceCode.BROADBAND, speed_mbps__isnull=False
        ).only("name", "kind", "speed_mbps")
    )
    plans = [offer for offer in held if offer.kind in BASE_KINDS]
    if not plans:
        return Line()
    plan = max(plans, key=lambda offer: (offer.speed_mbps, offer.kind == OfferKind.TARIFF))
    extra = sum(offer.speed_mbps for offer in held if offer.kind == OfferKind.OPTION)
    return Line(tariff=plan.name, speed=plan.speed_mbps + extra)


def facts_for(*, offer, line: Line, on: datetime.date) -> Facts:
    """The blanks' values on a card of `offer` (None: no card) for an account with `line`."""
    if offer is None:
        return Facts(on=on, tariff=line.tariff, speed=line.speed)
    return Facts(
        on=on,
        offer=offer.name,
        monthly_price=offer.monthly_price,
        promo_days=offer.promo_days,
        tariff=line.tariff,
        speed=line.speed,
    )


def offers_heard(*, appeal) -> set[int]:
    """The offers whose need a business bridge marked heard in the call."""
    if appeal is None:
        return set()
    return set(AppealNeed.objects.filter(appeal=appeal).values_list("offer_id", flat=True))


def card_answers(*, account, offers, appeal, on: datetime.date) -> dict[int, CardAnswers]:
    """For each offer of the account's cards (by id): its objection answers, its bridges and
    whether its need is heard in the call (the call's flag, or a bridge opened for it)."""
    line = account_line(offer_ids=account.offer_ids)
    objections = list(objection_list())
    offers = list(offers)
    bridges = list(bridge_list().filter(offer_id__in=[offer.pk for offer in offers]))
    heard = offers_heard(appeal=appeal)
    answers = {}
    for offer in offers:
        facts = facts_for(offer=offer, line=line, on=on)
        answers[offer.pk] = CardAnswers(
            objections=objection_answers(offer=offer, facts=facts, objections=objections),
            bridges=[
                (bridge, bridge_phrase(bridge, facts_for(offer=bridge.offer, line=line, on=on)))
                for bridge in bridges
                if bridge.offer_id == offer.pk
            ],
            need_heard=bool(appeal and appeal.need_heard) or offer.pk in heard,
        )
    return answers
