"""Results as a state per customer and product (R4, R5, R6): the transitions table, and the rules
that sit beside it (objections per appeal, what an agreement supersedes).

A product's state is its latest result that counts (`OfferResult`), whatever campaign it was given
on; it is «ordered» while an order for the product is registered or sent. A save is judged by
`step(state, new, same_call)`:

- SET     the state becomes the new result, the history gets an entry;
- KEEP    the history gets an entry, the state stays (a later «not offered» never erases a refusal,
          its cooldown or an agreement);
- REFUSE  nothing is written; the save is answered with the row's code.

«Same call» means the state was set in the appeal the save is made in. Eligibility (R1, R2, R9,
cooldown) is judged beside the table: the table says which results may follow which, eligibility
whether an offer may be made at this moment.
"""

from django.utils.translation import gettext_lazy as _

from campaigns import eligibility
from campaigns.models import (
    PENDING_ORDER_STATUSES,
    CampaignTarget,
    ConnectionOrder,
    ContactHistoryEntry,
    OfferResult,
    ResultCode,
)

SET, KEEP, REFUSE = "set", "keep", "refuse"
# The state of a product with an open order (registered or sent): agreed, and not to be changed
# until the order is connected or cancelled.
ORDERED = "ordered"
STATES = (*ResultCode.values, ORDERED)

ERR_ALREADY_OFFERED = _(
    "The offer was already made in this call: record the customer's answer, not «Not offered»."
)
ERR_ORDER_OPEN = _("An order for this product is open: cancel it before recording another result.")
ERR_OBJECTIONS_NOT_OFFERED = _("Objections are recorded only with an offer that was made.")

NOT_OFFERED = ResultCode.NOT_OFFERED
OFFERED = (ResultCode.NOT_INTERESTED, ResultCode.THINKING, ResultCode.AGREED)


def _table() -> dict[tuple[str, str, bool], tuple[str, str]]:
    """Every (state, new result, same call) → (outcome, code). Written out, not computed, in the
    rows below; this function only assembles them so that no row can be forgotten."""
    rows = {}
    for same_call in (True, False):
        # Nothing was offered yet: any result may follow.
        for new in ResultCode.values:
            rows[(NOT_OFFERED, new, same_call)] = (SET, "")
        # An offer was made: the customer's answer may change (objections worked, a mind changed,
        # a later call) …
        for state in OFFERED:
            for new in OFFERED:
                rows[(state, new, same_call)] = (SET, "")
        # … while an open order holds the agreement until it is connected or cancelled.
        for new in OFFERED:
            rows[(ORDERED, new, same_call)] = (REFUSE, "order_open")
        rows[(ORDERED, NOT_OFFERED, same_call)] = (KEEP, "")
    # «Not offered» after an offer: a contradiction within the call, a call without the offer later.
    for state in OFFERED:
        rows[(state, NOT_OFFERED, True)] = (REFUSE, "already_offered")
        rows[(state, NOT_OFFERED, False)] = (KEEP, "")
    return rows


TRANSITIONS = _table()

REFUSALS = {
    "already_offered": ERR_ALREADY_OFFERED,
    "order_open": ERR_ORDER_OPEN,
}

# The customer's own «yes» outweighs the rules about when to propose: the cooldown (not to ask
# again too soon) and peak hours (not to lengthen calls with offers). Every other reason stands:
# the call (R1, R9: question unresolved, a negative or complaining customer, not the user), the
# money and the network (R2, outage), a product already held, a campaign not running for them.
AGREEMENT_SUPERSEDES = frozenset({eligibility.Reason.COOLDOWN, eligibility.Reason.PEAK_HOURS})


def step(state: str, new: str, *, same_call: bool) -> tuple[str, str]:
    return TRANSITIONS[(state, new, same_call)]


def blocking_reasons(reasons: list[str], result: str) -> list[str]:
    """The reasons that stop a result: all of them, but those an agreement supersedes."""
    if result == ResultCode.AGREED:
        return [r for r in reasons if r not in AGREEMENT_SUPERSEDES]
    return list(reasons)


def state_of(*, account_id: int, offer_id: int) -> tuple[str, OfferResult | None]:
    """The product's state for the customer (with an open order, ORDERED) and its row."""
    row = OfferResult.objects.filter(account_id=account_id, offer_id=offer_id).first()
    state = row.result if row is not None else NOT_OFFERED
    if has_open_order(account_id=account_id, offer_id=offer_id):
        state = ORDERED
    return state, row


def has_open_order(*, account_id: int, offer_id: int) -> bool:
    return ConnectionOrder.objects.filter(
        account_id=account_id, product_id=offer_id, status__in=PENDING_ORDER_STATUSES
    ).exists()


def objections_in_appeal(*, appeal_id: int, offer_id: int) -> set[str]:
    """The objections already worked on this product in this appeal (R4 counts them per appeal)."""
    through = ContactHistoryEntry.objections.through.objects
    return set(
        through.filter(
            contacthistoryentry__appeal_id=appeal_id,
            contacthistoryentry__target__campaign__offer_id=offer_id,
        ).values_list("objectiontype__code", flat=True)
    )


def offer_result_write(*, account_id, offer_id, result, appeal_id, now, batch=None) -> None:
    """Set the product's state: one INSERT … ON CONFLICT on the (account, offer) constraint (added
    to `batch` when given, config.floor.batch)."""
    row = OfferResult(
        account_id=account_id, offer_id=offer_id, result=result, result_at=now, appeal_id=appeal_id
    )
    if batch is not None:
        batch.insert(
            [row],
            conflict=("account_id", "offer_id"),
            update=("result", "result_at", "appeal_id"),
            returning=False,  # nothing reads the row's id: the batch may go with a later trip
        )
        return
    OfferResult.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["account", "offer"],
        update_fields=["result", "result_at", "appeal"],
    )


def offer_results_rebuild(*, account_ids) -> int:
    """Bulk-written results (the demo) → the state per product: for each account and product, the
    latest result other than «not offered» on any of its campaigns. Returns the rows written."""
    latest = {}
    rows = (
        CampaignTarget.objects.filter(account_id__in=account_ids, result_at__isnull=False)
        .exclude(result=NOT_OFFERED)
        .values_list("account_id", "campaign__offer_id", "result", "result_at")
    )
    for account_id, offer_id, result, result_at in rows.iterator(chunk_size=2000):
        key = (account_id, offer_id)
        if key not in latest or latest[key][1] < result_at:
            latest[key] = (result, result_at)
    written = OfferResult.objects.bulk_create(
        [
            OfferResult(account_id=a, offer_id=o, result=result, result_at=at)
            for (a, o), (result, at) in latest.items()
        ],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["account", "offer"],
        update_fields=["result", "result_at"],
    )
    return len(written)
