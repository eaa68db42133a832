"""Personal data: which fields hold it, how they are kept at rest, and the masks they wear.

Passports, an order's contact phone and addresses, an account's phone and e-mail are encrypted at
rest (Fernet, `crypto`; the columns are `fields.EncryptedCharField`); exact look-ups go through a
keyed digest (`fields.PhoneDigestField`). The key comes from ORDER_PASSPORT_KEY: one Fernet key,
or several separated by commas to rotate (the first encrypts, all of them decrypt;
`manage.py personal_data_rekey` rewrites every value under the first). Masks never need the key:
a list, an export, the admin and every log line show only what `mask_*` leaves.
"""

import datetime
import json
from dataclasses import asdict, dataclass

from campaigns.personal_data.crypto import (
    PassportKeyError,
    PersonalDataKeyError,
    decrypt_text,
    encrypt_text,
    fernet_keys,
    normalise_phone,
    phone_digest,
)
from config.floor import personal, roles

__all__ = [
    "PassportKeyError",
    "PersonalDataKeyError",
    "decrypt_text",
    "encrypt_text",
    "fernet_keys",
    "normalise_phone",
    "phone_digest",
]

MASK = "•"

# Who may see each personal field unmasked in the admin's lists (and so narrow, search or sort
# by it there; config.floor.personal). An order's phone, addresses and passport: nobody (only a
# reveal shows them, outside the admin); its customer's name: whoever sees the order. An
# account's phone and e-mail: managers and the CRM (the API masks them for everyone else); the
# names: every role that sees the account. A digest column goes with the field it is taken of.
EVERY_ROLE = tuple(roles.ROLE_LABELS)
PERSONAL_FIELDS = {
    "campaigns.connectionorder": {
        "full_name": (roles.MANAGERS, roles.SUPERVISORS, roles.AGENTS),
        "contact_phone": (),
        "contact_phone_hash": (),
        "connection_address": (),
        "registration_address": (),
        "passport_ciphertext": (),
    },
    "campaigns.subscriberaccount": {
        "surname": EVERY_ROLE,
        "first_name": EVERY_ROLE,
        "patronymic": EVERY_ROLE,
        "contact_phone": (roles.MANAGERS, roles.CRM),
        "contact_phone_hash": (roles.MANAGERS, roles.CRM),
        "email": (roles.MANAGERS, roles.CRM),
        "email_hash": (roles.MANAGERS, roles.CRM),
    },
}


def register_fields() -> None:
    for label, fields in PERSONAL_FIELDS.items():
        personal.register(label, fields)


@dataclass(frozen=True)
class Passport:
    series: str
    number: str
    issued_on: datetime.date
    issued_by: str

    def to_json(self) -> str:
        data = asdict(self)
        data["issued_on"] = self.issued_on.isoformat()
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> "Passport":
        data = json.loads(raw)
        data["issued_on"] = datetime.date.fromisoformat(data["issued_on"])
        return cls(**data)


def encrypt_passport(passport: Passport) -> str:
    return encrypt_text(passport.to_json())


def decrypt_passport(token: str) -> Passport | None:
    if not token:
        return None
    return Passport.from_json(decrypt_text(token))


def mask_phone(phone: str) -> str:
    """+79161234568 → +7 ••• •••-••-68."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) < 4:
        return MASK * 3 if phone else ""
    return f"+{digits[0]} {MASK * 3} {MASK * 3}-{MASK * 2}-{digits[-2:]}"


def mask_email(email: str) -> str:
    """ivanov@example.com → i•••@example.com."""
    if not email:
        return ""
    if "@" not in email:
        return MASK * 3
    name, domain = email.split("@", 1)
    return f"{name[:1]}{MASK * 3}@{domain}"


def mask_address(address: str) -> str:
    """Only the first part (usually the town) stays: «г. Москва, ул. …» → «г. Москва, •••»."""
    if not address:
        return ""
    head = address.split(",")[0].strip()
    if head == address.strip():
        return MASK * 3
    return f"{head}, {MASK * 3}"


def mask_passport(passport: Passport | None) -> dict:
    """Series and number hidden but the last two digits; date and issuer hidden."""
    if passport is None:
        return {"series": "", "number": "", "issued_on": "", "issued_by": "", "erased": True}
    return {
        "series": MASK * 4,
        "number": MASK * 4 + passport.number[-2:],
        "issued_on": f"{MASK * 2}.{MASK * 2}.{MASK * 4}",
        "issued_by": MASK * 3,
        "erased": False,
    }


def mask_passport_stored(order) -> dict:
    """The masked passport of an order, read from its ciphertext; unreadable counts as erased."""
    try:
        return mask_passport(order.passport)
    except PassportKeyError:
        return mask_passport(None)
