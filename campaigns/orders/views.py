"""The order pages: register an order (R7, R8), the agent's and the supervisor's lists, the order.

Personal data is masked on every page; the order page's «Show personal data» button posts a reason
and renders the values once (audited), they are never stored in the session or the URL.
"""

import csv
import datetime
import hashlib
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from campaigns import personal_data
from campaigns.models.accounts import is_account_number, normalise_account_number
from campaigns.orders import selectors, services
from campaigns.orders.filters import ConnectionOrderFilter
from campaigns.orders.models import (
    OrderKind,
    OrderStatus,
    RevealChannel,
    order_kind_of,
    order_label,
)
from campaigns.selectors import account_get
from config.floor import roles
from config.floor.errors import DomainError, Forbidden
from config.floor.idempotency import once_per_form
from config.floor.ids import parse_id
from config.floor.permissions import page_roles
from config.floor.spreadsheets import neutralised_row

PAGE_SIZE = 50
LIST_ROLES = (roles.AGENTS, roles.SUPERVISORS)

MSG_REGISTERED = _("Order %(order)s registered and queued for the fulfilment system.")
MSG_ALREADY = _("This order was already registered.")
MSG_CANCELLED = _("Order cancelled.")
MSG_FIX_ERRORS = _("Please correct the errors below.")
MSG_HELD = _(
    "This product already has an order on the account (no. %(id)s, %(status)s): a second one "
    "cannot be registered."
)
MSG_NO_ACCOUNT = _("Open the order from a customer's account (no account given).")
MSG_STATUS_NOW = _("Order %(order)s: %(status)s")
ERR_STATUS_IDS = _("Name at most %(max)d orders by their numbers (id=1&id=2).")
MAX_WATCHED = 100

STATUS_BADGES = {
    OrderStatus.REGISTERED: "",
    OrderStatus.SENT: "warn",
    OrderStatus.CONNECTED: "ok",
    OrderStatus.CANCELLED: "bad",
}


CONNECTION, ACTIVATION, DELIVERY = OrderKind.CONNECTION, OrderKind.ACTIVATION, OrderKind.DELIVERY
ALL_KINDS = (CONNECTION, ACTIVATION, DELIVERY)


class OrderForm(forms.Form):
    """The ДК form: parses what the agent typed; the rules are the service's (shared with the API).

    Its blocks follow the kind of what is sold (R8): `blocks()` names the kinds each applies to,
    and the page shows only those of the chosen product's kind."""

    account = forms.CharField(widget=forms.HiddenInput)
    campaign = forms.CharField(widget=forms.HiddenInput, required=False)
    appeal = forms.IntegerField(widget=forms.HiddenInput, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)
    product = forms.ChoiceField(label=_("Product agreed"), required=False)
    extras = forms.MultipleChoiceField(
        label=_("Additional services"), required=False, widget=forms.CheckboxSelectMultiple
    )
    full_name = forms.CharField(label=_("Full name"), max_length=255, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=40, required=False, help_text=_("+7 …")
    )
    use_account_phone = forms.BooleanField(label=_("Use the phone on the account"), required=False)
    connection_address = forms.CharField(
        label=_("Connection address"), max_length=500, required=False
    )
    registration_address = forms.CharField(
        label=_("Registration address"), max_length=500, required=False
    )
    passport_series = forms.CharField(label=_("Passport series"), max_length=10, required=False)
    passport_number = forms.CharField(label=_("Passport number"), max_length=10, required=False)
    passport_issued_on = forms.DateField(
        label=_("Issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    passport_issued_by = forms.CharField(label=_("Issued by"), max_length=255, required=False)
    technology = forms.ChoiceField(label=_("Connection technology"), required=False)
    tariff = forms.ChoiceField(label=_("Tariff plan"), required=False)
    equipment = forms.MultipleChoiceField(
        label=_("Equipment"), required=False, widget=forms.CheckboxSelectMultiple
    )
    slot = forms.ChoiceField(label=_("Installer visit"), required=False)
    delivery_address = forms.CharField(label=_("Delivery address"), max_length=500, required=False)
    delivery_from = forms.ChoiceField(label=_("Delivery window"), required=False)
    sales_channel = forms.ChoiceField(label=_("Sales channel"), required=False)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea({"rows": 2})
    )

    BLOCKS = [
        ("sold", _("What is sold"), ["product", "extras"], ALL_KINDS),
        (
            "client",
            _("Client data"),
            ["full_name", "contact_phone", "use_account_phone"],
            ALL_KINDS,
        ),
        (
            "contract",
            _("Addresses and passport"),
            [
                "connection_address",
                "registration_address",
                "passport_series",
                "passport_number",
                "passport_issued_on",
                "passport_issued_by",
            ],
            (CONNECTION,),
        ),
        ("technology", _("Technology"), ["technology"], (CONNECTION,)),
        ("tariff", _("Tariff plan and equipment"), ["tariff", "equipment"], (CONNECTION,)),
        ("visit", _("Installer visit"), ["slot"], (CONNECTION,)),
        ("delivery", _("Delivery"), ["delivery_address", "delivery_from"], (DELIVERY,)),
        ("channel", _("Sales channel"), ["sales_channel"], ALL_KINDS),
        ("comment", _("Comment"), ["comment"], ALL_KINDS),
    ]
    # Errors the service reports under a field this form names differently.
    FIELD_OF_ERROR = {"service": "product"}

    def __init__(self, *args, choices, account_phone="", **kwargs):
        super().__init__(*args, **kwargs)
        for name, options in choices.items():
            self.fields[name].choices = options
        if account_phone:
            self.fields["use_account_phone"].help_text = personal_data.mask_phone(account_phone)
        else:
            del self.fields["use_account_phone"]
        for field in self.fields.values():
            field.widget.attrs.setdefault("autocomplete", "off")

    def blocks(self, kind):
        """(code, title, bound fields, kinds, applies) of each block, for the chosen kind."""
        return [
            (code, title, [self[n] for n in names if n in self.fields], kinds, kind in kinds)
            for code, title, names, kinds in self.BLOCKS
        ]

    def error_field(self, name):
        name = self.FIELD_OF_ERROR.get(name, name)
        if name == "connection_address" and self.kind == DELIVERY:
            return "delivery_address"
        return name if name in self.fields else None

    @property
    def kind(self):
        return self.initial.get("_kind")

    def order_input(self, account, kind) -> services.OrderInput:
        data = self.cleaned_data
        phone = data["contact_phone"]
        if data.get("use_account_phone") and account.contact_phone:
            phone = account.contact_phone
        address = data["delivery_address"] if kind == DELIVERY else data["connection_address"]
        return services.OrderInput(
            product=data["product"],
            full_name=data["full_name"],
            contact_phone=phone,
            connection_address=address,
            registration_address=data["registration_address"],
            passport_series=data["passport_series"],
            passport_number=data["passport_number"],
            passport_issued_on=data["passport_issued_on"],
            passport_issued_by=data["passport_issued_by"],
            technology=data["technology"],
            sales_channel=data["sales_channel"],
            tariff=data["tariff"],
            equipment=data["equipment"],
            extras=data["extras"],
            slot=int(data["slot"]) if data["slot"] else None,
            delivery_from=_parse_window(data["delivery_from"]),
            comment=data["comment"],
        )


def _parse_window(value):
    try:
        return datetime.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _choices(account, products):
    technologies = list(selectors.technologies())
    fitting = {o.pk: o for t in technologies for o in t.offers.all()}.values()
    slots = selectors.open_slots(region=account.region)
    windows = services.delivery_windows(today=timezone.localdate())
    return {
        "product": [("", "—")]
        + [(o.code, f"{o.name} · {o.monthly_price} ₽ · {o.get_kind_display()}") for o in products],
        "technology": [("", "—")] + [(t.code, t.name) for t in technologies],
        "sales_channel": [(c.code, c.name) for c in selectors.sales_channels()],
        "tariff": [("", "—")]
        + [(o.code, f"{o.name} · {o.monthly_price} ₽") for o in fitting if o.kind != "equipment"],
        "equipment": [(o.code, o.name) for o in fitting if o.kind == "equipment"],
        "extras": [(o.code, f"{o.name} · {o.monthly_price} ₽") for o in selectors.extras()],
        "slot": [("", "—")]
        + [(str(s.pk), f"{s} · {s.capacity - s.booked}/{s.capacity}") for s in slots],
        "delivery_from": [("", "—")]
        + [(start.isoformat(), _window_label(start, end)) for start, end in windows],
    }, technologies


def _window_label(start, end):
    start, end = timezone.localtime(start), timezone.localtime(end)
    return f"{start:%d.%m.%Y %H:%M}–{end:%H:%M}"


def _initial(request, account, technologies, products):
    campaign = selectors.campaign_by_code(request.GET.get("campaign", ""))
    appeal = request.GET.get("appeal", "")
    product = campaign.offer if campaign else None
    if product is None:
        code = request.GET.get("product", "")
        product = next((o for o in products if o.code == code), None)
    initial = {
        "account": account.number,
        "campaign": campaign.code if campaign else "",
        "appeal": parse_id(appeal),
        "idempotency_key": uuid.uuid4().hex,
        "product": product.code if product else "",
        "full_name": " ".join(
            p for p in (account.surname, account.first_name, account.patronymic) if p
        ),
        "use_account_phone": bool(account.contact_phone),
    }
    service = product.service.code if product else ""
    carrying = [t for t in technologies if service in {s.code for s in t.services.all()}]
    if carrying:
        initial["technology"] = carrying[0].code
    if product is not None and product.kind in services.PLAN_KINDS:
        initial["tariff"] = product.code
    if product is not None:
        initial["comment"] = selectors.agreed_comment(
            account=account, product=product, appeal_id=initial["appeal"]
        )
    channels = selectors.sales_channels()
    default = next((c for c in channels if c.is_default), None)
    if default:
        initial["sales_channel"] = default.code
    return initial, campaign


def _account_from(value):
    value = normalise_account_number(value)
    account = account_get(number=value) if value and is_account_number(value) else None
    if account is None:
        raise Http404(MSG_NO_ACCOUNT)
    return account


def _kind_of(code, products):
    product = next((o for o in products if o.code == code), None)
    return order_kind_of(product) if product else None


@page_roles(roles.AGENTS)
def order_new(request):
    source = request.POST if request.method == "POST" else request.GET
    account = _account_from(source.get("account", ""))
    products = selectors.account_products(account=account)
    choices, technologies = _choices(account, products)
    initial, campaign = _initial(request, account, technologies, products)
    form = OrderForm(
        request.POST or None, initial=initial, choices=choices, account_phone=account.contact_phone
    )
    kind = _kind_of(source.get("product") or initial["product"], products)
    form.initial["_kind"] = kind
    if request.method == "GET":
        _warn_if_held(request, account, initial["product"])
    if request.method == "POST" and form.is_valid():
        campaign = selectors.campaign_by_code(form.cleaned_data["campaign"])
        order_id = _register(request, form, account, kind)
        if order_id:
            return redirect("orders:detail", pk=order_id)
        messages.error(request, MSG_FIX_ERRORS)
    context = {
        "form": form,
        "kind": kind,
        "blocks": form.blocks(kind),
        "account": account,
        "campaign": campaign,
        "form_map": _form_map(technologies, products),
    }
    return render(request, "orders/order_form.html", context)


def _warn_if_held(request, account, product_code) -> None:
    """No duplicate sale: the form opened (again: Back after registering) for a product the
    account already has an open or connected order of says so; registering is refused then."""
    held = selectors.order_held(account=account, product_code=product_code)
    if held is not None:
        messages.warning(request, MSG_HELD % {"id": held.pk, "status": held.get_status_display()})


def _form_map(technologies, products):
    """What the page's script needs to show the blocks of a product's kind and the tariffs and
    equipment that fit the technology and the product's service."""
    return {
        "products": {
            o.code: {"kind": order_kind_of(o), "service": o.service.code} for o in products
        },
        "technologies": {
            t.code: {
                "services": [s.code for s in t.services.all()],
                "offers": [o.code for o in t.offers.all()],
                "tariff_services": {o.code: o.service.code for o in t.offers.all()},
            }
            for t in technologies
        },
    }


def _register(request, form, account, kind) -> int | None:
    """Register once per form (its one-time key); field errors go back onto the form."""

    def register():
        order = services.order_register(
            agent=request.user,
            account=account,
            data=form.order_input(account, kind),
            campaign_code=form.cleaned_data["campaign"],
            appeal_id=form.cleaned_data["appeal"],
        )
        return {"order": order.pk, "label": str(order)}

    try:
        result, first = once_per_form(
            user=request.user,
            key=form.cleaned_data["idempotency_key"],
            scope=request.path,
            handler=register,
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(form.error_field(field), errors)
        return None
    except DomainError as exc:
        # A duplicate of an order already held, or an offer that may not be made now (409).
        form.add_error(None, str(exc))
        return None
    if first:
        messages.success(request, MSG_REGISTERED % {"order": result["label"]})
    else:
        messages.info(request, MSG_ALREADY)
    return result["order"]


def _filtered(request):
    orders = selectors.orders_visible_to(request.user)
    return ConnectionOrderFilter(request.GET, queryset=orders)


@page_roles(*LIST_ROLES)
def order_list(request):
    filterset = _filtered(request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    is_supervisor = roles.has_role(request.user, roles.SUPERVISORS)
    context = {
        "page": page,
        "orders": [_row(order) for order in page.object_list],
        "statuses": OrderStatus.choices,
        "selected": request.GET.getlist("status"),
        "is_supervisor": is_supervisor,
        "summary": None if is_supervisor else _summary(request.user),
        "query": request.GET.urlencode(),
        "filter_query": _without_page(request.GET),
        "account_filter": _account_filter(request.GET.get("account", "")),
    }
    return render(request, "orders/order_list.html", context)


@page_roles(*LIST_ROLES)
def order_status(request):
    """The live status of the orders a page shows (`?id=1&id=2`): a light JSON the page polls,
    with an ETag so that an unchanged answer is a bodiless 304. Orders the user may not see are
    left out. One query whatever the number of orders."""
    ids = request.GET.getlist("id")
    order_ids = [parse_id(i) for i in ids]
    if len(ids) > MAX_WATCHED or None in order_ids:
        message = ERR_STATUS_IDS % {"max": MAX_WATCHED}
        return JsonResponse({"code": "invalid_ids", "detail": message}, status=400)
    rows = selectors.order_statuses(user=request.user, ids=order_ids)
    fingerprint = repr([(r["pk"], r["status"], r["updated_at"]) for r in rows] + [get_language()])
    etag = '"' + hashlib.sha256(fingerprint.encode()).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag) or JsonResponse(
        {"orders": [_status_entry(row) for row in rows]}
    )
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


def _status_entry(row):
    status = OrderStatus(row["status"])
    return {
        "id": row["pk"],
        "status": status.value,
        "label": status.label,
        "badge": STATUS_BADGES[status],
        "announcement": MSG_STATUS_NOW % {"order": order_label(row["pk"]), "status": status.label},
    }


def _without_page(query) -> str:
    """The list's filters as a query string, for the pager's links."""
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()


def _account_filter(value) -> str:
    """The account the list is narrowed to (the account page's link), as the filter reads it."""
    number = normalise_account_number(value)
    return number if is_account_number(number) else ""


def _summary(agent):
    counts = selectors.month_counts(agent=agent, month_start=timezone.localdate().replace(day=1))
    return [(label, counts[code]) for code, label in OrderStatus.choices]


def _row(order):
    return {
        "order": order,
        "when": _visit_or_delivery(order),
        "badge": STATUS_BADGES[OrderStatus(order.status)],
        "phone": personal_data.mask_phone(order.contact_phone),
        "address": personal_data.mask_address(order.connection_address),
        "passport": personal_data.mask_passport_stored(order),
    }


EXPORT_COLUMNS = [
    _("Order"),
    _("Registered"),
    _("Status"),
    _("Agent"),
    _("Account"),
    _("Full name"),
    _("Contact phone"),
    _("Connection address"),
    _("Passport"),
    _("What is sold"),
    _("Installer visit or delivery"),
]


def _visit_or_delivery(order) -> str:
    if order.slot_id:
        return str(order.slot)
    if order.delivery_starts_at:
        return _window_label(order.delivery_starts_at, order.delivery_ends_at)
    return ""


@page_roles(*LIST_ROLES)
def order_export(request):
    """The list as CSV, masked like the page (Excel opens it with the BOM)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="orders.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([str(c) for c in EXPORT_COLUMNS])
    for order in _filtered(request).qs[:5000]:
        passport = personal_data.mask_passport_stored(order)
        writer.writerow(
            neutralised_row(
                [
                    str(order),
                    timezone.localtime(order.created_at).strftime("%d.%m.%Y %H:%M"),
                    order.get_status_display(),
                    order.agent.get_full_name() or order.agent.username,
                    order.account.number,
                    order.full_name,
                    personal_data.mask_phone(order.contact_phone),
                    personal_data.mask_address(order.connection_address),
                    f"{passport['series']} {passport['number']}".strip(),
                    order.sold.name if order.sold else "",
                    _visit_or_delivery(order),
                ]
            )
        )
    return response


def _order_or_404(request, pk):
    order = selectors.order_visible(user=request.user, order_id=pk)
    if order is None:
        raise Http404
    return order


def _detail(request, order, revealed=None, status=200):
    context = {
        "order": order,
        "row": _row(order),
        "revealed": revealed,
        "can_reveal": services.can_reveal(request.user, order),
        "can_cancel": order.agent_id == request.user.pk and order.status != OrderStatus.CANCELLED,
        "registration_address": personal_data.mask_address(order.registration_address),
        "reveal_fields": services.REVEALABLE_FIELDS,
    }
    response = render(request, "orders/order_detail.html", context, status=status)
    if revealed:
        response["Cache-Control"] = "no-store"
    return response


@page_roles(*LIST_ROLES)
def order_detail(request, pk):
    return _detail(request, _order_or_404(request, pk))


@require_POST
@page_roles(*LIST_ROLES)
def order_reveal(request, pk):
    order = _order_or_404(request, pk)
    try:
        values, _audit = services.order_reveal(
            order=order,
            user=request.user,
            reason=request.POST.get("reason", ""),
            channel=RevealChannel.PAGE,
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except Forbidden as error:
        messages.error(request, str(error))
        return _detail(request, order, status=403)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
        return _detail(request, order, status=400)
    return _detail(request, order, revealed=values)


@require_POST
@page_roles(roles.AGENTS)
def order_cancel(request, pk):
    order = _order_or_404(request, pk)
    try:
        services.order_cancel(
            order=order, agent=request.user, reason=request.POST.get("reason", "")
        )
    except Forbidden:
        raise Http404 from None
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
        return redirect("orders:detail", pk=pk)
    messages.success(request, MSG_CANCELLED)
    return redirect("orders:detail", pk=pk)
