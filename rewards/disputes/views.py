"""Dispute pages: `/disputes/` (the agent's own; the supervisor's teams' with accept and reject;
every one for managers) and `/disputes/new/` (an agent flags a statement line or a missing order).
The agent also sees the outcomes on `/me/`."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from campaigns.models import ConnectionOrder
from config.floor import roles
from config.floor.errors import DomainError
from config.floor.idempotency import once_per_form
from config.floor.ids import parse_id
from config.floor.permissions import page_roles
from offers.models import Offer
from rewards import calendar
from rewards.disputes import selectors, services
from rewards.models import DisputeKind, DisputeStatus

PAGE_SIZE = 50
READ_ROLES = (roles.AGENTS, roles.SUPERVISORS, roles.MANAGERS)
DECIDE_ROLES = (roles.SUPERVISORS, roles.MANAGERS)
MSG_FLAGGED = _("Your dispute is with the supervisor; the decision will show on «My progress».")
MSG_ACCEPTED = _("Accepted: %(amount)s ₽ booked in %(month)s.")
MSG_REJECTED = _("Rejected; the agent will see your reason.")
MSG_WITHDRAWN = _("Dispute withdrawn.")
MSG_ALREADY = _("This form was already sent.")


@page_roles(*READ_ROLES)
def dispute_list(request):
    can_decide = roles.has_role(request.user, *DECIDE_ROLES)
    status = request.GET.get("status") or (DisputeStatus.OPEN if can_decide else "all")
    disputes = selectors.disputes_visible_to(request.user)
    if status in DisputeStatus.values:
        disputes = disputes.filter(status=status)
    page = Paginator(disputes, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": DisputeStatus.choices,
        "open_count": selectors.open_count(request.user),
        "can_decide": can_decide,
        "is_agent": roles.has_role(request.user, roles.AGENTS),
    }
    return render(request, "rewards/disputes/list.html", context)


def _line(request, month):
    """The order and item a line dispute is about, from the query or the form (None: missing)."""
    order_id, offer_id = request.GET.get("order", ""), request.GET.get("offer", "")
    if not order_id:
        return None, None
    order_pk, offer_pk = parse_id(order_id), parse_id(offer_id)
    if order_pk is None or (offer_id and offer_pk is None):
        raise Http404
    order = selectors.statement_orders(agent_id=request.user.pk, month=month)
    order = order.filter(pk=order_pk).select_related("product", "tariff").first()
    if order is None:
        raise Http404
    offer = Offer.objects.filter(pk=offer_pk).first() if offer_id else order.sold
    if offer is None:
        raise Http404
    return order, offer


@page_roles(roles.AGENTS)
def dispute_new(request):
    try:
        month = services.month_of(request.GET.get("month"))
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("disputes:list")
    order, offer = _line(request, month)
    if request.method == "POST":
        done = _flag(request, month, order, offer)
        if done:
            return redirect(f"{reverse('me')}?{urlencode({'month': calendar.month_key(month)})}")
    context = {
        "month": month,
        "month_key": calendar.month_key(month),
        "order": order,
        "offer": offer,
        "form": request.POST,
    }
    return render(request, "rewards/disputes/new.html", context)


def _flag(request, month, order: ConnectionOrder | None, offer) -> bool:
    def flag():
        dispute = services.dispute_flag(
            agent=request.user,
            month=month,
            kind=DisputeKind.LINE if order else DisputeKind.MISSING_ORDER,
            comment=request.POST.get("comment", "")[:2000],
            order_id=order.pk if order else None,
            offer_id=offer.pk if (order and offer) else None,
            reference=request.POST.get("reference", "")[:200],
        )
        return dispute.pk

    try:
        _pk, first = once_per_form(
            user=request.user,
            key=request.POST.get("form_key", ""),
            scope=request.path,
            handler=flag,
        )
    except DomainError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, MSG_FLAGGED if first else MSG_ALREADY)
    return True


def _decided(request, pk, step) -> None:
    dispute_id = parse_id(pk)
    if dispute_id is None or not selectors.disputes_visible_to(request.user).filter(pk=dispute_id):
        raise Http404
    try:
        step()
    except DomainError as error:
        messages.error(request, str(error))


@require_POST
@page_roles(*DECIDE_ROLES)
def dispute_decide(request, pk):
    def step():
        if request.POST.get("decision") == "accept":
            dispute = services.dispute_accept(
                dispute_id=pk,
                user=request.user,
                amount=request.POST.get("amount", ""),
                reason=request.POST.get("reason", ""),
            )
            messages.success(
                request,
                MSG_ACCEPTED
                % {
                    "amount": f"{dispute.amount:.2f}",
                    "month": calendar.month_key(dispute.adjustment_month),
                },
            )
        else:
            services.dispute_reject(
                dispute_id=pk, user=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, MSG_REJECTED)

    _decided(request, pk, step)
    return redirect(f"{reverse('disputes:list')}#dispute-{pk}")


@require_POST
@page_roles(roles.AGENTS)
def dispute_withdraw(request, pk):
    def step():
        services.dispute_withdraw(dispute_id=pk, user=request.user)
        messages.success(request, MSG_WITHDRAWN)

    _decided(request, pk, step)
    return redirect("disputes:list")
