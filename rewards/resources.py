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
from rewards import consistency, services
from rewards.consistency import BandSpec, Period
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

    def before_import(self, dataset, **kwargs):
        """Read every row's period first: a row is checked against the whole file."""
        super().before_import(dataset, **kwargs)
        self._file_periods = []
        for number, row in enumerate(dataset.dict, start=1):
            try:
                start = self.fields["valid_from"].clean(row)
                end = self.fields["valid_to"].clean(row) if "valid_to" in row else None
            except ValueError:
                continue  # that row reports its own error
            if row.get("code") and start:
                self._file_periods.append(Period(str(row["code"]).strip(), start, end, key=number))

    def _period_error(self, instance) -> str | None:
        """The file's periods of the code, and the stored ones the file does not rewrite."""
        file_periods = getattr(self, "_file_periods", [])
        in_file = {(p.code, p.start) for p in file_periods}
        stored = [
            Period(code, start, end, key=("db", pk))
            for pk, code, start, end in RewardRule.objects.filter(code=instance.code).values_list(
                "pk", "code", "valid_from", "valid_to"
            )
            if (code, start) not in in_file
        ]
        me = Period(instance.code, instance.valid_from, instance.valid_to, key="me")
        others = [p for p in file_periods if (p.code, p.start) != (me.code, me.start)]
        return consistency.period_conflict(me, stored + others)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if instance.code and instance.valid_from and "valid_from" not in errors:
            conflict = self._period_error(instance)
            if conflict:
                errors["valid_from"] = [conflict]
        if "bands" in row:
            try:
                instance._imported_bands = parse_bands(row["bands"])
            except ValidationError as error:
                errors["bands"] = error.messages
            else:
                # Imported as written: a tiered rule's bands, checked as one set.
                problems = services.bands_errors(
                    instance.kind, [BandSpec(*band) for band in instance._imported_bands]
                )
                if problems:
                    errors["bands"] = problems
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
        services.reward_bands_replace(
            rule=instance, bands=[BandSpec(low, high, amount) for low, high, amount in bands]
        )
