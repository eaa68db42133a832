"""Import and export of the reward catalogue (django-import-export).

A rule is identified by its code and the date it is valid from, so a new period of the same rule
is a new row. The bands of a tiered rule travel in one column, e.g. `0..100=15; 100..300=50;
300..=100` (fee increase from..below = amount; an empty upper bound means no limit); importing a
rule with a `bands` column replaces its bands.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields

from offers.models import Offer, Service
from offers.resources import CatalogueResource, code_field, codes_field
from rewards.models import RewardBand, RewardRule

BAND_SEPARATOR = ";"
ERR_BAND_FORMAT = _(
    "Cannot read the band «%(band)s»: write it as from..below=amount, e.g. 0..100=15."
)
ERR_BAND_NEGATIVE = _("The band «%(band)s» has a negative bound or amount.")
ERR_BAND_ORDER = _("In the band «%(band)s» the upper bound must be above the lower one.")
ERR_BAND_REPEATED = _("Two bands start at %(start)s.")


def _decimal(text: str) -> Decimal:
    return Decimal(text.strip().replace(",", ".").replace(" ", ""))


def parse_band(text: str) -> tuple[Decimal, Decimal | None, Decimal]:
    """`from..below=amount` → (min_increase, max_increase or None, amount)."""
    try:
        bounds, amount = text.split("=")
        low, high = bounds.split("..")
        band = (_decimal(low), _decimal(high) if high.strip() else None, _decimal(amount))
    except (ValueError, InvalidOperation):
        raise ValidationError(ERR_BAND_FORMAT % {"band": text}) from None
    low, high, amount = band
    if low < 0 or amount < 0:
        raise ValidationError(ERR_BAND_NEGATIVE % {"band": text})
    if high is not None and high <= low:
        raise ValidationError(ERR_BAND_ORDER % {"band": text})
    return band


def parse_bands(value) -> list[tuple[Decimal, Decimal | None, Decimal]]:
    bands = [parse_band(part) for part in str(value or "").split(BAND_SEPARATOR) if part.strip()]
    starts = [band[0] for band in bands]
    repeated = sorted({start for start in starts if starts.count(start) > 1})
    if repeated:
        raise ValidationError(ERR_BAND_REPEATED % {"start": repeated[0]})
    return sorted(bands, key=lambda band: band[0])


def format_band(band: RewardBand) -> str:
    upper = "" if band.max_increase is None else f"{band.max_increase.normalize():f}"
    return f"{band.min_increase.normalize():f}..{upper}={band.amount.normalize():f}"


class RewardRuleResource(CatalogueResource):
    """Reward rules keyed by (code, valid from); the service by code, the offers by their codes."""

    service = code_field("service", Service)
    offers = codes_field("offers", Offer)
    bands = fields.Field(column_name="bands")

    class Meta:
        model = RewardRule
        import_id_fields = ["code", "valid_from"]
        fields = [
            "code",
            "valid_from",
            "valid_to",
            "name",
            "service",
            "kind",
            "offers",
            "amount",
            "arpu_share",
            "bands",
            "order",
        ]
        export_order = fields

    def dehydrate_bands(self, rule):
        return f"{BAND_SEPARATOR} ".join(format_band(band) for band in rule.bands.all())

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "bands" in row:
            try:
                instance._imported_bands = parse_bands(row["bands"])
            except ValidationError as error:
                errors["bands"] = error.messages
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        bands = getattr(instance, "_imported_bands", None)
        if bands is not None and original.pk is not None:
            current = [(b.min_increase, b.max_increase, b.amount) for b in original.bands.all()]
            if current != bands:
                return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        bands = getattr(instance, "_imported_bands", None)
        if bands is None:
            return
        instance.bands.all().delete()
        RewardBand.objects.bulk_create(
            RewardBand(rule=instance, min_increase=low, max_increase=high, amount=amount)
            for low, high, amount in bands
        )
