"""Import and export of the catalogue (django-import-export), keyed by codes rather than ids.

The widgets and the base resource here are shared by the campaigns and rewards resources: a
related object is written as its code (a list of codes comma-separated), and an unknown code or an
unreadable value is a row error the preview shows, never a silently dropped value.
"""

from decimal import InvalidOperation

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from offers.models import Offer, Segment, Service

ERR_UNKNOWN_CODE = _("Unknown %(model)s «%(code)s».")
ERR_UNKNOWN_CODES = _("Unknown %(model)s: %(codes)s.")
ERR_UNREADABLE_VALUE = _("Cannot read «%(value)s».")

LIST_SEPARATOR = ","


class CodeForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key written as the related object's code."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.strip()
        try:
            return super().clean(value, row, **kwargs)
        except ObjectDoesNotExist:
            raise ValueError(
                ERR_UNKNOWN_CODE % {"model": self.model._meta.verbose_name, "code": value}
            ) from None


class CodeManyToManyWidget(widgets.ManyToManyWidget):
    """A many-to-many relation written as the related objects' codes, comma-separated."""

    def __init__(self, model, field="code", **kwargs):
        super().__init__(model, separator=LIST_SEPARATOR, field=field, **kwargs)

    def clean(self, value, row=None, **kwargs):
        codes = [code.strip() for code in str(value or "").split(self.separator) if code.strip()]
        if not codes:
            return self.model.objects.none()
        found = self.model.objects.filter(**{f"{self.field}__in": codes})
        missing = sorted(set(codes) - {str(getattr(obj, self.field)) for obj in found})
        if missing:
            raise ValueError(
                ERR_UNKNOWN_CODES
                % {"model": self.model._meta.verbose_name_plural, "codes": ", ".join(missing)}
            )
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return f"{self.separator} ".join(str(getattr(item, self.field)) for item in value.all())


def code_field(name, model):
    return fields.Field(
        attribute=name, column_name=name, widget=CodeForeignKeyWidget(model, "code")
    )


def codes_field(name, model):
    return fields.Field(attribute=name, column_name=name, widget=CodeManyToManyWidget(model))


class CatalogueResource(resources.ModelResource):
    """Validates every row completely (model validation included) before anything is saved."""

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except InvalidOperation as error:
            raise ValueError(
                ERR_UNREADABLE_VALUE % {"value": row.get(field.column_name)}
            ) from error

    def import_instance(self, instance, row, **kwargs):
        # Many-to-many values are saved after the row; check them now so that an unknown code
        # is a validation error of the row like any other.
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.get_import_fields():
            if not isinstance(field.widget, widgets.ManyToManyWidget):
                continue
            if field.column_name not in row or field.readonly:
                continue
            try:
                field.clean(row, **kwargs)
            except ValueError as error:
                errors[field.attribute] = [ValidationError(str(error), code="invalid")]
        if errors:
            raise ValidationError(errors)


class OfferResource(CatalogueResource):
    """Offers keyed by code; the service by its code, the segments as a list of codes."""

    service = code_field("service", Service)
    segments = codes_field("segments", Segment)

    class Meta:
        model = Offer
        import_id_fields = ["code"]
        fields = [
            "code",
            "name",
            "kind",
            "service",
            "monthly_price",
            "promo_days",
            "speed_mbps",
            "description",
            "is_active",
            "segments",
        ]
        export_order = fields
