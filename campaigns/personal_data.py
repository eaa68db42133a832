"""Passport data encrypted at rest (Fernet), and the masks personal data wears everywhere else.

The key comes from ORDER_PASSPORT_KEY: one Fernet key, or several separated by commas to rotate
(the first encrypts, all of them decrypt). Masks never need the key: a list, an export, the admin
and every log line show only what `mask_*` leaves.
"""

import datetime
import json
from dataclasses import asdict, dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from config.floor import personal, roles

MASK = "•"

# Who may see each personal field unmasked in the admin's lists (and so narrow, search or sort
# by it there; config.floor.personal). An order's phone, addresses and passport: nobody (only a
# reveal shows them, outside the admin); its customer's name: whoever sees the order. An
# account's phone and e-mail: managers and the CRM (the API masks them for everyone else); the
# names: every role that sees the account.
EVERY_ROLE = tuple(roles.ROLE_LABELS)
PERSONAL_FIELDS = {
    "campaigns.connectionorder": {
        "full_name": (roles.MANAGERS, roles.SUPERVISORS, roles.AGENTS),
        "contact_phone": (),
        "connection_address": (),
        "registration_address": (),
        "passport_ciphertext": (),
    },
    "campaigns.subscriberaccount": {
        "surname": EVERY_ROLE,
        "first_name": EVERY_ROLE,
        "patronymic": EVERY_ROLE,
        "contact_phone": (roles.MANAGERS, roles.CRM),
        "email": (roles.MANAGERS, roles.CRM),
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


class PassportKeyError(Exception):
    """The stored passport cannot be decrypted with the configured keys."""


def fernet_keys() -> MultiFernet:
    """The configured keys (ValueError when one is not a Fernet key, or none is given)."""
    keys = [k.strip() for k in str(settings.ORDER_PASSPORT_KEY).split(",") if k.strip()]
    return MultiFernet([Fernet(key) for key in keys])


_fernet = fernet_keys


def encrypt_passport(passport: Passport) -> str:
    return _fernet().encrypt(passport.to_json().encode()).decode()


def decrypt_passport(token: str) -> Passport | None:
    if not token:
        return None
    try:
        return Passport.from_json(_fernet().decrypt(token.encode()).decode())
    except InvalidToken as exc:
        raise PassportKeyError("the passport of this order cannot be decrypted") from exc


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
