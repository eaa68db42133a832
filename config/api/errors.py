"""One error shape for the whole API: {"code": ..., "detail": ..., "errors": {...}}."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

ERR_VALIDATION = _("The request contains invalid data.")


class ApiError(exceptions.APIException):
    """An error a user can cause, with a stable machine-readable code."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_request"

    def __init__(self, detail, *, code=None, status_code=None):
        if status_code is not None:
            self.status_code = status_code
        super().__init__(detail=detail, code=code or self.default_code)


def _first_code(detail):
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", None)


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        field_code = _first_code(exc.detail)
        body = {
            "code": "invalid" if field_code in (None, "invalid") else field_code,
            "detail": str(ERR_VALIDATION),
            "errors": exc.detail
            if isinstance(exc.detail, dict)
            else {"non_field_errors": exc.detail},
        }
        if (
            isinstance(exc.detail, dict)
            and len(exc.detail) == 1
            and "non_field_errors" in exc.detail
        ):
            body["detail"] = str(exc.detail["non_field_errors"][0])
    else:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else None
        body = {
            "code": codes if isinstance(codes, str) else getattr(exc, "default_code", "error"),
            "detail": str(exc.detail) if hasattr(exc, "detail") else str(exc),
        }
    return Response(body, status=response.status_code, headers=_headers(response))


def _headers(response):
    return {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
