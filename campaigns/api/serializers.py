"""Input and output shapes of the workspace API."""

import functools
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns import eligibility, personal_data
from campaigns.models import (
    Appeal,
    ContactHistoryEntry,
    PaymentModel,
    ResultCode,
    SubscriberAccount,
)
from campaigns.models.accounts import (
    ERR_ACCOUNT_NUMBER,
    is_account_number,
    normalise_account_number,
)
from campaigns.selectors import segment_of


class AccountSerializer(serializers.ModelSerializer):
    services = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    offers = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    contact_phone = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    segment = serializers.SerializerMethodField()

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
            "segment",
            "crm_updated_at",
        ]

    @extend_schema_field(
        serializers.DictField(
            allow_null=True,
            help_text="The segment the account falls into (R12): code and name; null for none.",
        )
    )
    def get_segment(self, account):
        segment = segment_of(account_id=account.pk)
        return {"code": segment.code, "name": segment.name} if segment else None

    def _reveal(self):
        return self.context.get("reveal_contacts", False)

    @extend_schema_field(serializers.CharField())
    def get_contact_phone(self, account):
        if self._reveal() or not account.contact_phone:
            return account.contact_phone
        return personal_data.mask_phone(account.contact_phone)

    @extend_schema_field(serializers.CharField())
    def get_email(self, account):
        if self._reveal() or not account.email:
            return account.email
        return personal_data.mask_email(account.email)


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


class HistoryRowSerializer(serializers.Serializer):
    """One contact-history entry as the workspace API returns it (documentation of the shape)."""

    id = serializers.IntegerField()
    action = serializers.CharField()
    action_label = serializers.CharField()
    result = serializers.ChoiceField(choices=ResultCode.choices)
    created_at = serializers.DateTimeField()
    comment = serializers.CharField()
    agent_comment = serializers.CharField()
    agent = serializers.CharField()
    department = serializers.CharField()
    objections = serializers.ListField(child=serializers.CharField())
    appeal = serializers.IntegerField(allow_null=True)


_datetime = serializers.DateTimeField()
_money = serializers.DecimalField(max_digits=10, decimal_places=2)


def history_payload(row: dict) -> dict:
    """A history row of campaigns.recommendations, ready for JSON."""
    return {
        key: _moment(value) if key == "created_at" else value
        for key, value in row.items()
        if key != "target_id"
    }


def _moment(value) -> str | None:
    """What `_datetime.to_representation` answers (ISO 8601 in the current time zone, «Z» for
    UTC), without the field's look-ups of its settings: the cards' times are read on every call."""
    if not value:
        return None
    if timezone.is_naive(value):
        return _datetime.to_representation(value)
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def new_entries_payload(entries) -> list[dict]:
    """The history entries of one save (recommendation_record_result), without reading them back:
    what they share (their action, time, agent, department, appeal) is written out once."""
    first = entries[0]
    agent = first.agent
    shared = {
        "action": first.action,
        "action_label": str(first.get_action_display()),
        "result": first.result,
        "created_at": _moment(first.created_at),
        "comment": first.comment,
        "agent_comment": first.agent_comment,
        "agent": agent.get_full_name() or agent.get_username(),
        "department": first.department.name if first.department else "",
        "objections": first.objection_codes,
        "appeal": first.appeal_id,
    }
    return [{"id": entry.pk, **shared} for entry in entries]


def recommendation_payload(rec, language: str | None = None) -> dict:
    """A recommendation as JSON, built directly: it is read on every call (see the benchmark).
    The fields that depend only on the campaign, its offer and the day are built once per
    catalogue copy (kept on the card's `statics`) and shared by every card of that campaign.
    `language`: the active one (looked up when not given; a list of cards passes it once)."""
    fixed = _card_fixed(rec)
    target = rec.target
    history = rec.history
    return {
        "id": rec.id,
        "campaign": fixed["campaign"],
        "offer": fixed["offer"],
        "price_per_day": fixed["price_per_day"],
        "first_charge": fixed["first_charge"],
        "script": rec.script,
        "connection_script": rec.connection_script,
        "result": target.result,
        "result_at": _moment(target.result_at),
        "eligible": rec.eligible,
        "reasons": rec.reasons,
        "reason_labels": _reason_labels(rec.reasons, language),
        "history": [history_payload(row) for row in history] if history else [],
        "script_version": fixed["script_version"],
        "propensity": None if rec.propensity is None else round(rec.propensity, 4),
        "expected_value": None if rec.expected_value is None else _ev(rec.expected_value),
        "rank_reason": rec.rank_reason,
        "reward": None if rec.reward is None else _reward_payload(rec.reward),
    }


def _card_fixed(rec) -> dict:
    """The card's campaign-level fields (remembered on its statics, when it has them). Shared
    between cards and calls: read, never changed."""
    statics = rec.statics
    fixed = statics.fragments.get("api") if statics is not None else None
    if fixed is not None:
        return fixed
    campaign, offer = rec.campaign, rec.offer
    per_day = _money.to_representation(rec.price_per_day)
    first = _money.to_representation(rec.first_charge)
    fixed = {
        "campaign": {"code": campaign.code, "name": campaign.name, "priority": campaign.priority},
        "offer": {
            "code": offer.code,
            "name": offer.name,
            "kind": offer.kind,
            "service": offer.service.code,
            "monthly_price": _money.to_representation(offer.monthly_price),
            "price_per_day": per_day,
            "first_charge": first,
            "promo_days": offer.promo_days,
        },
        "price_per_day": per_day,
        "first_charge": first,
        "script_version": rec.script_version.label if rec.script_version else None,
    }
    if statics is not None:
        statics.fragments["api"] = fixed
    return fixed


def _reason_labels(codes: list[str], language: str | None = None) -> list[dict]:
    if not codes:
        return []
    language = language or get_language()
    return [_reason_label(code, language) for code in codes]


@functools.lru_cache(maxsize=256)
def _reason_label(code: str, language: str) -> dict:
    """{"code", "label"} of an eligibility reason in the caller's language (shared: read only)."""
    return {"code": code, "label": str(eligibility.Reason(code).label)}


@functools.lru_cache(maxsize=4096)
def _ev(expected_value: float) -> str:
    return _money.to_representation(Decimal(str(round(expected_value, 2))))


@functools.lru_cache(maxsize=1024)
def _reward_payload(quote) -> dict:
    """A RewardQuote as JSON (quotes are remembered per catalogue copy; shared: read only)."""
    return {
        "amount": _money.to_representation(quote.amount),
        "basis": quote.basis,
        "detail": quote.detail,
    }


class RecommendationCampaignSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    priority = serializers.IntegerField()


class RecommendationOfferSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    service = serializers.CharField()
    monthly_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    price_per_day = serializers.DecimalField(max_digits=10, decimal_places=2)
    first_charge = serializers.DecimalField(max_digits=10, decimal_places=2)
    promo_days = serializers.IntegerField()


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class RewardQuoteSerializer(serializers.Serializer):
    """What selling the offer today earns the agent: the statement's figure for such an order."""

    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    basis = serializers.ChoiceField(
        choices=["fixed", "arpu_share", "tiered", "none"],
        help_text="fixed amount, share of ARPU (a new service), band of a tariff move by the fee "
        "increase, or none (no rule pays today)",
    )
    detail = serializers.CharField(help_text="The rule's basis in words, in the caller's language.")


class RecommendationSerializer(serializers.Serializer):
    """The shape of a recommendation in the schema; `recommendation_payload` builds it."""

    id = serializers.IntegerField()
    campaign = RecommendationCampaignSerializer()
    offer = RecommendationOfferSerializer()
    price_per_day = serializers.DecimalField(max_digits=10, decimal_places=2)
    first_charge = serializers.DecimalField(max_digits=10, decimal_places=2)
    script = serializers.CharField()
    connection_script = serializers.CharField()
    result = serializers.ChoiceField(choices=ResultCode.choices)
    result_at = serializers.DateTimeField(allow_null=True)
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    reason_labels = ReasonSerializer(many=True)
    history = HistoryRowSerializer(many=True)
    reward = RewardQuoteSerializer(allow_null=True)
    script_version = serializers.CharField(
        allow_null=True,
        help_text="The label of the script version this account sees (A/B); null: the "
        "campaign's own script.",
    )
    propensity = serializers.FloatField(
        allow_null=True,
        help_text="The learned chance (0–1) that a customer like this one agrees, in this "
        "call's context; null under the static ranking.",
    )
    expected_value = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        allow_null=True,
        help_text="propensity × value of an agreement × the campaign's priority / 100, ₽.",
    )
    rank_reason = serializers.CharField(
        help_text="Why it stands where it does, in words (translated)."
    )


class ResultInputSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=ResultCode.choices)
    objections = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    appeal = serializers.IntegerField(required=False, allow_null=True, default=None)
    callback_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="With «thinking»: when to call back (default: two working days later, outside "
        "peak hours; local time when no zone is given).",
    )
    need_heard = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The customer's need was heard / a business bridge was used; "
        "absent: the appeal's flag.",
    )


# The shape almost every save sends, checked by hand (ResultInputSerializer builds and deep-copies
# its six fields on every request: ~0.4 ms of a save's CPU). Anything else goes to the serializer,
# so every refusal keeps its words and code; what is accepted here it accepts the same.
_RESULT_VALUES = frozenset(ResultCode.values)
_OBJECTION_MAX = 40
_COMMENT_MAX = 2000


def result_input(data) -> dict:
    """The validated input of a result save (ResultInputSerializer's `validated_data`)."""
    if type(data) is dict:
        values = _result_input_plain(data)
        if values is not None:
            return values
    serializer = ResultInputSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _result_input_plain(data: dict) -> dict | None:
    """The values of a JSON body of the usual shape, as the serializer gives them; None when
    anything is off (the serializer then says what)."""
    result = data.get("result")
    if type(result) is not str or result not in _RESULT_VALUES:
        return None
    objections = data.get("objections", [])
    if type(objections) is not list:
        return None
    objections = [_text(code, _OBJECTION_MAX) for code in objections]
    if not all(objections):
        return None
    comment = data.get("comment", "")
    comment = "" if comment == "" else _text(comment, _COMMENT_MAX)
    if comment is None:
        return None
    appeal, need_heard = data.get("appeal"), data.get("need_heard")
    if appeal is not None and type(appeal) is not int:
        return None
    if need_heard is not None and type(need_heard) is not bool:
        return None
    if data.get("callback_at") is not None:
        return None  # a time: parsed and zoned by the serializer's field
    return {
        "result": result,
        "objections": objections,
        "comment": comment,
        "appeal": appeal,
        "callback_at": None,
        "need_heard": need_heard,
    }


def _text(value, max_length: int) -> str | None:
    """A CharField's value (trimmed), or None where the field would refuse it or convert it:
    not a string, blank, too long, a null character or a lone surrogate."""
    if type(value) is not str:
        return None
    value = value.strip()
    if not value or len(value) > max_length or "\x00" in value:
        return None
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError:
            return None
    return value


class ResultCallbackSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    due_at = serializers.DateTimeField()


class ResultOutputSerializer(serializers.Serializer):
    result = serializers.CharField()
    state = serializers.ChoiceField(
        choices=ResultCode.choices,
        help_text="The product's state after the save: a later «not_offered» keeps the state.",
    )
    recommendations = serializers.ListField(child=serializers.IntegerField())
    history = HistoryRowSerializer(many=True)
    order_url = serializers.CharField(allow_null=True)
    callback = ResultCallbackSerializer(allow_null=True)


def callback_payload(callback) -> dict | None:
    if callback is None:
        return None
    return {"id": callback.pk, "due_at": _moment(callback.due_at)}


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
            "need_heard",
            "started_at",
            "closed_at",
            "history",
        ]


class AccountNumberField(serializers.CharField):
    """12 digits, taken as people paste them: spaces and dashes between the digits go."""

    default_error_messages = {"invalid": ERR_ACCOUNT_NUMBER}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = normalise_account_number(super().to_internal_value(data))
        if not is_account_number(value):
            self.fail("invalid")
        return value


class AppealInputSerializer(serializers.Serializer):
    account = AccountNumberField()
    question_resolved = serializers.BooleanField(required=False, default=False)
    negative_customer = serializers.BooleanField(required=False, default=False)
    complaint = serializers.BooleanField(required=False, default=False)
    not_service_user = serializers.BooleanField(required=False, default=False)
    need_heard = serializers.BooleanField(required=False, default=False)


class AppealFlagsSerializer(serializers.Serializer):
    question_resolved = serializers.BooleanField(required=False)
    negative_customer = serializers.BooleanField(required=False)
    complaint = serializers.BooleanField(required=False)
    not_service_user = serializers.BooleanField(required=False)
    need_heard = serializers.BooleanField(required=False)


class AnswerStepSerializer(serializers.Serializer):
    step = serializers.CharField()
    letter = serializers.CharField()
    label = serializers.CharField()
    text = serializers.CharField(help_text="The step's wording for this offer, blanks filled.")


class StockAnswerOutSerializer(serializers.Serializer):
    customer_says = serializers.CharField()
    answer = serializers.CharField()


class CardObjectionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    steps = AnswerStepSerializer(many=True)
    stock_answers = StockAnswerOutSerializer(many=True)


class CardBridgeSerializer(serializers.Serializer):
    code = serializers.CharField()
    trigger = serializers.CharField()
    phrase = serializers.CharField(help_text="The linking phrase, filled from the account.")


class CardAnswersSerializer(serializers.Serializer):
    """What the card of a recommendation answers with: В.З.О.Р. answers for its offer and the
    business bridges leading to it, blanks filled (the price a day, the account's tariff)."""

    recommendation = serializers.IntegerField()
    offer = serializers.CharField()
    need_heard = serializers.BooleanField(
        help_text="The customer's need is heard for this offer in the appeal (the appeal's flag, "
        "or a business bridge opened for the offer)."
    )
    objections = CardObjectionSerializer(many=True)
    bridges = CardBridgeSerializer(many=True)


def card_answers_payload(target_id, offer, answers) -> dict:
    return {
        "recommendation": target_id,
        "offer": offer.code,
        "need_heard": answers.need_heard,
        "objections": [
            {
                "code": objection.code,
                "name": objection.name,
                "steps": [
                    {"step": s.step, "letter": s.letter, "label": s.label, "text": s.text}
                    for s in objection.steps
                ],
                "stock_answers": [
                    {"customer_says": says, "answer": answer}
                    for says, answer in objection.stock_answers
                ],
            }
            for objection in answers.objections
        ],
        "bridges": [
            {"code": bridge.code, "trigger": bridge.trigger, "phrase": phrase}
            for bridge, phrase in answers.bridges
        ],
    }
