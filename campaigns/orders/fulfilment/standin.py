"""A local stand-in for the fulfilment system, for development, demos and the tests.

It speaks the protocol of campaigns/orders/fulfilment/client.py from the other side, over real HTTP on loopback:
    POST /orders/                    → 201 {"id": "<task>", "status": "accepted", "kind": "<kind>"}
                                       (the task by the order's kind: WO- connection work order,
                                       ACT- remote activation, DLV- equipment delivery)
    POST /orders/{reference}/cancel/ → 200 {"id": "<work order>", "status": "cancelled"}
Every request must carry an `Idempotency-Key`; a repeat of a key gets the first answer and makes
nothing new. Given the portal's URL and the token of a «Fulfilment system» login, it reports each
new order «connected» `connect_after` seconds later through the portal's status endpoint, as the
real system does once the installer has been; a cancellation received meanwhile calls that off.

It is never part of the portal's own code path: the portal only ever sees an HTTP server at
FULFILMENT_URL. Orders carry personal data, so the log lines name ids only, never the payload.

Given a `state_path` it keeps what it accepted across a restart, as the real system would: the
first answer to each key, the cancellations and which connections it has reported, written to a
JSON file after every change (ids and references only: no personal data goes to disk). On start
it reports every accepted order it has not reported yet once its `connect_after` has passed.
"""

import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CANCEL_PATH = re.compile(r"^/orders/(?P<reference>[0-9a-fA-F-]{1,64})/cancel/$")
CALLBACK_PATH = re.compile(r"^/api/v1/orders/\d+/status/$")
# Waits between attempts at a status callback the portal did not take (busy, restarting).
CALLBACK_RETRY_SECONDS = (1, 2, 5, 10, 20, 30)
CALLBACK_TIMEOUT_SECONDS = 10
# The task the fulfilment system makes of each kind of order (R8): the ДК work order of a
# connection, a remote activation (ПиУУ), an equipment delivery (МПЗ). Unknown kinds: a work order.
TASK_PREFIXES = {"connection": "WO-", "activation": "ACT-", "delivery": "DLV-"}
# What of an order's payload is kept on disk: what a status report needs, nothing personal.
KEPT_FIELDS = ("reference", "portal_id", "kind", "status_callback")


class FulfilmentStandIn:
    """An HTTP server on 127.0.0.1 that takes orders like the fulfilment system.

    `mode` lets the tests play an outage: "up", "slow" (answers after `delay` seconds), "error"
    (503), "reject" (400). `requests` lists every request seen (path and key), `accepted` the first
    answer per idempotency key, `callbacks` the status reports made to the portal.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        portal_url: str = "",
        token: str = "",
        connect_after: float | None = None,
        prefix: str = "WO-",
        log: Callable[[str], None] | None = None,
        state_path: Path | None = None,
    ):
        self.mode = "up"
        self.delay = 0.0
        self.portal_url = portal_url.rstrip("/")
        self.token = token
        self.connect_after = connect_after
        self.prefix = prefix
        self.log = log or (lambda line: None)
        self.requests: list[dict] = []
        self.accepted: dict[str, dict] = {}
        self.callbacks: list[dict] = []
        self.cancelled: set[str] = set()
        self.reported: set[str] = set()  # references whose connection was reported
        self.state_path = Path(state_path) if state_path else None
        self.lock = threading.Lock()
        self.stopped = False
        self._stopping = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread: threading.Thread | None = None
        self._load()

    def start(self) -> "FulfilmentStandIn":
        """Serve in a background thread (the tests); `serve_forever()` serves in this one."""
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        self._resume()
        self.server.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        """Off the network (connection refused from now on); pending callbacks are called off."""
        self.stopped = True
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def orders_received(self) -> list[str]:
        """References of the orders accepted (after de-duplication), in order."""
        return [
            a["payload"]["reference"] for a in self.accepted.values() if a["path"] == "/orders/"
        ]

    # The protocol -------------------------------------------------------------------------------

    def answer(self, path: str, key: str, body: bytes) -> tuple[int, dict]:
        """The reply to one POST, by path; a repeated key gets the first reply unchanged."""
        with self.lock:
            self.requests.append({"path": path, "key": key})
            mode = self.mode
        if mode == "slow":
            time.sleep(self.delay)
        if mode == "error":
            return 503, {"error": "unavailable"}
        if mode == "reject":
            return 400, {"error": "bad order"}
        if not key:
            return 400, {"error": "Idempotency-Key header required"}
        cancel = CANCEL_PATH.match(path)
        if path != "/orders/" and cancel is None:
            return 404, {"error": "no such resource"}
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return 400, {"error": "body is not JSON"}
        if not isinstance(payload, dict) or (path == "/orders/" and "reference" not in payload):
            return 400, {"error": "not an order"}
        with self.lock:
            first = self.accepted.get(key)
            if first is None:
                first = self.accepted[key] = self._accept(path, payload, cancel)
                repeat = False
                self._save()
            else:
                repeat = True
        where = "/orders/" if cancel is None else f"/orders/{cancel['reference']}/cancel/"
        kind = f" ({first['kind']})" if first.get("kind") else ""
        self.log(
            f"POST {where} → {first['answer']['id'] or '(no such work order)'}{kind}, "
            f"order {first['order'] or '?'}{' (repeat: the first answer again)' if repeat else ''}"
        )
        if not repeat and cancel is None:
            self._schedule_connection(first)
        return (201 if cancel is None else 200), first["answer"]

    def _accept(self, path, payload, cancel) -> dict:
        """What is kept of a key seen for the first time (called under the lock)."""
        if cancel is None:
            created = sum(1 for a in self.accepted.values() if a["path"] == "/orders/")
            kind = payload.get("kind") if payload.get("kind") in TASK_PREFIXES else "connection"
            prefix = TASK_PREFIXES[kind] + self.prefix.removeprefix("WO-")
            answer = {"id": f"{prefix}{created + 1}", "status": "accepted", "kind": kind}
            return {
                "path": path,
                "payload": payload,
                "answer": answer,
                "order": _order_id(payload),
                "kind": kind,
                "accepted_at": time.time(),
            }
        reference = cancel["reference"]
        self.cancelled.add(reference)
        create = next(
            (
                a
                for a in self.accepted.values()
                if a["path"] == "/orders/" and a["payload"]["reference"] == reference
            ),
            None,
        )
        return {
            "path": path,
            "payload": payload,
            "answer": {"id": create["answer"]["id"] if create else "", "status": "cancelled"},
            "order": create["order"] if create else "",
        }

    # Status callbacks to the portal -------------------------------------------------------------

    def _schedule_connection(self, accepted: dict) -> None:
        if self.connect_after is None or not self.portal_url or not self.token:
            return
        threading.Thread(target=self._connect_later, args=(accepted,), daemon=True).start()

    def _connect_later(self, accepted: dict, wait: float | None = None) -> None:
        payload, work_order = accepted["payload"], accepted["answer"]["id"]
        if self._stopping.wait(self.connect_after if wait is None else wait):
            return
        if payload["reference"] in self.cancelled:
            self.log(f"order {_order_id(payload)} was cancelled: no connection reported")
            return
        if self.report(payload, status="connected", work_order=work_order) is not None:
            with self.lock:
                self.reported.add(payload["reference"])
                self._save()

    # What it accepted, across a restart ---------------------------------------------------------

    def _load(self) -> None:
        if self.state_path is None or not self.state_path.exists():
            return
        try:
            state = json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            self.log(f"state file {self.state_path} unreadable: starting empty")
            return
        self.accepted = state.get("accepted", {})
        self.cancelled = set(state.get("cancelled", []))
        self.reported = set(state.get("reported", []))

    def _save(self) -> None:
        """Write the state (called under the lock): a new file put in place of the old one."""
        if self.state_path is None:
            return
        accepted = {
            key: {**a, "payload": {f: a["payload"].get(f) for f in KEPT_FIELDS}}
            for key, a in self.accepted.items()
        }
        state = {
            "accepted": accepted,
            "cancelled": sorted(self.cancelled),
            "reported": sorted(self.reported),
        }
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.state_path.with_name(self.state_path.name + ".partial")
        partial.write_text(json.dumps(state, ensure_ascii=False))
        os.replace(partial, self.state_path)

    def _resume(self) -> None:
        """Report the accepted orders a previous run did not report, when each is due."""
        if self.connect_after is None or not self.portal_url or not self.token:
            return
        now = time.time()
        for accepted in list(self.accepted.values()):
            reference = accepted["payload"].get("reference")
            if accepted["path"] != "/orders/" or reference in self.reported | self.cancelled:
                continue
            wait = max(0.0, accepted.get("accepted_at", now) + self.connect_after - now)
            threading.Thread(target=self._connect_later, args=(accepted, wait), daemon=True).start()

    def report(self, payload: dict, *, status: str, work_order: str) -> int | None:
        """POST a status to the portal, retrying while it does not answer; the final HTTP code."""
        path = payload.get("status_callback") or ""
        if not CALLBACK_PATH.match(path):
            path = f"/api/v1/orders/{_order_id(payload)}/status/"
        body = json.dumps({"status": status, "external_id": work_order}).encode()
        for wait in (0, *CALLBACK_RETRY_SECONDS):
            if self._stopping.wait(wait):
                return None
            code = self._post_status(path, body)
            self.log(
                f"status callback: order {_order_id(payload)} → {status}: {code or 'no answer'}"
            )
            if code is not None and code < 500:
                with self.lock:
                    self.callbacks.append(
                        {"order": _order_id(payload), "status": status, "code": code}
                    )
                return code
        return None

    def _post_status(self, path: str, body: bytes) -> int | None:
        request = urllib.request.Request(
            self.portal_url + path,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Token {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=CALLBACK_TIMEOUT_SECONDS) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            exc.close()
            return exc.code
        except (urllib.error.URLError, OSError):
            return None


def _order_id(payload: dict) -> str:
    """The portal's id of the order (an integer), nothing else from the payload."""
    value = payload.get("portal_id")
    return str(value) if isinstance(value, int) else ""


def _handler_for(standin: FulfilmentStandIn):
    class Handler(BaseHTTPRequestHandler):
        server_version = "FulfilmentStandIn/1"

        def log_message(self, *args):
            """The default access log would print nothing personal, but says it less clearly."""

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            key = self.headers.get("Idempotency-Key", "")
            status, answer = standin.answer(self.path, key, body)
            if status >= 400:
                standin.log(f"POST {self.path} → {status}")
            self._reply(status, answer)

        def do_GET(self):
            self._reply(200, {"service": "fulfilment stand-in", "orders": len(standin.accepted)})

        def _reply(self, status, body):
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
