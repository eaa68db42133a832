"""Key rotation of personal data at rest: every stored value under the first configured key.

After a new Fernet key is put first in ORDER_PASSPORT_KEY (the old ones after it), or a new
PERSONAL_DATA_HASH_KEY is set, `personal_data_rekey` rewrites each encrypted value of orders
(passport, phone, addresses) and accounts (phone, e-mail) under the first key, encrypts a value
left in clear by plain SQL, and takes every digest again. Then the old Fernet keys can go. Batches
of BATCH rows, each in its own transaction: a run stopped half-way is simply run again.
"""

import logging
from dataclasses import dataclass

from django.db import transaction

from campaigns.models import SubscriberAccount
from campaigns.orders.models import ConnectionOrder
from campaigns.personal_data import crypto
from campaigns.personal_data.fields import DigestField, EncryptedCharField

logger = logging.getLogger("campaigns.orders")

BATCH = 500


@dataclass(frozen=True)
class RekeyReport:
    orders: int
    accounts: int


def personal_data_rekey(*, batch: int = BATCH) -> RekeyReport:
    """Every order's and account's personal data encrypted and digested with the current keys."""
    orders = _rekey(ConnectionOrder, batch, ciphertexts=("passport_ciphertext",))
    accounts = _rekey(SubscriberAccount, batch)
    logger.info("personal data re-keyed: %d orders, %d accounts", orders, accounts)
    return RekeyReport(orders=orders, accounts=accounts)


def _rekey(model, batch: int, ciphertexts: tuple[str, ...] = ()) -> int:
    encrypted = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
    digests = [f for f in model._meta.concrete_fields if isinstance(f, DigestField)]
    names = [f.name for f in encrypted] + [f.name for f in digests] + list(ciphertexts)
    done, last = 0, 0
    while True:
        with transaction.atomic():
            rows = list(
                model.objects.select_for_update()
                .filter(pk__gt=last)
                .order_by("pk")
                .only("pk", *names)[:batch]
            )
            if not rows:
                return done
            for row in rows:
                # Encrypted fields are read decrypted and written under the first key; the
                # passport's ciphertext is rotated as it is.
                for field in digests:
                    setattr(row, field.attname, field.digest(getattr(row, field.source)))
                for name in ciphertexts:
                    token = getattr(row, name)
                    setattr(row, name, crypto.rotate_text(token) if token else "")
            model.objects.bulk_update(rows, names)
        done += len(rows)
        last = rows[-1].pk
