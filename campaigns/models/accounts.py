"""Subscriber accounts (лицевые счета) as the CRM last reported them."""

import re

from django.conf import settings
from django.core.validators import RegexValidator, validate_email
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaigns.personal_data.fields import DigestField, EncryptedCharField
from offers.models import Offer, Service, ServiceCode

# The account-number rule, in one place: the model, the API, the pages and the target import.
ACCOUNT_NUMBER_RE = r"^[0-9]{12}$"
ERR_ACCOUNT_NUMBER = _("An account number is exactly 12 digits.")
ERR_NO_ACCOUNT = _("No account with this number.")
account_number_validator = RegexValidator(
    ACCOUNT_NUMBER_RE, ERR_ACCOUNT_NUMBER, code="invalid_account"
)


# What people paste around the digits: spaces (plain, no-break, thin), dashes of every width, dots.
ACCOUNT_NUMBER_SEPARATORS = re.compile(r"[\s\u00a0\u2009\u202f\-\u2010-\u2015\u2212.]+")


def is_account_number(value: str) -> bool:
    return re.fullmatch(ACCOUNT_NUMBER_RE, value or "") is not None


def normalise_account_number(value: str) -> str:
    """«352-011-070-411», «352 011 070 411» → «352011070411»: the separators people paste go;
    whatever else was typed stays, so that is_account_number() still refuses it."""
    return ACCOUNT_NUMBER_SEPARATORS.sub("", (value or "").strip())


# An account's services as one number, a bit per service code (kept in `service_mask`): the reach
# preview compares a million accounts' services with the campaign's segments in one pass.
SERVICE_BITS = {code: 1 << i for i, code in enumerate(ServiceCode.values)}


def service_mask(codes) -> int:
    """The bits of these service codes (SERVICE_BITS)."""
    return sum(SERVICE_BITS[code] for code in set(codes))


class PaymentModel(models.TextChoices):
    ADVANCE = "advance", _("Advance (prepaid)")
    CREDIT = "credit", _("Credit (postpaid)")


class SubscriberAccountQuerySet(models.QuerySet):
    def with_relations(self):
        return self.prefetch_related("services", "offers")


class SubscriberAccount(models.Model):
    """A subscriber's account: who they are, how they pay and what they already have."""

    number = models.CharField(
        _("account number"), max_length=12, unique=True, validators=[account_number_validator]
    )
    surname = models.CharField(_("surname"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    payment_model = models.CharField(
        _("payment model"), max_length=10, choices=PaymentModel.choices
    )
    balance = models.DecimalField(_("balance, ₽"), max_digits=12, decimal_places=2, default=0)
    financial_block = models.BooleanField(_("financial block"), default=False)
    services = models.ManyToManyField(
        Service, related_name="accounts", blank=True, verbose_name=_("connected services")
    )
    offers = models.ManyToManyField(
        Offer, related_name="accounts", blank=True, verbose_name=_("connected offers")
    )
    # `services` as SERVICE_BITS, rewritten whenever they change (campaigns.services.service_masks).
    service_mask = models.PositiveSmallIntegerField(
        _("connected services, as bits"), default=0, db_default=0, editable=False
    )
    # Phone and e-mail are encrypted at rest (campaigns.personal_data.fields); the names are not:
    # every role reads them on every call, and agents find people by them (README, privacy).
    contact_phone = EncryptedCharField(_("contact phone"), max_length=20, blank=True)
    contact_phone_hash = DigestField(_("contact phone digest"), source="contact_phone")
    email = EncryptedCharField(_("e-mail"), max_length=254, blank=True, validators=[validate_email])
    email_hash = DigestField(_("e-mail digest"), source="email", kind="email")
    region = models.CharField(_("region"), max_length=100, blank=True)
    crm_updated_at = models.DateTimeField(_("last update from the CRM"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SubscriberAccountQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("subscriber account")
        verbose_name_plural = _("subscriber accounts")
        indexes = [
            models.Index(fields=["contact_phone_hash"], name="account_phone_hash_idx"),
            models.Index(fields=["email_hash"], name="account_email_hash_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=ACCOUNT_NUMBER_RE), name="account_number_12_digits"
            ),
            models.CheckConstraint(
                condition=Q(payment_model__in=PaymentModel.values),
                name="account_payment_model_valid",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.surname}"

    def save(self, *args, **kwargs):
        """`service_mask` is written only by its refresh (campaigns.services.service_masks): a save
        of a copy loaded before the services changed must not write its old mask back."""
        updating = not self._state.adding and not kwargs.get("force_insert")
        if updating and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "service_mask"
            ]
        super().save(*args, **kwargs)

    @property
    def initials_name(self) -> str:
        """«И.О.»: how the agent addresses the customer (first name and patronymic)."""
        return " ".join(part for part in (self.first_name, self.patronymic) if part)


class SearchChannel(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")


class AccountSearch(models.Model):
    """One account look-up by a person (issue 11 §3): who typed what, and how many it found."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="account_searches",
    )
    query = models.CharField(_("typed"), max_length=40)
    found = models.PositiveIntegerField(_("accounts found"))
    channel = models.CharField(_("channel"), max_length=10, choices=SearchChannel.choices)
    searched_at = models.DateTimeField(_("searched"), db_index=True)

    class Meta:
        ordering = ["-searched_at"]
        verbose_name = _("account search")
        verbose_name_plural = _("account searches")

    def __str__(self):
        return f"{self.user} «{self.query}»"


class ViewSurface(models.TextChoices):
    ADMIN = "admin", _("Admin form")
    API = "api", _("API")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import preview")


class SubjectType(models.TextChoices):
    ACCOUNT = "account", _("Account")
    ORDER = "order", pgettext_lazy("connection order", "Order")


class PersonalDataView(models.Model):
    """An audit record: who was shown which personal fields of an account or order unmasked,
    where and when (reveals, asked for with a reason, have their own record)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="personal_data_views",
    )
    subject_type = models.CharField(_("whose data"), max_length=10, choices=SubjectType.choices)
    subject_id = models.PositiveBigIntegerField(_("record id"))
    fields = models.JSONField(_("fields"))
    surface = models.CharField(_("where"), max_length=10, choices=ViewSurface.choices)
    viewed_at = models.DateTimeField(_("viewed"), db_index=True)

    class Meta:
        ordering = ["-viewed_at", "-id"]
        verbose_name = _("personal data view")
        verbose_name_plural = _("personal data views")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="pd_view_subject_idx")]

    def __str__(self):
        return f"{self.user} · {self.get_subject_type_display()} {self.subject_id}"
