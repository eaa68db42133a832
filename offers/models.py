"""The catalogue: services, segments, offers (packages, subscriptions, options, tariffs, ...)."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ServiceCode(models.TextChoices):
    BROADBAND = "broadband", _("Broadband internet")
    IPTV = "iptv", _("Interactive TV")
    PHONE = "phone", _("Home phone")
    MOBILE = "mobile", _("Mobile")


class Service(models.Model):
    """A basic service a subscriber can hold: broadband, IPTV, home phone, mobile."""

    code = models.CharField(_("code"), max_length=20, choices=ServiceCode.choices, unique=True)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self):
        return self.name


class Segment(models.Model):
    """A set of services an account holds exactly, e.g. broadband + IPTV (R12)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    services = models.ManyToManyField(Service, related_name="segments", verbose_name=_("services"))
    history = HistoricalRecords(m2m_fields=[services])

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self):
        return self.name


class OfferKind(models.TextChoices):
    PACKAGE = "package", _("Package")
    SUBSCRIPTION = "subscription", _("Subscription")
    OPTION = "option", _("Option")
    TARIFF = "tariff", _("Tariff plan")
    EQUIPMENT = "equipment", _("Equipment")
    SERVICE = "service", _("Service")


class OfferQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_relations(self):
        return self.select_related("service").prefetch_related("segments")


class Offer(models.Model):
    """Something an agent can sell: a package, subscription, option, tariff, equipment or service."""

    code = models.SlugField(_("code"), max_length=60, unique=True, allow_unicode=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OfferKind.choices)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="offers", verbose_name=_("service")
    )
    monthly_price = models.DecimalField(
        _("monthly price, ₽"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    promo_days = models.PositiveSmallIntegerField(
        _("free promo days"), default=0, help_text=_("Days free of charge after connection.")
    )
    speed_mbps = models.PositiveIntegerField(
        _("speed, Mbit/s"), null=True, blank=True, help_text=_("For broadband tariffs and options.")
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    segments = models.ManyToManyField(
        Segment, related_name="offers", blank=True, verbose_name=_("segments")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[segments], excluded_fields=["updated_at"])

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["service__order", "name"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_price__gte=0), name="offer_monthly_price_non_negative"
            ),
            models.CheckConstraint(condition=Q(kind__in=OfferKind.values), name="offer_kind_valid"),
        ]

    def __str__(self):
        return self.name


class Technology(models.Model):
    """A connection technology (e.g. FTTB, GPON) with the tariffs and equipment that work over it."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    services = models.ManyToManyField(
        Service,
        related_name="technologies",
        verbose_name=_("services"),
        help_text=_("The services this technology can carry."),
    )
    offers = models.ManyToManyField(
        Offer,
        related_name="technologies",
        blank=True,
        verbose_name=_("tariffs and equipment"),
        help_text=_("Tariff plans and equipment that work over this technology."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("connection technology")
        verbose_name_plural = _("connection technologies")

    def __str__(self):
        return self.name
