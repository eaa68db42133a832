"""A wrong ORDER_PASSPORT_KEY is an error at start (issue 11 §4), not passports shown «erased».

Fernet tokens carry no key id, so the check is the decryption itself: the newest stored passport
must open with the configured keys. The error names each configured key by its fingerprint (the
first 12 hex digits of its SHA-256), so an operator can tell which key is deployed without
printing it.
"""

import hashlib

from django.conf import settings
from django.core import checks
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _

from campaigns import personal_data

ERR_KEY_INVALID = _("ORDER_PASSPORT_KEY is not a valid Fernet key (fingerprints: %(prints)s).")
ERR_KEY_WRONG = _(
    "ORDER_PASSPORT_KEY does not decrypt the stored passport data (configured keys: %(prints)s). "
    "Set the key that encrypted them, or list it after the new one to rotate."
)


def fingerprints() -> list[str]:
    keys = [k.strip() for k in str(settings.ORDER_PASSPORT_KEY).split(",") if k.strip()]
    return [hashlib.sha256(key.encode()).hexdigest()[:12] for key in keys]


@checks.register("portal_secrets", checks.Tags.database)
def check_passport_key(app_configs=None, databases=None, **kwargs):
    prints = ", ".join(fingerprints()) or "—"
    try:
        personal_data.fernet_keys()
    except (ValueError, TypeError):
        return [checks.Error(str(ERR_KEY_INVALID % {"prints": prints}), id="portal.E002")]
    if not databases:
        return []  # the database tag does not skip a check: it reads only when one is named
    from campaigns.orders.selectors import newest_passport_ciphertext

    try:
        token = newest_passport_ciphertext()
    except DatabaseError:
        return []  # no tables yet
    if not token:
        return []
    try:
        personal_data.decrypt_passport(token)
    except personal_data.PassportKeyError:
        return [checks.Error(str(ERR_KEY_WRONG % {"prints": prints}), id="portal.E003")]
    return []
