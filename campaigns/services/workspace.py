"""Writes of the agent's workspace: appeals, results of recommendations, account state from the CRM."""

from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns import catalogue, eligibility
from campaigns.learning import assignment
from campaigns.models import (
    Appeal,
    AppealNeed,
    AppealTheme,
    CampaignTarget,
    ContactHistoryEntry,
    ResultCode,
    SubscriberAccount,
)
from campaigns.models.accounts import ERR_NO_ACCOUNT
from campaigns.recommendations import situation_for, targets_of
from campaigns.selectors import department_of
from campaigns.services import results
from campaigns.services.callbacks import callback_on_result
from campaigns.services.result_context import result_context, state_of
from campaigns.services.result_writes import ResultWrites
from config.floor import roles
from config.floor.errors import Conflict, DomainError, NotFound
from config.floor.idempotency import service_atomic
from knowledge_base.models import ObjectionType
from offers.models import Offer, Service

MAX_OBJECTIONS = 2

ERR_INVALID_RESULT = _("Unknown result. Use one of: not_offered, not_interested, thinking, agreed.")
ERR_TOO_MANY_OBJECTIONS = _("At most two objections may be worked in one upsell.")
ERR_OBJECTION_UNKNOWN = _("Unknown objection: %(codes)s.")
ERR_NOT_ON_ACCOUNT = _("This recommendation is not on the account.")
ERR_NOT_ELIGIBLE = _("The offer may not be made now: %(reasons)s.")
ERR_INVALID_APPEAL = _("The appeal is not an open appeal of yours on this account.")
ERR_UNKNOWN_SERVICE = _("Unknown service: %(codes)s.")
ERR_UNKNOWN_OFFER = _("Unknown offer: %(codes)s.")
ERR_APPEAL_CLOSED = _("The appeal is closed.")
ERR_NO_OPEN_APPEAL = _("Start the appeal first: a need is heard within a call.")
ERR_BRIDGE_NOT_ON_ACCOUNT = _("This business bridge leads to no offer on the account's cards.")


def _objections(codes: list[str], result: str) -> list[ObjectionType]:
    codes = list(dict.fromkeys(codes or []))
    if codes and result == ResultCode.NOT_OFFERED:
        raise DomainError(results.ERR_OBJECTIONS_NOT_OFFERED, code="objections_not_offered")
    if len(codes) > MAX_OBJECTIONS:
        raise DomainError(ERR_TOO_MANY_OBJECTIONS, code="too_many_objections")
    if not codes:
        return []  # most saves work no objection: no queryset to build (it would query nothing)
    found = list(ObjectionType.objects.filter(code__in=codes, is_active=True))
    missing = sorted(set(codes) - {o.code for o in found})
    if missing:
        raise DomainError(
            ERR_OBJECTION_UNKNOWN, code="unknown_objection", params={"codes": ", ".join(missing)}
        )
    return found


def _check_objections_per_appeal(appeal, offer_id, objections) -> None:
    """R4: at most two objections in one upsell, counted over every save of the appeal (the same
    objection worked twice counts once)."""
    if appeal is None or not objections:
        return
    worked = results.objections_in_appeal(appeal_id=appeal.pk, offer_id=offer_id)
    if len(worked | {o.code for o in objections}) > MAX_OBJECTIONS:
        raise DomainError(ERR_TOO_MANY_OBJECTIONS, code="too_many_objections")


def history_comment(*, result: str, offer: Offer, department) -> str:
    """«Клиент думает, Антивирус, Подразделение - ЦОО»: always in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        if department is None:
            return gettext("%(result)s, %(offer)s") % {
                "result": ResultCode(result).label,
                "offer": offer.name,
            }
        return gettext("%(result)s, %(offer)s, Department - %(department)s") % {
            "result": ResultCode(result).label,
            "offer": offer.name,
            "department": department.name,
        }


def recommendation_record_result(
    *,
    account: SubscriberAccount | None = None,
    number: str | None = None,
    target_id: int,
    result: str,
    agent,
    objection_codes: list[str] | None = None,
    comment: str = "",
    appeal_id: int | None = None,
    callback_at=None,
    need_heard: bool | None = None,
    now=None,
) -> list[ContactHistoryEntry]:
    """Save a result on a recommendation and on every campaign of the same product (R5, R6).

    The product's state follows `results.TRANSITIONS`; the offer must be allowed now (R1: within
    the agent's open appeal, its question resolved; R2, R9, the cooldown — which an agreement
    supersedes). One transaction; the account row is locked so that two agents saving on one
    account land one after the other. Returns the history entries written, the chosen
    recommendation's first; each carries the product's `state` after the save, the first
    its `callback` (the callback a «thinking» result opened at `callback_at` or the default, or None).
    Each entry records what the learning reads: the script version its account sees, whether the
    need was heard (`need_heard`, else the appeal's flag) and the account's services.
    The account is given, or its `number` (NotFound when there is no such account: the API
    looks it up no sooner than it locks it).
    """
    if result not in ResultCode.values:
        raise DomainError(ERR_INVALID_RESULT, code="invalid_result")
    objections = _objections(objection_codes or [], result)
    with service_atomic():
        number = account.number if account is not None else number
        context = result_context(
            number=number,
            agent=agent,
            appeal_id=appeal_id,
            now=now,
            target_id=target_id,
            with_callback=result == ResultCode.THINKING,
        )
        if context is None:
            raise NotFound(ERR_NO_ACCOUNT, code="account_not_found")
        # Taken under the lock, so the history's order is the order the saves landed in.
        now = context.now
        account = context.account
        target = context.target(target_id)
        if target is None:
            raise DomainError(ERR_NOT_ON_ACCOUNT, code="not_on_account")
        appeal = context.appeal
        if appeal_id is not None and appeal is None:
            raise DomainError(ERR_INVALID_APPEAL, code="invalid_appeal")
        offer_id = target.campaign.offer_id
        outcome = _transition_from(*state_of(context, offer_id), result, appeal)
        if result != ResultCode.NOT_OFFERED:
            _check_moment(account, target, result, appeal, agent, now)
        _check_objections_per_appeal(appeal, offer_id, objections)
        siblings = context.siblings(target)
        learned = _learning_context(
            account, appeal, need_heard, offer_id, marked=offer_id in context.needs
        )
        entries = _history_entries(
            siblings, result, comment, agent, appeal, now, learned, context.department
        )
        if len(context.history_ids) >= len(entries):
            for entry, pk in zip(entries, context.history_ids, strict=False):
                entry.pk = pk
        # Every write of the save in one round trip (campaigns.services.result_writes): they read
        # nothing of each other's, and every check above has passed. With their ids drawn by the
        # read, they may go with the next round trip (an idempotency key's answer and the COMMIT).
        writes = ResultWrites(
            entries=entries,
            shared=HISTORY_SHARED,
            now=now,
            result=result,
            agent=agent,
            account_id=account.pk,
            offer_id=offer_id,
        )
        state = outcome.state
        answered = context.answered
        if outcome.step == results.SET:
            writes.set_state([t.id for t in siblings], appeal.pk if appeal else None)
            state = result
            if appeal is not None:
                answered = {**answered, offer_id: result}
        if appeal is not None and _pull_into_appeal(appeal, answered=answered.values()):
            writes.appeal = appeal
        writes.closes, callback = callback_on_result(
            account_id=account.pk,
            target_id=target.id,
            offer_id=offer_id,
            result=result,
            agent=agent,
            due_at=callback_at,
            now=now,
            callback_id=context.callback_id,
        )
        writes.callback = callback
        writes.send()
        _history_written(entries, siblings, objections)
        for entry in entries:
            entry.state = state
        entries[0].callback = callback
        return entries


def agreement_for_order(*, account, offer, appeal, agent, comment: str = "", now) -> bool:
    """R5, R7: the agreement an order stands on. Recorded with the order, in its transaction, when
    the call holds none for the product yet: the product's state, and a history entry on each of
    its campaigns on the account. Returns whether one was recorded.

    The caller has locked the account and checked the order may be made (no open order of the
    product, eligibility): so the table can only say «set» here."""
    state, row = results.state_of(account_id=account.pk, offer_id=offer.pk)
    if state == ResultCode.AGREED and row is not None and row.appeal_id == appeal.pk:
        return False
    same_call = row is not None and row.appeal_id == appeal.pk
    step, code = results.step(state, ResultCode.AGREED, same_call=same_call)
    if step == results.REFUSE:
        raise Conflict(results.REFUSALS[code], code=code)
    targets = sorted(
        (t for t in targets_of(account.pk, with_history=False) if t.campaign.offer_id == offer.pk),
        key=lambda t: (-t.campaign.priority, t.campaign.code),
    )
    if targets:
        held = SimpleNamespace(
            number=account.number, service_ids=list(account.services.values_list("pk", flat=True))
        )
        learned = _learning_context(held, appeal, None, offer.pk)
        _write_history(targets, ResultCode.AGREED, [], comment, agent, appeal, now, learned)
        CampaignTarget.objects.filter(pk__in=[t.id for t in targets]).update(
            result=ResultCode.AGREED, result_at=now
        )
    results.offer_result_write(
        account_id=account.pk,
        offer_id=offer.pk,
        result=ResultCode.AGREED,
        appeal_id=appeal.pk,
        now=now,
    )
    return True


@dataclass
class _Outcome:
    step: str
    state: str


def _transition_from(state, row_appeal_id, result, appeal) -> _Outcome:
    """The table's step from the product's state; «same call» when its row was set in `appeal`."""
    same_call = appeal is not None and row_appeal_id == appeal.pk
    step, code = results.step(state, result, same_call=same_call)
    if step == results.REFUSE:
        raise Conflict(results.REFUSALS[code], code=code)
    return _Outcome(step=step, state=ResultCode.AGREED if state == results.ORDERED else state)


def _check_moment(account, target, result, appeal, agent, now) -> None:
    """R1, R2, R9 and the cooldown at the moment of the save. The CRM integration records results
    of its own calls (the appeal is the CRM's); an agent records them within an open appeal."""
    if appeal is None and not roles.has_role(agent, roles.CRM):
        reasons = [eligibility.Reason.NO_APPEAL.value]
    else:
        verdict = eligibility.judge(target, situation_for(account=account, appeal=appeal, now=now))
        reasons = results.blocking_reasons(verdict.reasons, result)
    if reasons:
        labels = ", ".join(str(eligibility.Reason(r).label) for r in reasons)
        raise Conflict(
            ERR_NOT_ELIGIBLE,
            code="not_eligible",
            params={"reasons": labels},
            extra={"reasons": reasons},
        )


def _learning_context(account, appeal, need_heard, offer_id, *, marked=None) -> dict:
    """What the learning records with a result: the need heard is the result's own answer, else
    the call's flag, else a business bridge opened for the product in the call (AppealNeed;
    `marked` when the caller has read it)."""
    if need_heard is None:
        if marked is None and appeal:
            marked = AppealNeed.objects.filter(appeal=appeal, offer_id=offer_id).exists()
        need_heard = bool(appeal) and (appeal.need_heard or marked)
    return {
        "number": account.number,
        "need_heard": need_heard,
        "segment_key": assignment.segment_key(
            account.service_ids, catalogue.current().service_codes
        ),
    }


def _write_history(targets, result, objections, comment, agent, appeal, now, learned):
    entries = _history_entries(
        targets, result, comment, agent, appeal, now, learned, department_of(agent=agent)
    )
    ContactHistoryEntry.objects.bulk_create(entries)
    _history_written(entries, targets, objections)
    return entries


# The fields of a save's history entries that are the same on each of them (_history_entries):
# prepared for the INSERT once per save, not once per entry.
HISTORY_SHARED = frozenset(
    {
        "action",
        "result",
        "comment",
        "agent_comment",
        "agent",
        "department",
        "appeal",
        "created_at",
        "need_heard",
        "segment_key",
    }
)


def _history_entries(targets, result, comment, agent, appeal, now, learned, department):
    """One entry per campaign of the product, unsaved."""
    offer = targets[0].campaign.offer
    system_comment = history_comment(result=result, offer=offer, department=department)
    return [
        ContactHistoryEntry(
            target_id=target.id,
            result=result,
            comment=system_comment,
            agent_comment=comment,
            agent=agent,
            department=department,
            appeal=appeal,
            created_at=now,
            script_version=assignment.version_for(target.campaign, learned["number"]),
            need_heard=learned["need_heard"],
            segment_key=learned["segment_key"],
        )
        for target in targets
    ]


def _history_written(entries, targets, objections) -> None:
    """After the entries' INSERT: the signal, their objections, what the caller's answer reads."""
    # A bulk insert sends no post_save: those who follow the results (the agent's stored month in
    # rewards) hear of the save once, all its entries being the same agent's at the same moment.
    post_save.send(sender=ContactHistoryEntry, instance=entries[0], created=True, raw=False)
    for entry, target in zip(entries, targets, strict=True):
        # For the caller's answer: what it would otherwise read back from the database.
        entry.campaign = target.campaign
        entry.objection_codes = [objection.code for objection in objections]
    if objections:
        through = ContactHistoryEntry.objections.through
        through.objects.bulk_create(
            [
                through(contacthistoryentry_id=entry.pk, objectiontype_id=objection.pk)
                for entry in entries
                for objection in objections
            ]
        )


# The appeal's theme only rises: a sale (an order registered in the call, R8) is never overwritten
# by a later result; an upsell result never by a plain service request.
THEME_RANK = {AppealTheme.SERVICE: 0, AppealTheme.UPSELL: 1, AppealTheme.SALES: 2}
# The call's upsell result is the strongest state among the products answered in it.
RESULT_RANK = {
    ResultCode.NOT_OFFERED: 0,
    ResultCode.NOT_INTERESTED: 1,
    ResultCode.THINKING: 2,
    ResultCode.AGREED: 3,
}


def _pull_into_appeal(appeal: Appeal, *, answered) -> bool:
    """R5: a saved result lands in the context of the current appeal, under its theme's precedence.
    `answered`: the products' results set in the appeal, this save's included. Sets the appeal's
    theme, detail, result and `updated_at` (for the caller to write); False when the theme stays."""
    if THEME_RANK[appeal.theme] > THEME_RANK[AppealTheme.UPSELL]:
        return False
    best = max(answered, key=RESULT_RANK.__getitem__, default=ResultCode.NOT_OFFERED)
    with translation.override(settings.LANGUAGE_CODE):
        appeal.theme = AppealTheme.UPSELL
        appeal.detail = gettext("Marketing campaign")
        appeal.result = str(ResultCode(best).label)
    appeal.updated_at = timezone.now()
    return True


APPEAL_FLAGS = (
    "question_resolved",
    "negative_customer",
    "complaint",
    "not_service_user",
    "need_heard",
)


@transaction.atomic
def appeal_open(*, account: SubscriberAccount, agent, **flags) -> Appeal:
    appeal = Appeal(account=account, agent=agent, department=department_of(agent=agent))
    for name in APPEAL_FLAGS:
        if name in flags:
            setattr(appeal, name, bool(flags[name]))
    appeal.full_clean()
    appeal.save()
    return appeal


@transaction.atomic
def appeal_update(*, appeal: Appeal, **flags) -> Appeal:
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.closed_at is not None:
        raise Conflict(ERR_APPEAL_CLOSED, code="appeal_closed")
    changed = [name for name in APPEAL_FLAGS if name in flags]
    for name in changed:
        setattr(appeal, name, bool(flags[name]))
    appeal.save(update_fields=[*changed, "updated_at"])
    return appeal


@transaction.atomic
def need_heard_mark(*, account: SubscriberAccount, agent, bridge, now=None) -> AppealNeed:
    """A business bridge opened in the call marks the need heard for the offer it leads to, as
    the agent's own mark does for the call, but for that product only (the learning reads it
    with the product's results). Needs the agent's open appeal and a card of the bridge's offer
    on the account; marking twice keeps the first."""
    appeal = Appeal.objects.open().filter(account=account, agent=agent).order_by("-started_at")
    appeal = appeal.select_for_update().first()
    if appeal is None:
        raise Conflict(ERR_NO_OPEN_APPEAL, code="no_appeal")
    offer_ids = {t.campaign.offer_id for t in targets_of(account.pk, with_history=False)}
    if bridge.offer_id is None or bridge.offer_id not in offer_ids:
        raise Conflict(ERR_BRIDGE_NOT_ON_ACCOUNT, code="bridge_not_on_account")
    need, _created = AppealNeed.objects.get_or_create(
        appeal=appeal,
        offer_id=bridge.offer_id,
        defaults={"bridge": bridge, "marked_at": now or timezone.now()},
    )
    return need


@transaction.atomic
def appeal_close(*, appeal: Appeal, now=None) -> Appeal:
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.closed_at is None:
        appeal.closed_at = now or timezone.now()
        appeal.save(update_fields=["closed_at", "updated_at"])
    return appeal


ACCOUNT_FIELDS = (
    "surname",
    "first_name",
    "patronymic",
    "payment_model",
    "balance",
    "financial_block",
    "contact_phone",
    "email",
    "region",
)


@transaction.atomic
def account_upsert(
    *,
    number: str,
    data: dict,
    service_codes: list[str] | None = None,
    offer_codes: list[str] | None = None,
    now=None,
) -> tuple[SubscriberAccount, bool]:
    """Create or update an account with the state the CRM reports; eligibility reads it next."""
    services = _by_codes(Service, service_codes, ERR_UNKNOWN_SERVICE, "unknown_service")
    offers = _by_codes(Offer, offer_codes, ERR_UNKNOWN_OFFER, "unknown_offer")
    account = SubscriberAccount.objects.select_for_update().filter(number=number).first()
    created = account is None
    if created:
        account = SubscriberAccount(number=number)
    for name in ACCOUNT_FIELDS:
        if name in data:
            setattr(account, name, data[name])
    # Regions are compared folded (config.floor.db); the spacing typed around them goes on save.
    account.region = " ".join((account.region or "").split())
    account.crm_updated_at = now or timezone.now()
    account.full_clean()
    account.save()
    if services is not None:
        account.services.set(services)
    if offers is not None:
        account.offers.set(offers)
    return account, created


def _by_codes(model, codes, message, code):
    if codes is None:
        return None
    codes = list(dict.fromkeys(codes))
    found = list(model.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {obj.code for obj in found})
    if missing:
        raise DomainError(message, code=code, params={"codes": ", ".join(missing)})
    return found
