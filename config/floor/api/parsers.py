"""Request bodies a client cannot turn into a server error: bounded in size and in nesting.

Python's JSON decoder recurses once per level, so a body nested a hundred thousand deep raised
RecursionError (a 500) before anything looked at it. The portal's JSON parser reads at most
`DATA_UPLOAD_MAX_MEMORY_SIZE` bytes (more: 413 `too_large`), refuses what does not decode or nests
deeper than `API_JSON_MAX_DEPTH` (400 `malformed`), and says so in the API's error shape. The
middleware `config.floor.middleware.ApiBodyLimitMiddleware` refuses an announced oversize body
before anything reads it.
"""

import json

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status

ERR_MALFORMED = _("The request body is not valid JSON (line %(line)d, column %(column)d).")
ERR_NOT_JSON = _("The request body is not valid JSON.")
ERR_NOT_TEXT = _("The request body is not text in the declared encoding.")
ERR_TOO_DEEP = _("The request body is nested deeper than %(depth)d levels.")
ERR_TOO_LARGE = _("The request body is larger than %(size)s.")


class Malformed(exceptions.ParseError):
    default_code = "malformed"

    def __init__(self, detail):
        super().__init__(detail=detail, code=self.default_code)


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self):
        size = filesizeformat(body_limit())
        super().__init__(detail=ERR_TOO_LARGE % {"size": size}, code=self.default_code)


def body_limit() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def depth_of(value) -> int:
    """How deep lists and objects nest in a decoded value (a scalar is 0), without recursion."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def decode(raw: bytes, encoding: str = "utf-8", *, strict: bool = True):
    """The JSON value of `raw`, or Malformed / TooLarge with a reason a client can act on."""
    if len(raw) > body_limit():
        raise TooLarge
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise Malformed(ERR_NOT_TEXT) from exc
    try:
        value = json.loads(text, parse_constant=_no_constant if strict else None)
    except json.JSONDecodeError as exc:
        raise Malformed(ERR_MALFORMED % {"line": exc.lineno, "column": exc.colno}) from exc
    except ValueError as exc:
        raise Malformed(ERR_NOT_JSON) from exc
    except RecursionError as exc:
        raise Malformed(ERR_TOO_DEEP % {"depth": settings.API_JSON_MAX_DEPTH}) from exc
    if depth_of(value) > settings.API_JSON_MAX_DEPTH:
        raise Malformed(ERR_TOO_DEEP % {"depth": settings.API_JSON_MAX_DEPTH})
    return value


def _no_constant(name):
    # NaN and Infinity are not JSON; DRF's strict mode refuses them too.
    raise ValueError(name)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the body's size and nesting bounded (see the module)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        raw = stream.read(body_limit() + 1) if stream is not None else b""
        return decode(raw, encoding, strict=self.strict)
