"""Writes of callbacks: a «thinking» result opens one, the next result on the product makes it,
the agent may move it.

Rules (table in tests/campaigns/test_callbacks.py):
- «Клиент думает» on a product opens a callback for the agent who recorded it, at the time asked
  (checked by campaigns.callback_times) or at the default; an open callback of the same product
  on the account is made by it (outcome «thinking») and replaced, so there is one open at most.
- Any other result but «Не предлагалось» on the product, by any agent, makes the open callback
  (closed now, with that outcome): the customer was called back, or called in.
  «Не предлагалось» leaves it open: nothing was offered.
- Only the callback's agent moves it, only while it is open, to a time the same checks accept.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns import callback_times, catalogue
from campaigns.models import Callback, ResultCode
from config.floor.batch import Batch
from config.floor.errors import Conflict, DomainError, NotFound

ERR_CALLBACK_IN_PAST = _("The callback time has already passed. Choose a time ahead.")
ERR_CALLBACK_TOO_FAR = _("A callback can be at most 30 days ahead.")
ERR_CALLBACK_IN_PEAK = _("The callback time falls in peak hours, when no offers are made.")
ERR_CALLBACK_NOT_FOUND = _("No such callback of yours.")
ERR_CALLBACK_CLOSED = _("This callback has already been made.")

ERRORS = {
    callback_times.IN_PAST: ERR_CALLBACK_IN_PAST,
    callback_times.TOO_FAR: ERR_CALLBACK_TOO_FAR,
    callback_times.IN_PEAK_HOURS: ERR_CALLBACK_IN_PEAK,
}


def callback_default_due(*, now: datetime.datetime | None = None) -> datetime.datetime:
    """The time a «thinking» result proposes: two working days later, outside peak hours."""
    local_now = timezone.localtime(now or timezone.now())
    return callback_times.default_due(local_now, catalogue.current().peak_hours)


def callback_check_due(due_at: datetime.datetime, *, now: datetime.datetime) -> None:
    """Raise the domain error of a time that cannot be a callback (naive times are local)."""
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    code = callback_times.check_due(
        timezone.localtime(due_at), now=now, windows=catalogue.current().peak_hours
    )
    if code:
        raise DomainError(ERRORS[code], code=code)


def callback_on_result(
    *, account_id, target_id, offer_id, result, agent, due_at, now, callback_id=None
) -> tuple[bool, Callback | None]:
    """What a result does to the product's callbacks, within its transaction (the account row
    locked), unwritten: whether it makes the open one (any result but «not offered»), and the
    callback a «thinking» opens (its time checked; its pk `callback_id` when drawn beforehand)."""
    if result == ResultCode.NOT_OFFERED:
        return False, None
    if result != ResultCode.THINKING:
        return True, None
    if due_at is None:
        due_at = callback_default_due(now=now)
    callback_check_due(due_at, now=now)
    callback = Callback(
        pk=callback_id,
        account_id=account_id,
        offer_id=offer_id,
        target_id=target_id,
        agent=agent,
        due_at=due_at if timezone.is_aware(due_at) else timezone.make_aware(due_at),
        created_at=now,
    )
    return True, callback


def callbacks_write(batch: Batch, *, account_id, offer_id, result, agent, now, callback) -> None:
    """Make the product's open callback (closed now, with the result), then open `callback`."""
    batch.update(
        Callback,
        "closed_at IS NULL AND account_id = %s AND offer_id = %s",
        [account_id, offer_id],
        closed_at=now,
        closed_by=agent.pk,
        outcome=result,
    )
    if callback is not None:
        batch.insert([callback])


@transaction.atomic
def callback_reschedule(
    *, callback_id: int, agent, due_at: datetime.datetime, now: datetime.datetime | None = None
) -> Callback:
    """Move the agent's own open callback to another time."""
    now = now or timezone.now()
    callback = Callback.objects.select_for_update().filter(pk=callback_id, agent=agent).first()
    if callback is None:
        raise NotFound(ERR_CALLBACK_NOT_FOUND, code="callback_not_found")
    if callback.closed_at is not None:
        raise Conflict(ERR_CALLBACK_CLOSED, code="callback_closed")
    callback_check_due(due_at, now=now)
    callback.due_at = due_at if timezone.is_aware(due_at) else timezone.make_aware(due_at)
    callback.save(update_fields=["due_at"])
    return callback
