"""Shared set-up of the connection-order tests: the catalogue an order chooses from, a valid form,
and a real HTTP server on loopback standing in for the fulfilment system."""

import datetime
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.utils import timezone

from tests import factories

MSK = datetime.timezone(datetime.timedelta(hours=3))


def future_slot(days=2, hour=9, hours=3, capacity=3):
    day = timezone.localdate() + datetime.timedelta(days=days)
    starts = datetime.datetime.combine(day, datetime.time(hour), tzinfo=MSK)
    return factories.InstallerSlotFactory(
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=hours), capacity=capacity
    )


def form_data(account, slot, /, **overrides):
    """A valid order as the API takes it."""
    data = {
        "account": account.number,
        "full_name": "Журавлев Евгений Михайлович",
        "contact_phone": "+7 916 123-45-68",
        "connection_address": "г. Москва, ул. Льва Толстого, д. 16, кв. 5",
        "registration_address": "г. Москва, ул. Тимура Фрунзе, д. 11, кв. 2",
        "passport_series": "4512",
        "passport_number": "123456",
        "passport_issued_on": "2015-06-01",
        "passport_issued_by": "ОВД района Хамовники г. Москвы",
        "technology": "fttb",
        "service": "broadband",
        "tariff": "bb-100",
        "equipment": ["router-wifi6"],
        "extras": ["iptv-kino"],
        "slot": slot.pk,
        "comment": "",
    }
    data.update(overrides)
    return data


PERSONAL_VALUES = (
    "9161234568",
    "916 123-45-68",
    "Льва Толстого",
    "Тимура Фрунзе",
    "4512",
    "123456",
    "Хамовники",
    "2015-06-01",
    "01.06.2015",
)


def leaked(text: str) -> list[str]:
    """The personal values of form_data() found in `text`."""
    return [value for value in PERSONAL_VALUES if value in text]


class FulfilmentStandIn:
    """A real HTTP server on 127.0.0.1 that takes orders like the fulfilment system.

    It de-duplicates by the Idempotency-Key header (a repeat gets the first answer) and counts
    every request it saw. `mode`: "up", "slow" (answers after `delay` seconds), "error" (503),
    "reject" (400). `stop()` takes it off the network (connection refused).
    """

    def __init__(self):
        self.mode = "up"
        self.delay = 0.0
        self.requests: list[dict] = []
        self.accepted: dict[str, dict] = {}
        self.lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("Idempotency-Key", "")
                with standin.lock:
                    standin.requests.append({"path": self.path, "key": key})
                    mode = standin.mode
                if mode == "slow":
                    time.sleep(standin.delay)
                if mode == "error":
                    return self._reply(503, {"error": "unavailable"})
                if mode == "reject":
                    return self._reply(400, {"error": "bad order"})
                with standin.lock:
                    if key not in standin.accepted:
                        payload = json.loads(body)
                        standin.accepted[key] = {
                            "path": self.path,
                            "payload": payload,
                            "answer": {
                                "id": f"WO-{len(standin.accepted) + 1}",
                                "status": "accepted",
                            },
                        }
                    answer = standin.accepted[key]["answer"]
                self._reply(201, answer)

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

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    stopped = False

    def stop(self):
        self.stopped = True
        self.server.shutdown()
        self.server.server_close()

    def orders_received(self) -> list[str]:
        """References of the orders accepted (after de-duplication), in order."""
        return [
            a["payload"]["reference"] for a in self.accepted.values() if a["path"] == "/orders/"
        ]
