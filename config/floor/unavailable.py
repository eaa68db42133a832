"""A failed database connection is a 503 with `Retry-After`, never a 500 (issue 11 §8)."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("config.floor")

ERR_DATABASE_UNAVAILABLE = _(
    "The database is not available for a moment; nothing was saved. Try again in a few seconds."
)


class DatabaseUnavailableMiddleware:
    """A request whose database connection failed (terminated, refused, no pooled connection in
    time) is answered 503 with `Retry-After`, never a 500: JSON `{"code": "unavailable"}` under
    /api/, a plain page elsewhere. Its transaction was rolled back by the database with the
    connection, so nothing of it was written; Django drops the broken connection afterwards."""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not _connection_failure(exception):
            return None
        logger.warning("database unavailable: %s", type(exception).__name__)
        detail = str(ERR_DATABASE_UNAVAILABLE)
        if request.path.startswith("/api/"):
            response = JsonResponse({"code": "unavailable", "detail": detail}, status=503)
        else:
            page = render_to_string("503.html", {"detail": detail})
            response = HttpResponse(page, status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response


def _connection_failure(exception) -> bool:
    if isinstance(exception, OperationalError | InterfaceError):
        return True
    try:
        from psycopg_pool import PoolTimeout
    except ImportError:  # SQLite-only installs have no pool
        return False
    return isinstance(exception, PoolTimeout)
