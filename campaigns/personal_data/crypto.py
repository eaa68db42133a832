"""The keys of personal data at rest: Fernet encryption, and the keyed digest exact look-ups use.

ORDER_PASSPORT_KEY: one Fernet key, or several separated by commas (the first encrypts, every one
decrypts). PERSONAL_DATA_HASH_KEY: the HMAC key of the digests; a digest answers «is it this
phone?» without the phone being stored in clear, and without the key nobody can test guesses
against the column. Settings are read when a value is encrypted, never at import.
"""

import functools
import hashlib
import hmac

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

# Every Fernet token starts with its version byte 0x80, «gAAAAA» in base64. A value that does not
# is one written in clear by plain SQL (rows loaded around the ORM, e.g. the benchmarks' data): it
# is read as written, and `manage.py personal_data_rekey` encrypts it.
TOKEN_PREFIX = "gAAAAA"


class PersonalDataKeyError(Exception):
    """A stored value cannot be decrypted with the configured keys."""


# The name the passport code has always raised and caught.
PassportKeyError = PersonalDataKeyError


def _keys(setting: str) -> list[str]:
    return [key.strip() for key in str(setting).split(",") if key.strip()]


@functools.lru_cache(maxsize=4)
def _multi_fernet(setting: str) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys(setting)])


def fernet_keys() -> MultiFernet:
    """The configured keys (ValueError when one is not a Fernet key, or none is given)."""
    return _multi_fernet(str(settings.ORDER_PASSPORT_KEY))


def is_token(value: str) -> bool:
    return bool(value) and value.startswith(TOKEN_PREFIX)


def encrypt_text(value: str) -> str:
    return fernet_keys().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return fernet_keys().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise PersonalDataKeyError("a stored personal value cannot be decrypted") from exc


def rotate_text(value: str) -> str:
    """The value encrypted under the first key (a clear one encrypted, an old token re-encrypted)."""
    if not is_token(value):
        return encrypt_text(value)
    try:
        return fernet_keys().rotate(value.encode()).decode()
    except InvalidToken as exc:
        raise PersonalDataKeyError("a stored personal value cannot be decrypted") from exc


def normalise_phone(value: str) -> str:
    """The one spelling a digest is taken of: E.164, +7XXXXXXXXXX for a Russian number
    («8 (916) 123-45-67», «+7 916 1234567» → «+79161234567»); what does not parse as a phone
    keeps its digits behind a «+», so that the same typing still meets the same value."""
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        parsed = phonenumbers.parse(raw, "RU")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_possible_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    digits = "".join(ch for ch in raw if ch.isdigit())
    return f"+{digits}" if digits else ""


def normalise_email(value: str) -> str:
    """«  Ivanov@Example.COM » → «ivanov@example.com»."""
    return (value or "").strip().lower()


NORMALISERS = {"phone": normalise_phone, "email": normalise_email}


def digest(value: str, kind: str) -> str:
    """HMAC-SHA256 of the normalised value under PERSONAL_DATA_HASH_KEY ('' for no value)."""
    normalised = NORMALISERS[kind](value)
    if not normalised:
        return ""
    key = str(settings.PERSONAL_DATA_HASH_KEY).encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def phone_digest(value: str) -> str:
    return digest(value, "phone")


def fingerprint(key: str) -> str:
    """How a key is named in errors and logs: the first 12 hex digits of its SHA-256."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def fingerprints() -> list[str]:
    return [fingerprint(key) for key in _keys(settings.ORDER_PASSPORT_KEY)]
