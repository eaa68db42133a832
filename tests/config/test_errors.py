"""The domain-error convention: services raise an error of a kind with a code; the API edge maps
the kind to a status and the error to {"code", "detail", **extra}."""

import pytest

from config.floor.api.errors import exception_handler, status_for
from config.floor.errors import Conflict, DomainError, Forbidden, NotFound

ERR_SAMPLE = "Cannot do %(what)s."


@pytest.mark.parametrize(
    "kind,status",
    [(DomainError, 400), (NotFound, 404), (Forbidden, 403), (Conflict, 409)],
)
def test_each_kind_answers_with_its_status_and_the_one_error_shape(kind, status):
    error = kind(ERR_SAMPLE, code="sample", params={"what": "that"}, extra={"reasons": ["a"]})

    response = exception_handler(error, {})

    assert status_for(error) == response.status_code == status
    assert response.data == {"code": "sample", "detail": "Cannot do that.", "reasons": ["a"]}


def test_a_kind_without_a_code_has_its_default_and_a_subclass_keeps_its_kinds_status():
    class SlotTaken(Conflict):
        pass

    error = SlotTaken("Taken.")

    assert (error.code, str(error), status_for(error)) == ("conflict", "Taken.", 409)
    assert DomainError("Bad.").code == "invalid"
