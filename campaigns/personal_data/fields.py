"""Model fields of personal data at rest.

`EncryptedCharField`: a text field read and written in clear by the code and stored as a Fernet
token (a text column: the token is longer than the value). An empty value stays empty: that a
value is missing says nothing the order's kind does not. A token cannot be compared, narrowed,
searched or sorted meaningfully, so the field offers no lookup but `isnull`: a filter on it is a
FieldError where it is written, never a silent «nothing matches».

`DigestField`: the keyed digest of another field's value (a phone or an e-mail, normalised first;
crypto.digest), taken whenever the row is saved, so that every way a row is written (services,
the admin's form, the spreadsheet import, factories) keeps it in step — like `auto_now`, and for
the same reason. It answers exact questions only: «which orders have this phone?».
"""

from django.db import models

from campaigns.personal_data import crypto


class EncryptedCharField(models.CharField):
    """A CharField (its max_length checks the clear value) kept encrypted in a text column."""

    def get_internal_type(self):
        return "TextField"

    def from_db_value(self, value, expression, connection):
        if not crypto.is_token(value):
            return value
        return crypto.decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt_text(value)

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name):
        return None


class DigestField(models.CharField):
    """The HMAC of `source`'s normalised value (`kind`: phone or email), recomputed on every
    save; '' for no value."""

    def __init__(self, *args, source: str, kind: str = "phone", **kwargs):
        if kind not in crypto.NORMALISERS:
            raise ValueError(f"unknown digest kind {kind!r}")
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.kind != "phone":
            kwargs["kind"] = self.kind
        for key in ("max_length", "blank", "editable", "default", "db_default"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def digest(self, value: str) -> str:
        """What this column holds for `value` (a search term, a value to find)."""
        return crypto.digest(value, self.kind)

    def pre_save(self, model_instance, add):
        digest = self.digest(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, digest)
        return digest
