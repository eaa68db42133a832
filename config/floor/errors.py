"""The domain errors services raise: a stable `code`, a translated message with its params, and
optional extra data for the answer. They know nothing of HTTP.

    raise DomainError(ERR_TOO_MANY_OBJECTIONS, code="too_many_objections")
    raise NotFound(ERR_NO_ACCOUNT, code="account_not_found")
    raise Conflict(ERR_APPEAL_CLOSED, code="appeal_closed")
    raise DomainError(ERR_NOT_ELIGIBLE, code="not_eligible", params={"reasons": …}, extra={…})

The edges translate them: the API's exception handler (config.floor.api.errors) answers
`{"code", "detail", **extra}` with the status of the error's kind (a plain DomainError is 400);
pages show `str(error)` as a message or an error page. Errors of a whole form, field by field,
stay Django's ValidationError, which the API answers with 400 and `errors`.
"""


class DomainError(Exception):
    """Something a user asked for that the rules refuse (a plain one: invalid input)."""

    default_code = "invalid"

    def __init__(self, message, *, code: str | None = None, params=None, extra=None):
        self.message = message
        self.code = code or self.default_code
        self.params = params or {}
        self.extra = extra or {}
        super().__init__(self.code)

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class NotFound(DomainError):
    """What the request names does not exist (or is not the caller's to see)."""

    default_code = "not_found"


class Forbidden(DomainError):
    """The caller's role may not do this."""

    default_code = "permission_denied"


class Conflict(DomainError):
    """The request is valid but the object's state refuses it (a closed appeal, a cancelled order)."""

    default_code = "conflict"
