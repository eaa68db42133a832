"""The validation rules of a connection order (R8), each a named, translated field error.

Every check adds to an `errors` dict keyed by the input field, so that the page and the API show
all that is wrong at once; `raise_if(errors)` turns them into one ValidationError.
"""

import datetime
import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import InstallerSlot, OrderStatus, SalesChannel
from campaigns.orders.services.slots import delivery_windows
from offers.models import Offer, OfferKind, Service, Technology

# The Russian passport of today's form was introduced on 1 October 1997.
PASSPORT_FORMAT_SINCE = datetime.date(1997, 10, 1)
EXTRA_KINDS = (OfferKind.OPTION, OfferKind.SUBSCRIPTION, OfferKind.PACKAGE)
# A tariff plan, or a base service offer where the service has no tariffs (e.g. IPTV's basic plan).
PLAN_KINDS = (OfferKind.TARIFF, OfferKind.SERVICE)

ERR_REQUIRED = _("This field is required.")
ERR_PHONE = _("Enter a Russian phone number, e.g. +7 916 123-45-67.")
ERR_PASSPORT_SERIES = _("The passport series is 4 digits.")
ERR_PASSPORT_NUMBER = _("The passport number is 6 digits.")
ERR_PASSPORT_DATE_FUTURE = _("The passport cannot be issued in the future.")
ERR_PASSPORT_DATE_OLD = _("Passports of this form are issued since 1 October 1997.")
ERR_ADDRESS = _("Enter the full address: town, street, house (and flat).")
ERR_FULL_NAME = _("Enter the surname, the first name and, if any, the patronymic.")
ERR_TECHNOLOGY = _("Unknown or inactive connection technology.")
ERR_SERVICE = _("Unknown service.")
ERR_TECHNOLOGY_SERVICE = _("This technology does not carry the service.")
ERR_TARIFF = _("Choose a tariff plan of the service that works over the technology.")
ERR_EQUIPMENT = _("Equipment that does not work over the technology: %(names)s.")
ERR_EXTRAS = _("Not an additional service that can be ordered: %(codes)s.")
ERR_CHANNEL = _("Unknown or inactive sales channel.")
ERR_NO_DEFAULT_CHANNEL = _("No default sales channel is set: choose one.")
ERR_SLOT = _("Unknown installer slot.")
ERR_SLOT_PAST = _("The installer slot has already started: choose a later one.")
ERR_SLOT_HOURS = _("Installers visit between %(start)02d:00 and %(end)02d:00.")
ERR_SLOT_FULL = _("The installer slot is fully booked: choose another one.")
ERR_SLOT_REGION = _("The installer slot is for another region.")
ERR_PRODUCT = _("Unknown or inactive offer.")
ERR_PRODUCT_CAMPAIGN = _("The offer is not the campaign's offer.")
ERR_SERVICE_PRODUCT = _("The service is not the offer's service.")
ERR_TARIFF_PRODUCT = _("A tariff move orders the agreed tariff plan itself.")
ERR_EXTRA_IS_PRODUCT = _("The main item cannot also be its own additional service.")
ERR_DELIVERY_WINDOW = _("Choose one of the offered delivery windows.")


def raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def add(errors: dict, field: str, message, code: str, params=None) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code, params=params))


def required_text(errors, field, value, *, min_length=1):
    value = " ".join((value or "").split())
    if not value:
        add(errors, field, ERR_REQUIRED, "required")
    elif len(value) < min_length:
        add(errors, field, ERR_ADDRESS, "invalid_address")
    return value


def full_name(errors, value) -> str:
    value = " ".join((value or "").split())
    if not value:
        add(errors, "full_name", ERR_REQUIRED, "required")
    elif len(value.split(" ")) < 2 or any(ch.isdigit() for ch in value):
        add(errors, "full_name", ERR_FULL_NAME, "invalid_full_name")
    return value


def phone(errors, value) -> str:
    """A valid Russian number, stored as E.164 (+79161234567)."""
    raw = (value or "").strip()
    if not raw:
        add(errors, "contact_phone", ERR_REQUIRED, "required")
        return ""
    try:
        parsed = phonenumbers.parse(raw, "RU")
    except phonenumbers.NumberParseException:
        parsed = None
    if (
        parsed is None
        or not phonenumbers.is_valid_number(parsed)
        or phonenumbers.region_code_for_number(parsed) != "RU"
    ):
        add(errors, "contact_phone", ERR_PHONE, "invalid_phone")
        return raw
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def passport(errors, *, series, number, issued_on, issued_by, today):
    series = re.sub(r"\s+", "", series or "")
    number = re.sub(r"\s+", "", number or "")
    if not re.fullmatch(r"[0-9]{4}", series):
        add(errors, "passport_series", ERR_PASSPORT_SERIES, "invalid_passport_series")
    if not re.fullmatch(r"[0-9]{6}", number):
        add(errors, "passport_number", ERR_PASSPORT_NUMBER, "invalid_passport_number")
    if issued_on is None:
        add(errors, "passport_issued_on", ERR_REQUIRED, "required")
    elif issued_on > today:
        add(errors, "passport_issued_on", ERR_PASSPORT_DATE_FUTURE, "invalid_passport_date")
    elif issued_on < PASSPORT_FORMAT_SINCE:
        add(errors, "passport_issued_on", ERR_PASSPORT_DATE_OLD, "invalid_passport_date")
    issued_by = required_text(errors, "passport_issued_by", issued_by)
    return series, number, issued_by


def product(errors, *, code, campaign):
    """The main item of the order: the campaign's offer, or the offer named by its code."""
    if campaign is not None:
        if code and code != campaign.offer.code:
            add(errors, "product", ERR_PRODUCT_CAMPAIGN, "product_mismatch")
        return campaign.offer
    if not code:
        add(errors, "product", ERR_REQUIRED, "required")
        return None
    found = Offer.objects.active().select_related("service").filter(code=code).first()
    if found is None:
        add(errors, "product", ERR_PRODUCT, "invalid_product")
    return found


def service_of(errors, *, code, product):
    """An order's service is its product's; a service named in the input must be that one."""
    if product is not None and code and code != product.service.code:
        add(errors, "service", ERR_SERVICE_PRODUCT, "service_mismatch")
    return product.service if product is not None else None


def technology(errors, *, code, service):
    found = (
        Technology.objects.filter(code=code, is_active=True).prefetch_related("services").first()
        if code
        else None
    )
    if not code:
        add(errors, "technology", ERR_REQUIRED, "required")
    elif found is None:
        add(errors, "technology", ERR_TECHNOLOGY, "invalid_technology")
    elif service is not None and service not in found.services.all():
        add(errors, "technology", ERR_TECHNOLOGY_SERVICE, "technology_service_mismatch")
    return found


def technology_and_service(errors, *, technology_code, service_code):
    technology = (
        Technology.objects.filter(code=technology_code, is_active=True)
        .prefetch_related("services")
        .first()
    )
    service = Service.objects.filter(code=service_code).first()
    if technology is None:
        add(errors, "technology", ERR_TECHNOLOGY, "invalid_technology")
    if service is None:
        add(errors, "service", ERR_SERVICE, "invalid_service")
    if technology and service and service not in technology.services.all():
        add(errors, "technology", ERR_TECHNOLOGY_SERVICE, "technology_service_mismatch")
    return technology, service


def _fitting(technology):
    """Offers that work over the technology (none when the technology is unknown)."""
    if technology is None:
        return Offer.objects.none()
    return Offer.objects.active().filter(technologies=technology)


def tariff(errors, *, code, technology, service):
    if not code:
        add(errors, "tariff", ERR_REQUIRED, "required")
        return None
    found = _fitting(technology).filter(code=code, kind__in=PLAN_KINDS, service=service).first()
    if found is None:
        add(errors, "tariff", ERR_TARIFF, "invalid_tariff")
    return found


def tariff_for(errors, *, code, product, technology, service):
    """A connection's tariff plan: for a tariff move the agreed plan itself (the default), for a
    new service a plan of that service; either must work over the technology."""
    if product is not None and product.kind == OfferKind.TARIFF:
        if code and code != product.code:
            add(errors, "tariff", ERR_TARIFF_PRODUCT, "tariff_mismatch")
            return None
        code = product.code
    elif not code and product is not None and product.kind in PLAN_KINDS:
        code = product.code
    return tariff(errors, code=code, technology=technology, service=service)


def equipment(errors, *, codes, technology):
    codes = list(dict.fromkeys(codes or []))
    found = list(_fitting(technology).filter(code__in=codes, kind=OfferKind.EQUIPMENT))
    missing = sorted(set(codes) - {o.code for o in found})
    if missing:
        names = dict(Offer.objects.filter(code__in=missing).values_list("code", "name"))
        add(
            errors,
            "equipment",
            ERR_EQUIPMENT,
            "invalid_equipment",
            {"names": ", ".join(names.get(code, code) for code in missing)},
        )
    return found


def extras(errors, *, codes, product=None):
    codes = list(dict.fromkeys(codes or []))
    found = list(Offer.objects.active().filter(code__in=codes, kind__in=EXTRA_KINDS))
    missing = sorted(set(codes) - {o.code for o in found})
    if missing:
        add(errors, "extras", ERR_EXTRAS, "invalid_extras", {"codes": ", ".join(missing)})
    if product is not None and product.code in codes:
        add(errors, "extras", ERR_EXTRA_IS_PRODUCT, "extra_is_product")
        found = [o for o in found if o.pk != product.pk]
    return found


def delivery_window(errors, *, starts_at, now):
    """One of the windows slots.delivery_windows offers today; returns (starts, ends)."""
    if starts_at is None:
        add(errors, "delivery_from", ERR_REQUIRED, "required")
        return None, None
    for window in delivery_windows(today=timezone.localdate(now)):
        if window[0] == starts_at:
            return window
    add(errors, "delivery_from", ERR_DELIVERY_WINDOW, "invalid_delivery_window")
    return None, None


def sales_channel(errors, *, code):
    channels = SalesChannel.objects.filter(is_active=True)
    found = channels.filter(code=code).first() if code else channels.filter(is_default=True).first()
    if found is None:
        add(
            errors,
            "sales_channel",
            ERR_CHANNEL if code else ERR_NO_DEFAULT_CHANNEL,
            "invalid_sales_channel",
        )
    return found


def slot_fits_hours(slot) -> bool:
    start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    opens = datetime.time(settings.INSTALLER_WORKDAY_START)
    closes = settings.INSTALLER_WORKDAY_END
    end_ok = end.time() <= datetime.time(closes) if closes < 24 else True
    return start.date() == end.date() and start.time() >= opens and end_ok


def slot_locked(errors, *, slot_id, now, region):
    """The slot, locked for the rest of the transaction so that two bookings count in turn."""
    if not slot_id:
        add(errors, "slot", ERR_REQUIRED, "required")
        return None
    slot = InstallerSlot.objects.select_for_update().filter(pk=slot_id).first()
    if slot is None:
        add(errors, "slot", ERR_SLOT, "invalid_slot")
        return None
    if slot.starts_at <= now:
        add(errors, "slot", ERR_SLOT_PAST, "slot_in_past")
    elif not slot_fits_hours(slot):
        params = {"start": settings.INSTALLER_WORKDAY_START, "end": settings.INSTALLER_WORKDAY_END}
        add(errors, "slot", ERR_SLOT_HOURS, "slot_outside_hours", params)
    elif slot.region and region and slot.region.casefold() != region.casefold():
        add(errors, "slot", ERR_SLOT_REGION, "slot_other_region")
    elif slot.orders.exclude(status=OrderStatus.CANCELLED).count() >= slot.capacity:
        add(errors, "slot", ERR_SLOT_FULL, "slot_full")
    return slot
