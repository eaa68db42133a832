"""The OpenAPI schema: the one error body, documented on every operation that can return it.

`PortalAutoSchema` is the DEFAULT_SCHEMA_CLASS. After drf-spectacular has described an operation it
adds the `Error` component for the status codes the plumbing itself can produce there:

- 400 when the operation takes a body or query parameters (validation, filters, pagination);
- 401 and 403 unless the view lets anyone in;
- 404 when the path names an object or the list is paginated (`?page=` past the end);
- 409 when a signed-in caller writes (a rule refuses the change in the object's current state, or an
  `Idempotency-Key` is replayed with another request);
- 413 when it takes a body (larger than `DATA_UPLOAD_MAX_MEMORY_SIZE`: `too_large`);
- 429 when the view throttles its callers (`throttled`).

Codes a view declares itself (with `@extend_schema(responses=...)`) are left as the view wrote them.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import permissions, serializers

ErrorSerializer = inline_serializer(
    "Error",
    {
        "code": serializers.CharField(help_text="A stable, machine-readable error code."),
        "detail": serializers.CharField(help_text="A human-readable, translated message."),
        "errors": serializers.DictField(
            required=False,
            help_text="Field errors: each field with its list of messages.",
        ),
    },
)

ERROR_DESCRIPTIONS = {
    400: "Invalid input",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
}
# Answers of the plumbing that only some operations can give (see `PortalAutoSchema`).
PLUMBING_DESCRIPTIONS = {
    409: "Conflicts with the current state",
    413: "Request body too large",
    429: "Too many requests",
}

ERROR_RESPONSES = {
    code: OpenApiResponse(ErrorSerializer, description=description)
    for code, description in ERROR_DESCRIPTIONS.items()
}
PLUMBING_RESPONSES = {
    code: OpenApiResponse(ErrorSerializer, description=description)
    for code, description in PLUMBING_DESCRIPTIONS.items()
}
ALL_RESPONSES = {**ERROR_RESPONSES, **PLUMBING_RESPONSES}
WRITES = ("POST", "PUT", "PATCH", "DELETE")


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error responses every endpoint may return."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for code in self._error_codes(operation):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(ALL_RESPONSES[code], str(code))
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_codes(self, operation) -> list[int]:
        codes = []
        takes_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
        if "requestBody" in operation or takes_query:
            codes.append(400)
        open_to_anyone = self._open_to_anyone()
        if not open_to_anyone:
            codes.extend([401, 403])
        if "{" in self.path or self._is_paginated_list():
            codes.append(404)
        if self.method in WRITES and not open_to_anyone:
            codes.append(409)
        if "requestBody" in operation:
            codes.append(413)
        if self.view.get_throttles():
            codes.append(429)
        return codes

    def _open_to_anyone(self) -> bool:
        return any(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions())

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
