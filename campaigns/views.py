"""The agent's workspace pages: find an account, work its recommendations, save the appeal."""

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns import answers, selectors, services
from campaigns.api.accounts import order_url
from campaigns.models import CALLBACK_GRACE, ResultCode
from campaigns.models.accounts import is_account_number, normalise_account_number
from campaigns.orders.selectors import account_orders
from campaigns.services.account_search import account_search as account_search_service
from config.floor import roles
from config.floor.api.errors import status_for
from config.floor.errors import DomainError
from config.floor.idempotency import first_submission
from config.floor.permissions import page_roles
from config.floor.throttles import AccountSearchThrottle, page_throttled
from knowledge_base.selectors import bridge_list, objection_answers, objection_list

PAGE_ROLES = (roles.AGENTS, roles.SUPERVISORS)

MSG_SAVED = _("Result saved on %(count)d campaign(s) of «%(offer)s».")
MSG_ALREADY_SAVED = _("This result was already saved.")
MSG_NO_ACCOUNT = _("No account with number %(number)s.")
MSG_APPEAL_OPENED = _("Appeal opened.")
MSG_APPEAL_SAVED = _("Appeal updated.")
MSG_APPEAL_CLOSED = _("Appeal saved and closed.")
MSG_CALLBACK_AT = _("Call back on %(when)s.")
MSG_CALLBACK_MOVED = _("The callback is moved to %(when)s.")
ERR_CALLBACK_TIME = _("Give the callback time as a date and a time, e.g. 27.11.2026 15:00.")
CALLBACK_INPUT_FORMAT = "%Y-%m-%dT%H:%M"


@page_roles(*PAGE_ROLES)
def account_search(request):
    """A full number opens the account; a long enough prefix lists a few (audited, throttled)."""
    typed = request.GET.get("q", "")
    if not typed.strip():
        return render(request, "campaigns/account_search.html", {"query": "", "matches": []})
    throttled = page_throttled(request, AccountSearchThrottle)
    if throttled:
        return throttled
    outcome = account_search_service(user=request.user, typed=typed)
    if outcome.account is not None:
        return redirect("account-page", number=outcome.account.number)
    if is_account_number(outcome.query):
        messages.error(request, MSG_NO_ACCOUNT % {"number": outcome.query})
    context = {"query": outcome.query, "matches": outcome.matches, "refused": outcome.refused}
    return render(request, "campaigns/account_search.html", context)


def _account_or_404(number):
    number = normalise_account_number(number)
    account = selectors.account_get(number=number) if is_account_number(number) else None
    if account is None:
        raise Http404
    return account


@page_roles(*PAGE_ROLES)
def account_detail(request, number):
    canonical = normalise_account_number(number)
    if canonical != number and is_account_number(canonical):
        return redirect("account-page", number=canonical)
    throttled = page_throttled(request, AccountSearchThrottle) if request.method == "GET" else None
    if throttled:
        return throttled
    account = is_account_number(number) and selectors.account_for_workspace(
        number=number, agent=request.user, with_targets=True
    )
    if not account:
        raise Http404
    can_work = roles.has_role(request.user, roles.AGENTS)
    appeal = None
    if can_work and account.open_appeal_id:
        appeal = selectors.appeal_open_for(account=account, agent=request.user)
    recs = selectors.recommendations_for(account=account, appeal=appeal)
    groups = _groups(recs)
    on_cards = answers.card_answers(
        account=account,
        offers=[group["offer"] for group in groups],
        appeal=appeal,
        on=timezone.localdate(),
    )
    for group in groups:
        group["answers"] = on_cards[group["offer"].pk]
    context = {
        "account": account,
        "appeal": appeal,
        "can_work": can_work,
        "groups": groups,
        "results": ResultCode.choices,
        "max_objections": services.MAX_OBJECTIONS,
        "history": selectors.account_history(account=account),
        "account_orders": account_orders(user=request.user, account=account),
        "callback_default": _local_input(services.callback_default_due()) if can_work else "",
        # Each rendering's forms are new submissions; a re-sent one (Back, a double press) is not.
        "form_nonce": uuid.uuid4().hex,
    }
    return render(request, "campaigns/account_detail.html", context)


def _groups(recs):
    """Recommendations of one product together (R6): one result form per product."""
    groups = {}
    for rec in recs:
        groups.setdefault(rec.offer.pk, []).append(rec)
    return [
        {"offer": members[0].offer, "members": members, "lead": members[0]}
        for members in groups.values()
    ]


def _card_offer(account, offer_id):
    """The offer of one of the account's cards, or None (no card chosen, or not on the account)."""
    cards = {t.campaign.offer_id: t.campaign.offer for t in selectors.targets_of(account.pk)}
    try:
        return cards.get(int(offer_id))
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
@page_roles(*PAGE_ROLES)
def account_bridge(request, number, code):
    """A business bridge read beside the account (its blanks filled from the account); POST, by
    the agent in a call, marks the need heard for the offer it leads to."""
    account = _account_for_panel(request, number)
    bridge = bridge_list().filter(code=code).first()
    if bridge is None:
        raise Http404
    if request.method == "POST":
        if not roles.has_role(request.user, roles.AGENTS):
            raise PermissionDenied
        try:
            need = services.need_heard_mark(account=account, agent=request.user, bridge=bridge)
        except DomainError as error:
            return JsonResponse(
                {"code": error.code, "detail": str(error)}, status=status_for(error)
            )
        return JsonResponse({"offer": need.offer_id, "need_heard": True})
    line = answers.account_line(offer_ids=account.offer_ids)
    on_card = _card_offer(account, bridge.offer_id)
    appeal = None
    if roles.has_role(request.user, roles.AGENTS) and account.open_appeal_id:
        appeal = selectors.appeal_open_for(account=account, agent=request.user)
    context = {
        "account": account,
        "bridge": bridge,
        "phrase": answers.bridge_phrase(
            bridge, answers.facts_for(offer=bridge.offer, line=line, on=timezone.localdate())
        ),
        "on_card": on_card,
        "can_mark": appeal is not None and on_card is not None,
        "marked": on_card is not None and on_card.pk in answers.offers_heard(appeal=appeal),
    }
    return render(request, "campaigns/_kb_bridge.html", context)


@require_GET
@page_roles(*PAGE_ROLES)
def account_objection(request, number, code):
    """An objection's В.З.О.Р. answer beside the account: for the card's offer (`offer`), filled."""
    account = _account_for_panel(request, number)
    objection = next((o for o in objection_list() if o.code == code), None)
    if objection is None:
        raise Http404
    offer = _card_offer(account, request.GET.get("offer"))
    line = answers.account_line(offer_ids=account.offer_ids)
    facts = answers.facts_for(offer=offer, line=line, on=timezone.localdate())
    (answer,) = objection_answers(offer=offer, facts=facts, objections=[objection])
    return render(
        request,
        "campaigns/_kb_objection.html",
        {"account": account, "objection": answer, "offer": offer},
    )


def _account_for_panel(request, number):
    account = is_account_number(number) and selectors.account_for_workspace(
        number=number, agent=request.user
    )
    if not account:
        raise Http404
    return account


@require_POST
@page_roles(roles.AGENTS)
def appeal_start(request, number):
    account = _account_or_404(number)
    if selectors.appeal_open_for(account=account, agent=request.user) is None:
        services.appeal_open(account=account, agent=request.user)
        messages.success(request, MSG_APPEAL_OPENED)
    return redirect("account-page", number=number)


@require_POST
@page_roles(roles.AGENTS)
def appeal_save(request, number):
    account = _account_or_404(number)
    appeal = selectors.appeal_open_for(account=account, agent=request.user)
    if appeal is None:
        raise Http404
    flags = {name: name in request.POST for name in services.APPEAL_FLAGS}
    services.appeal_update(appeal=appeal, **flags)
    if request.POST.get("close"):
        services.appeal_close(appeal=appeal)
        messages.success(request, MSG_APPEAL_CLOSED)
    else:
        messages.success(request, MSG_APPEAL_SAVED)
    return redirect("account-page", number=number)


@require_POST
@page_roles(roles.AGENTS)
def record_result(request, number, target_id):
    account = _account_or_404(number)
    back = reverse("account-page", kwargs={"number": number}) + f"#rec-{target_id}"
    try:
        with transaction.atomic():
            if not first_submission(
                user=request.user,
                key=request.POST.get("idempotency_key", ""),
                scope=request.path,
            ):
                messages.info(request, MSG_ALREADY_SAVED)
                return redirect(back)
            result = request.POST.get("result", "")
            entries = services.recommendation_record_result(
                account=account,
                target_id=target_id,
                result=result,
                agent=request.user,
                objection_codes=request.POST.getlist("objections"),
                comment=request.POST.get("comment", "")[:2000],
                callback_at=_callback_at(request.POST) if result == ResultCode.THINKING else None,
            )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(back)
    offer = entries[0].campaign.offer
    messages.success(request, MSG_SAVED % {"count": len(entries), "offer": offer.name})
    if entries[0].callback is not None:
        messages.info(request, MSG_CALLBACK_AT % {"when": _local_text(entries[0].callback.due_at)})
    if request.POST.get("result") == ResultCode.AGREED:
        url = order_url(account, entries[0].campaign.code, entries[0].appeal_id)
        if url:
            return redirect(url)
    return redirect(back)


def _local_input(moment) -> str:
    """A moment as a datetime-local input's value, in local time."""
    return timezone.localtime(moment).strftime(CALLBACK_INPUT_FORMAT)


def _local_text(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _callback_at(data, name="callback_at"):
    """The datetime-local value a form posted (local time), None when empty."""
    raw = (data.get(name) or "").strip()
    if not raw:
        return None
    try:
        return datetime.datetime.strptime(raw[:16], CALLBACK_INPUT_FORMAT)
    except ValueError:
        raise DomainError(ERR_CALLBACK_TIME, code="invalid_callback_time") from None


@page_roles(roles.AGENTS)
def callback_list(request):
    """«Мои перезвоны»: the agent's open callbacks, overdue, today and later."""
    board = selectors.callback_board(agent=request.user)
    sections = [
        ("overdue", pgettext_lazy("callbacks", "Overdue"), board["overdue"]),
        ("today", _("Today"), board["today"]),
        ("later", _("Later"), board["later"]),
    ]
    grace_minutes = int(CALLBACK_GRACE.total_seconds()) // 60
    return render(
        request, "campaigns/callbacks.html", {"sections": sections, "grace_minutes": grace_minutes}
    )


@require_POST
@page_roles(roles.AGENTS)
def callback_reschedule(request, callback_id):
    try:
        due_at = _callback_at(request.POST, "due_at")
        if due_at is None:
            raise DomainError(ERR_CALLBACK_TIME, code="invalid_callback_time")
        callback = services.callback_reschedule(
            callback_id=callback_id, agent=request.user, due_at=due_at
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, MSG_CALLBACK_MOVED % {"when": _local_text(callback.due_at)})
    return redirect(reverse("callbacks") + f"#callback-{callback_id}")
