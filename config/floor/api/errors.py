"""One error shape for the whole API: {"code": ..., "detail": ..., "errors": {...}}.

`code` is stable and machine-readable, `detail` is a translated sentence, and validation errors add
`errors`: each field with its messages. Bad input never becomes a 500: the domain errors services
raise (config.floor.errors) get the status of their kind, Django's ValidationError (from a
service's `full_clean()`), Http404 and PermissionDenied are mapped to their DRF forms.
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from config.floor import errors
from config.floor.api.parsers import TooLarge

ERR_VALIDATION = _("The request contains invalid data.")

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY
PASSED_HEADERS = ("WWW-Authenticate", "Retry-After", "Allow")


# The status of each kind of domain error; a plain DomainError is invalid input.
STATUS_OF = {
    errors.NotFound: status.HTTP_404_NOT_FOUND,
    errors.Forbidden: status.HTTP_403_FORBIDDEN,
    errors.Conflict: status.HTTP_409_CONFLICT,
}


def status_for(error: errors.DomainError) -> int:
    """The HTTP status a domain error answers with (the API's and the pages' alike)."""
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return status.HTTP_400_BAD_REQUEST


class _DomainAPIError(exceptions.APIException):
    def __init__(self, error: errors.DomainError):
        self.status_code = status_for(error)
        self.extra = error.extra
        super().__init__(detail=str(error), code=error.code)


def _first_code(detail):
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", None)


def _validation_body(exc: exceptions.ValidationError) -> dict:
    errors = exc.detail if isinstance(exc.detail, dict) else {NON_FIELD: exc.detail}
    field_code = _first_code(errors)
    detail = str(ERR_VALIDATION)
    if list(errors) == [NON_FIELD] and errors[NON_FIELD]:
        # A single error about the request as a whole reads better as the detail itself.
        detail = str(errors[NON_FIELD][0])
    return {
        "code": "invalid" if field_code in (None, "invalid") else field_code,
        "detail": detail,
        "errors": errors,
    }


def _error_body(exc: exceptions.APIException) -> dict:
    codes = exc.get_codes()
    return {
        "code": codes if isinstance(codes, str) else exc.default_code,
        "detail": str(exc.detail),
    }


def exception_handler(exc, context):
    if isinstance(exc, errors.DomainError):
        exc = _DomainAPIError(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        exc = TooLarge()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = _validation_body(exc)
    else:
        body = _error_body(exc)
    body.update(getattr(exc, "extra", None) or {})
    headers = {k: v for k, v in response.items() if k in PASSED_HEADERS}
    return Response(body, status=response.status_code, headers=headers)
