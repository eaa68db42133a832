"""Filter pieces shared by the apps' FilterSets (API and pages alike)."""

import django_filters
from django import forms
from django.utils import timezone
from django_filters.fields import IsoDateTimeField


class LocalIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time brought into the portal's time zone before it reaches a query.

    Python accepts zone offsets up to ±23:59 and PostgreSQL only up to ±15:59 (a DataError, a
    500); in the local zone every offset is one the database takes. A moment that has no local
    date-time (year 1 west of Moscow, year 9999 east of it) is not a valid date-time.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is None or timezone.is_naive(value):
            return value
        try:
            return timezone.localtime(value)
        except OverflowError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


class LocalIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """`IsoDateTimeFilter` whose value is in the portal's time zone (see the field)."""

    field_class = LocalIsoDateTimeField
