"""`python manage.py fulfilment_standin`: a local fulfilment system for development and demos.

Serves the hand-off protocol of campaigns/orders/fulfilment/client.py on 127.0.0.1 (point FULFILMENT_URL at it)
and reports each order «connected» back to the portal after `--connect-after` seconds, with the API
token of the `fulfilment` login that `seed_demo` creates. `make run` starts it in the background.
"""

import datetime
import hashlib
import signal
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import Token

from campaigns.orders.fulfilment.standin import FulfilmentStandIn

FULFILMENT_LOGIN = "fulfilment"
DEFAULT_PORT = 8099
DEFAULT_CONNECT_AFTER = 20.0

ERR_REFUSED = gettext_lazy(
    "The fulfilment stand-in reports orders connected that nobody connected; it is refused under "
    "these settings (DEMO_LOGINS_ALLOWED is False, as in production)."
)
ERR_NO_LOGIN = gettext_lazy(
    "There is no «%(login)s» login to report statuses with: run `python manage.py seed_demo` "
    "or pass --token."
)
ERR_PORT_BUSY = gettext_lazy("Port %(port)s is taken: %(error)s")


def fulfilment_token(username: str = FULFILMENT_LOGIN) -> str:
    """The API token of the fulfilment system's login in this database, made if it has none."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(ERR_NO_LOGIN % {"login": username})
    token, _created = Token.objects.get_or_create(user=user)
    return token.key


class Command(BaseCommand):
    help = (
        "Serve a local stand-in for the fulfilment system on 127.0.0.1 (for FULFILMENT_URL): it "
        "takes orders and cancellations, and reports each order connected back to the portal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=DEFAULT_PORT)
        parser.add_argument(
            "--connect-after",
            type=float,
            default=DEFAULT_CONNECT_AFTER,
            metavar="SECONDS",
            help="Report a new order connected this many seconds after taking it (default 20).",
        )
        parser.add_argument(
            "--portal-url",
            default="http://127.0.0.1:8000",
            help="Where the portal serves, for the status callbacks (default %(default)s).",
        )
        parser.add_argument(
            "--state",
            default="",
            metavar="FILE",
            help="Keep what was accepted across a restart in this JSON file (default: "
            "var/fulfilment-standin-<database>.json, one per database).",
        )
        parser.add_argument(
            "--token",
            default="",
            help="API token of a «Fulfilment system» login (default: the "
            "token of the `fulfilment` login in this database).",
        )

    def handle(self, *args, port, connect_after, portal_url, token, state, **options):
        if not getattr(settings, "DEMO_LOGINS_ALLOWED", False):
            raise CommandError(ERR_REFUSED)
        token = token or fulfilment_token()
        try:
            standin = FulfilmentStandIn(
                port=port,
                portal_url=portal_url,
                token=token,
                connect_after=max(connect_after, 0.0),
                prefix=f"WO-{datetime.datetime.now():%m%d%H%M}-",
                log=self._log,
                state_path=Path(state) if state else default_state_path(),
            )
        except OSError as error:
            raise CommandError(ERR_PORT_BUSY % {"port": port, "error": error}) from error
        self._log(
            _(
                "Fulfilment stand-in on %(url)s: orders are reported connected to %(portal)s "
                "%(seconds)s s after they arrive. Ctrl-C stops it."
            )
            % {"url": standin.url, "portal": portal_url, "seconds": f"{connect_after:g}"}
        )
        # `make run` stops it with SIGTERM: leave through `finally`, taking the address file away.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        url_file = settings.FULFILMENT_STANDIN_URL_FILE
        if url_file:
            Path(url_file).parent.mkdir(parents=True, exist_ok=True)
            Path(url_file).write_text(standin.url)
        try:
            standin.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            standin.stop()
            _forget_url(url_file, standin.url)

    def _log(self, line: str) -> None:
        self.stdout.write(f"[fulfilment {datetime.datetime.now():%H:%M:%S}] {line}")
        self.stdout.flush()


def default_state_path() -> Path:
    """One state file per database: another database's orders are not this one's."""
    name = str(settings.DATABASES["default"]["NAME"])
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return Path(settings.VAR_DIR) / f"fulfilment-standin-{digest}.json"


def _forget_url(url_file, url: str) -> None:
    """Remove the address file unless another stand-in has written its own since."""
    if not url_file:
        return
    path = Path(url_file)
    try:
        if path.read_text().strip() == url:
            path.unlink()
    except OSError:
        pass
