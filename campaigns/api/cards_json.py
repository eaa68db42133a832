"""The recommendations' JSON written straight from the cards: the same bytes as DRF's JSONRenderer
makes of `recommendation_payload`, without building the payload's dicts first.

The list is read on every call (see the benchmark): what a card says whoever the customer is (the
campaign, the offer, the prices, the script version) is encoded once per catalogue copy, kept on
the card's statics beside the API's fields (`_card_fixed`), and the sentences that repeat (rank
reasons, reason labels, reward quotes) once each; the rest is encoded per card with the renderer's
own encoder. `RecommendationsRenderer` writes a `Cards` list that way and anything else (an error,
an indented answer) as JSONRenderer does: `tests/campaigns/test_api_cards_json.py` holds the two
paths to the same bytes.
"""

import functools
import math
from json.encoder import encode_basestring

from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.utils import encoders

from campaigns.api.serializers import (
    _card_fixed,
    _ev,
    _moment,
    _reason_labels,
    _reward_payload,
    history_payload,
    recommendation_payload,
)

# JSONRenderer's encoder as the project's settings make it (compact, not ASCII-only, strict).
_encode = encoders.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
NO_REASONS = '[],"reason_labels":[]'
LINE_SEPARATOR, PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


def _string(text: str) -> str:
    """A string as the encoder writes it (not ASCII-only): what `_encode` does with one."""
    return encode_basestring(text)


class Cards:
    """An account's recommendation cards (campaigns.recommendations) as the API answers them."""

    __slots__ = ("language", "recs")

    def __init__(self, recs, language: str):
        self.recs = recs
        self.language = language

    def payload(self) -> list[dict]:
        """The cards as JSON-ready dicts: the reference shape (`recommendation_payload`)."""
        return [recommendation_payload(rec, self.language) for rec in self.recs]

    def json(self) -> bytes:
        """What JSONRenderer writes of `payload()` (compact, not ASCII-only), written directly."""
        language = self.language
        zone = timezone.get_current_timezone()
        pieces = []
        for rec in self.recs:
            head, script_version = _fixed_json(rec)
            target, reasons, history = rec.target, rec.reasons, rec.history
            at = target.result_at
            propensity, expected = rec.propensity, rec.expected_value
            pieces.append(
                f'{{"id":{rec.id:d}{head},"script":{_string(rec.script)}'
                f',"connection_script":{_string(rec.connection_script)}'
                f',"result":{_string(target.result)}'
                f',"result_at":{"null" if at is None else _moment_json(at, zone)}'
                f',"eligible":{"true" if rec.eligible else "false"}'
                f',"reasons":{_reasons_json(tuple(reasons), language) if reasons else NO_REASONS}'
                f',"history":{_history_json(history) if history else "[]"}'
                f',"script_version":{script_version}'
                f',"propensity":{"null" if propensity is None else _float(round(propensity, 4))}'
                f',"expected_value":{"null" if expected is None else _ev_json(expected)}'
                f',"rank_reason":{_text_json(rec.rank_reason)}'
                f',"reward":{"null" if rec.reward is None else _reward_json(rec.reward)}}}'
            )
        data = ("[" + ",".join(pieces) + "]").encode()
        # As JSONRenderer: U+2028 and U+2029 escaped, so that the answer is a JavaScript subset.
        if LINE_SEPARATOR in data or PARAGRAPH_SEPARATOR in data:
            data = data.replace(LINE_SEPARATOR, b"\\u2028").replace(PARAGRAPH_SEPARATOR, b"\\u2029")
        return data


def _moment_json(value, zone) -> str:
    """`_moment` of an aware time in `zone` (the current time zone, looked up once per list)."""
    if timezone.is_naive(value):
        return _string(_moment(value))
    text = value.astimezone(zone).isoformat()
    return f'"{text[:-6]}Z"' if text.endswith("+00:00") else f'"{text}"'


def _history_json(history) -> str:
    return _encode([history_payload(row) for row in history])


def _float(value: float) -> str:
    """A finite float as the encoder writes it (its repr); anything else through the encoder."""
    return repr(value) if type(value) is float and math.isfinite(value) else _encode(value)


def _fixed_json(rec) -> tuple[str, str]:
    """The card's campaign-level fields encoded: from `"campaign"` to `"first_charge"` (after the
    id), and the script version; once per statics (shared between cards and calls)."""
    statics = rec.statics
    found = statics.fragments.get("api_json") if statics is not None else None
    if found is None:
        fixed = _card_fixed(rec)
        found = (
            "".join(
                f",{_encode(key)}:{_encode(fixed[key])}"
                for key in ("campaign", "offer", "price_per_day", "first_charge")
            ),
            _encode(fixed["script_version"]),
        )
        if statics is not None:
            statics.fragments["api_json"] = found
    return found


@functools.lru_cache(maxsize=1024)
def _reasons_json(codes: tuple[str, ...], language: str) -> str:
    """`"reasons"` and `"reason_labels"` of a card (the labels in `language`, the active one)."""
    return (
        f'{_encode(list(codes))},"reason_labels":{_encode(_reason_labels(list(codes), language))}'
    )


@functools.lru_cache(maxsize=4096)
def _text_json(text: str) -> str:
    return _encode(text)


@functools.lru_cache(maxsize=4096)
def _ev_json(expected_value: float) -> str:
    return _encode(_ev(expected_value))


@functools.lru_cache(maxsize=1024)
def _reward_json(quote) -> str:
    return _encode(_reward_payload(quote))


class RecommendationsRenderer(JSONRenderer):
    """JSONRenderer, writing `Cards` straight (`Cards.json`: the same bytes); an indented answer
    and anything else (errors) as JSONRenderer does."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, Cards):
            indent = self.get_indent(accepted_media_type, renderer_context or {})
            if indent is None and self.compact and not self.ensure_ascii and self.strict:
                return data.json()
            data = data.payload()
        return super().render(data, accepted_media_type, renderer_context)
