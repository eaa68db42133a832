"""The HTTP client of the fulfilment system (the order-registration system, «наряды»).

Plain stdlib `urllib.request`: one JSON POST per outbox message, with the message's idempotency key
in the `Idempotency-Key` header so that a retry after a lost answer never makes a second work
order. Errors are sorted into those worth retrying (no answer, a timeout, 408/429/5xx) and those
that are not (any other 4xx: the fulfilment system refuses the message as it is).

The protocol, as the stand-in in the tests implements it:
    POST {FULFILMENT_URL}/orders/                       → 201/200 {"id": "<work order>", "status": ...}
    POST {FULFILMENT_URL}/orders/{reference}/cancel/    → 200
and the fulfilment system reports progress with `POST /api/v1/orders/{id}/status/` on the portal.
Nothing of the response body is logged or stored but the work-order id: it may echo personal data.
"""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

RETRYABLE_STATUSES = {408, 425, 429, 500, 502, 503, 504}


class FulfilmentError(Exception):
    """A message the fulfilment system did not take. `retryable` says whether to try again."""

    def __init__(self, reason: str, *, retryable: bool):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class NotConfigured(FulfilmentError):
    def __init__(self):
        super().__init__("FULFILMENT_URL is not set", retryable=True)


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict


def _url(path: str) -> str:
    base = settings.FULFILMENT_URL or standin_url()
    if not base:
        raise NotConfigured()
    return base.rstrip("/") + "/" + path.lstrip("/")


def standin_url() -> str:
    """The address of the local stand-in while it serves (FULFILMENT_STANDIN_URL_FILE), read at
    each send: a worker started before `make run` finds it as soon as it is there."""
    path = settings.FULFILMENT_STANDIN_URL_FILE
    if not path:
        return ""
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def post(path: str, payload: dict, *, idempotency_key: str) -> Reply:
    """POST a JSON message; return the reply or raise FulfilmentError."""
    request = urllib.request.Request(
        _url(path),
        data=json.dumps(payload, ensure_ascii=False).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Idempotency-Key": idempotency_key,
            **(
                {"Authorization": f"Bearer {settings.FULFILMENT_TOKEN}"}
                if settings.FULFILMENT_TOKEN
                else {}
            ),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.FULFILMENT_TIMEOUT) as response:
            return Reply(response.status, _json(response.read()))
    except urllib.error.HTTPError as exc:
        exc.close()
        raise FulfilmentError(
            f"HTTP {exc.code}", retryable=exc.code in RETRYABLE_STATUSES
        ) from None
    except TimeoutError:
        raise FulfilmentError("timeout", retryable=True) from None
    except (urllib.error.URLError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FulfilmentError(f"unreachable: {type(reason).__name__}", retryable=True) from None


def _json(raw: bytes) -> dict:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
