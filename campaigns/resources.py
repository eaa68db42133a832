"""Import and export of campaigns (django-import-export), keyed by the campaign code.

The status is exported but never imported: a campaign is switched on, paused or archived through
`campaigns.services.campaigns_set_status` (the admin actions), so an import cannot put a campaign in
front of agents. An imported new campaign starts as a draft owned by the manager who imports it.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from campaigns.models import Campaign, CampaignTarget, SubscriberAccount
from offers.models import Offer, Segment, Service
from offers.resources import CatalogueResource, code_field, codes_field


class CampaignResource(CatalogueResource):
    """Campaigns keyed by code; the offer by its code, the segments as a list of codes."""

    offer = code_field("offer", Offer)
    segments = codes_field("segments", Segment)
    status = fields.Field(attribute="status", column_name="status", readonly=True)
    owner = fields.Field(attribute="owner__username", column_name="owner", readonly=True)

    class Meta:
        model = Campaign
        import_id_fields = ["code"]
        fields = [
            "code",
            "name",
            "offer",
            "script_template",
            "connection_script_template",
            "segments",
            "starts_on",
            "ends_on",
            "priority",
            "cooldown_days",
            "status",
            "owner",
        ]
        export_order = fields

    def before_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        if instance.pk is None and instance.owner_id is None and user is not None:
            instance.owner = user


class SubscriberAccountResource(CatalogueResource):
    """Accounts keyed by number; services and offers held as lists of codes."""

    services = codes_field("services", Service)
    offers = codes_field("offers", Offer)

    class Meta:
        model = SubscriberAccount
        import_id_fields = ["number"]
        fields = [
            "number",
            "surname",
            "first_name",
            "patronymic",
            "payment_model",
            "balance",
            "financial_block",
            "services",
            "offers",
            "contact_phone",
            "email",
            "region",
        ]
        export_order = fields


class CampaignTargetResource(resources.ModelResource):
    """A campaign's target list as a manager reads it (export only): who, and what came of it."""

    campaign = fields.Field(attribute="campaign__code", column_name=_("campaign"))
    account = fields.Field(attribute="account__number", column_name=_("account number"))
    customer = fields.Field(column_name=_("customer"))
    result = fields.Field(column_name=_("result"))
    result_at = fields.Field(column_name=_("result recorded"))
    added_at = fields.Field(column_name=_("added"))

    class Meta:
        model = CampaignTarget
        fields = ["campaign", "account", "customer", "result", "result_at", "added_at"]
        export_order = fields

    def dehydrate_customer(self, target):
        account = target.account
        return " ".join(
            part for part in (account.surname, account.first_name, account.patronymic) if part
        )

    def dehydrate_result(self, target):
        return str(target.get_result_display())

    def dehydrate_result_at(self, target):
        return _local(target.result_at)

    def dehydrate_added_at(self, target):
        return _local(target.added_at)


def _local(moment):
    """A moment in the portal's time zone, without it (spreadsheets know no time zones)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None
