"""A failed database connection is a 503 with `Retry-After`, never a 500; other errors pass.

| exception                         | /api/…              | a page              |
|-----------------------------------|---------------------|---------------------|
| OperationalError, InterfaceError  | 503 JSON unavailable| 503 page, Russian   |
| psycopg_pool.PoolTimeout          | 503 JSON unavailable| 503 page            |
| anything else (ValueError, …)     | not handled here    | not handled here    |
"""

import json

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django.utils import translation
from psycopg_pool import PoolTimeout

from config.floor.unavailable import ERR_DATABASE_UNAVAILABLE, DatabaseUnavailableMiddleware

FAILURES = [OperationalError("terminating connection"), InterfaceError("closed"), PoolTimeout()]


def _middleware():
    return DatabaseUnavailableMiddleware(lambda request: None)


@pytest.mark.parametrize("exception", FAILURES, ids=lambda e: type(e).__name__)
def test_api_gets_json_503(exception):
    request = RequestFactory().post("/api/v1/orders/")

    response = _middleware().process_exception(request, exception)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert json.loads(response.content) == {
        "code": "unavailable",
        "detail": str(ERR_DATABASE_UNAVAILABLE),
    }


@pytest.mark.parametrize("exception", FAILURES, ids=lambda e: type(e).__name__)
def test_pages_get_a_503_page_in_russian(exception):
    request = RequestFactory().post("/orders/new/")

    with translation.override("ru"):
        response = _middleware().process_exception(request, exception)

    assert response.status_code == 503
    assert "Временно недоступно" in response.content.decode()
    assert "ничего не сохранено" in response.content.decode()


def test_other_errors_are_left_to_the_usual_handling():
    request = RequestFactory().get("/api/v1/orders/")

    assert _middleware().process_exception(request, ValueError("x")) is None
