"""An order's personal data: who may see it unmasked, the audited reveal, and its erasure once
the retention period is over."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.orders.models import ConnectionOrder, OrderStatus, PersonalDataReveal
from campaigns.orders.services import rules
from config.floor import roles
from config.floor.errors import Forbidden

logger = logging.getLogger("campaigns.orders")

ERR_REVEAL_REASON = _("Say why you need to see the personal data (at least 5 characters).")
ERR_REVEAL_FIELDS = _("Unknown fields: %(fields)s.")
ERR_REVEAL_DENIED = _("You may not see the personal data of this order.")

REVEALABLE_FIELDS = ("passport", "contact_phone", "connection_address", "registration_address")


def can_reveal(user, order: ConnectionOrder) -> bool:
    """The agent who registered the order, and supervisors of that agent's team; nobody else."""
    if order.agent_id == user.pk and roles.has_role(user, roles.AGENTS):
        return True
    if roles.has_role(user, roles.SUPERVISORS):
        profile = getattr(order.agent, "agent_profile", None)
        return profile is not None and profile.team.supervisors.filter(pk=user.pk).exists()
    return False


def order_reveal(
    *,
    order: ConnectionOrder,
    user,
    reason: str,
    fields: list[str] | None = None,
    channel: str,
    ip_address: str | None = None,
    now=None,
) -> tuple[dict, PersonalDataReveal]:
    """The unmasked personal data of an order, written to the audit log first."""
    if not can_reveal(user, order):
        raise Forbidden(ERR_REVEAL_DENIED, code="reveal_forbidden")
    fields = list(dict.fromkeys(fields or REVEALABLE_FIELDS))
    errors: dict = {}
    unknown = sorted(set(fields) - set(REVEALABLE_FIELDS))
    if unknown:
        rules.add(
            errors, "fields", ERR_REVEAL_FIELDS, "invalid_fields", {"fields": ", ".join(unknown)}
        )
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        rules.add(errors, "reason", ERR_REVEAL_REASON, "reason_required")
    rules.raise_if(errors)
    audit = PersonalDataReveal.objects.create(
        order=order,
        user=user,
        fields=fields,
        reason=reason[:500],
        channel=channel,
        ip_address=ip_address,
        revealed_at=now or timezone.now(),
    )
    logger.info("personal data of order %s revealed to user %s (%s)", order.pk, user.pk, fields)
    return _values(order, fields), audit


def _values(order, fields) -> dict:
    values = {}
    for name in fields:
        if name == "passport":
            passport = order.passport
            values[name] = (
                None
                if passport is None
                else {
                    "series": passport.series,
                    "number": passport.number,
                    "issued_on": passport.issued_on,
                    "issued_by": passport.issued_by,
                }
            )
        else:
            values[name] = getattr(order, name)
    return values


# What retention erases of an order: its passport, its contact phone (and digest) and addresses.
# The customer's name stays, like the account's names the CRM keeps: statements and the order's
# history name whose order it was.
ERASED_ON_RETENTION = {
    "passport_ciphertext": "",
    "contact_phone": "",
    "contact_phone_hash": "",
    "connection_address": "",
    "registration_address": "",
}


@transaction.atomic
def orders_erase_expired_passports(*, now=None) -> int:
    """Retention: an order's passport, contact phone and addresses go N days after it was
    connected or cancelled (the clawback window is shorter: nothing needs them after)."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.ORDER_RETENTION_DAYS)
    closed_long_ago = ConnectionOrder.objects.filter(passport_erased_at__isnull=True).filter(
        Q(status=OrderStatus.CONNECTED, connected_at__lt=limit)
        | Q(status=OrderStatus.CANCELLED, cancelled_at__lt=limit)
    )
    erased = closed_long_ago.update(**ERASED_ON_RETENTION, passport_erased_at=now)
    if erased:
        logger.info("personal data erased on %d orders", erased)
    return erased
