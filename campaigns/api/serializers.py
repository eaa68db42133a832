"""Input and output shapes of the workspace API."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns import eligibility
from campaigns.models import (
    Appeal,
    ContactHistoryEntry,
    PaymentModel,
    ResultCode,
    SubscriberAccount,
)
from offers import pricing

MASK = "•"


def mask_phone(value: str) -> str:
    """+7 ••• •••-••-68: the last two digits only."""
    digits = [c for c in value if c.isdigit()]
    if len(digits) < 4:
        return MASK * len(value)
    return f"{MASK * 3} {MASK * 3}-{MASK * 2}-{''.join(digits[-2:])}"


def mask_email(value: str) -> str:
    if "@" not in value:
        return MASK * len(value)
    name, domain = value.split("@", 1)
    return f"{name[:1]}{MASK * 3}@{domain}"


class AccountSerializer(serializers.ModelSerializer):
    services = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    offers = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    contact_phone = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()

    class Meta:
        model = SubscriberAccount
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
            "crm_updated_at",
        ]

    def _reveal(self):
        return self.context.get("reveal_contacts", False)

    @extend_schema_field(serializers.CharField())
    def get_contact_phone(self, account):
        if self._reveal() or not account.contact_phone:
            return account.contact_phone
        return mask_phone(account.contact_phone)

    @extend_schema_field(serializers.CharField())
    def get_email(self, account):
        if self._reveal() or not account.email:
            return account.email
        return mask_email(account.email)


class AccountInputSerializer(serializers.Serializer):
    surname = serializers.CharField(max_length=100)
    first_name = serializers.CharField(max_length=100)
    patronymic = serializers.CharField(max_length=100, required=False, allow_blank=True)
    payment_model = serializers.ChoiceField(choices=PaymentModel.choices)
    balance = serializers.DecimalField(max_digits=12, decimal_places=2)
    financial_block = serializers.BooleanField(required=False, default=False)
    services = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    offers = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)


class HistoryEntrySerializer(serializers.ModelSerializer):
    agent = serializers.SerializerMethodField()
    department = serializers.CharField(source="department.name", default="")
    objections = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    action_label = serializers.CharField(source="get_action_display")

    class Meta:
        model = ContactHistoryEntry
        fields = [
            "id",
            "action",
            "action_label",
            "result",
            "created_at",
            "comment",
            "agent_comment",
            "agent",
            "department",
            "objections",
            "appeal",
        ]

    @extend_schema_field(serializers.CharField())
    def get_agent(self, entry):
        return entry.agent.get_full_name() or entry.agent.get_username()


class RecommendationCampaignSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    priority = serializers.IntegerField()


class RecommendationOfferSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    service = serializers.CharField(source="service.code")
    monthly_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    price_per_day = serializers.SerializerMethodField()
    first_charge = serializers.SerializerMethodField()
    promo_days = serializers.IntegerField()

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2))
    def get_price_per_day(self, offer):
        return str(pricing.price_per_day(offer.monthly_price, on=timezone.localdate()))

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2))
    def get_first_charge(self, offer):
        return str(
            pricing.first_charge(
                offer.monthly_price, on=timezone.localdate(), promo_days=offer.promo_days
            )
        )


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class RecommendationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = RecommendationCampaignSerializer()
    offer = RecommendationOfferSerializer()
    price_per_day = serializers.DecimalField(max_digits=10, decimal_places=2)
    first_charge = serializers.DecimalField(max_digits=10, decimal_places=2)
    script = serializers.CharField()
    connection_script = serializers.CharField()
    result = serializers.ChoiceField(choices=ResultCode.choices, source="target.result")
    result_at = serializers.DateTimeField(source="target.result_at")
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    reason_labels = serializers.SerializerMethodField()
    history = HistoryEntrySerializer(many=True)

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reason_labels(self, rec):
        return [{"code": r, "label": str(eligibility.Reason(r).label)} for r in rec.reasons]


class ResultInputSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=ResultCode.choices)
    objections = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    appeal = serializers.IntegerField(required=False, allow_null=True, default=None)


class ResultOutputSerializer(serializers.Serializer):
    result = serializers.CharField()
    recommendations = serializers.ListField(child=serializers.IntegerField())
    history = HistoryEntrySerializer(many=True)
    order_url = serializers.CharField(allow_null=True)


class AppealSerializer(serializers.ModelSerializer):
    account = serializers.CharField(source="account.number")
    agent = serializers.CharField(source="agent.get_username")
    department = serializers.CharField(source="department.name", default="")
    theme_label = serializers.CharField(source="get_theme_display")
    history = HistoryEntrySerializer(many=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "account",
            "agent",
            "department",
            "theme",
            "theme_label",
            "detail",
            "result",
            "question_resolved",
            "negative_customer",
            "complaint",
            "not_service_user",
            "started_at",
            "closed_at",
            "history",
        ]


class AppealInputSerializer(serializers.Serializer):
    account = serializers.RegexField(r"^[0-9]{12}$", max_length=12)
    question_resolved = serializers.BooleanField(required=False, default=False)
    negative_customer = serializers.BooleanField(required=False, default=False)
    complaint = serializers.BooleanField(required=False, default=False)
    not_service_user = serializers.BooleanField(required=False, default=False)


class AppealFlagsSerializer(serializers.Serializer):
    question_resolved = serializers.BooleanField(required=False)
    negative_customer = serializers.BooleanField(required=False)
    complaint = serializers.BooleanField(required=False)
    not_service_user = serializers.BooleanField(required=False)
