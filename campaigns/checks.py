"""Wrong personal-data keys are an error at start (issue 11 §1, §4), not data shown «erased».

Fernet tokens carry no key id, so the check is the decryption itself: the newest stored passport
and the newest stored phones (of an order, of an account) must open with the configured keys. The
error names each configured key by its fingerprint (the first 12 hex digits of its SHA-256), so
an operator can tell which key is deployed without printing it. The digest key is checked the
same way: the newest phone's stored digest must be the one the configured key takes again.
"""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _

from campaigns import personal_data
from campaigns.personal_data import crypto

ERR_KEY_INVALID = _("ORDER_PASSPORT_KEY is not a valid Fernet key (fingerprints: %(prints)s).")
ERR_KEY_WRONG = _(
    "ORDER_PASSPORT_KEY does not decrypt the stored passport data (configured keys: %(prints)s). "
    "Set the key that encrypted them, or list it after the new one to rotate."
)
ERR_HASH_KEY_WEAK = _(
    "PERSONAL_DATA_HASH_KEY must be a secret of this deployment's own, at least 32 characters "
    "(not the embedded local one)."
)
ERR_HASH_KEY_WRONG = _(
    "PERSONAL_DATA_HASH_KEY is not the key the stored phone digests were taken with (configured "
    "key: %(print)s). Set that key, or run «manage.py personal_data_rekey» to take every digest "
    "again with the new one."
)
HASH_KEY_MIN_LENGTH = 32
LOCAL_HASH_KEY = "local-only-insecure-personal-data-digest-key"


def fingerprints() -> list[str]:
    return crypto.fingerprints()


@checks.register("portal_secrets", checks.Tags.database)
def check_passport_key(app_configs=None, databases=None, **kwargs):
    prints = ", ".join(fingerprints()) or "—"
    try:
        personal_data.fernet_keys()
    except (ValueError, TypeError):
        return [checks.Error(str(ERR_KEY_INVALID % {"prints": prints}), id="portal.E002")]
    if not databases:
        return []  # the database tag does not skip a check: it reads only when one is named
    from campaigns.orders.selectors import newest_passport_ciphertext, newest_phone_samples

    try:
        token = newest_passport_ciphertext()
        personal_data.decrypt_passport(token)
        newest_phone_samples()
    except DatabaseError:
        return []  # no tables yet
    except personal_data.PersonalDataKeyError:
        return [checks.Error(str(ERR_KEY_WRONG % {"prints": prints}), id="portal.E003")]
    return []


@checks.register("portal_secrets", checks.Tags.database)
def check_hash_key(app_configs=None, databases=None, **kwargs):
    key = str(settings.PERSONAL_DATA_HASH_KEY or "")
    local_allowed = settings.DEMO_LOGINS_ALLOWED  # false under production settings only
    if len(key) < HASH_KEY_MIN_LENGTH or (key == LOCAL_HASH_KEY and not local_allowed):
        return [checks.Error(str(ERR_HASH_KEY_WEAK), id="portal.E004")]
    if not databases:
        return []
    from campaigns.orders.selectors import newest_phone_samples

    try:
        samples = newest_phone_samples()
    except (DatabaseError, personal_data.PersonalDataKeyError):
        return []  # no tables yet, or the Fernet key's own error (portal.E003)
    if any(crypto.phone_digest(phone) != digest for phone, digest in samples):
        message = ERR_HASH_KEY_WRONG % {"print": crypto.fingerprint(key)}
        return [checks.Error(str(message), id="portal.E005")]
    return []
