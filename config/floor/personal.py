"""Which fields hold personal data and which roles may see each unmasked (issue 11 §1).

A role that may not see a field may not narrow, search or sort a list by it either: each of those
tells a value apart one character at a time (`?contact_phone__startswith=+7916…` showed or hid
the row). The apps declare their fields (`register`, from their AppConfig.ready); the admin's
bases (`config.floor.admin.PortalModelAdmin`) ask `refused_path` of every lookup in a list's URL,
of every search field and of the column a list is sorted by.
"""

from collections.abc import Iterable

from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP

from config.floor import roles

_FIELDS: dict[str, dict[str, frozenset[str]]] = {}


def register(model_label: str, fields: dict[str, Iterable[str]]) -> None:
    """`fields`: each personal field of the model with the roles that may see it unmasked
    (in the admin's lists; superusers count as managers)."""
    _FIELDS[model_label.lower()] = {name: frozenset(seen_by) for name, seen_by in fields.items()}


def registered() -> dict[str, dict[str, frozenset[str]]]:
    return {label: dict(fields) for label, fields in _FIELDS.items()}


def fields_of(model) -> dict[str, frozenset[str]]:
    return _FIELDS.get(model._meta.label_lower, {})


def may_see(user, model, field_name: str) -> bool:
    allowed = fields_of(model).get(field_name)
    if allowed is None:
        return True
    return bool(roles.user_roles(user) & allowed)


def personal_field_on_path(model, path: str):
    """(model, field name) of the first personal field a lookup path reaches, or None.

    `account__contact_phone__startswith` from an order reaches the account's phone; relations
    are followed both ways (`connectionorder__contact_phone` from an account), and the parts
    after the last field (lookups, transforms) are ignored.
    """
    for part in path.lstrip("-").split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if part in fields_of(model):
            return model, part
        if not getattr(field, "path_infos", None):
            return None
        model = field.path_infos[-1].to_opts.model
    return None


def refused_path(user, model, path: str) -> bool:
    """True when `path` reaches a personal field `user` may not see."""
    found = personal_field_on_path(model, path)
    return found is not None and not may_see(user, *found)
