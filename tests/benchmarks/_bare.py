"""A bare one-row insert endpoint: the baseline of the result-write benchmark (issue 10).

It goes through what every write of the API goes through — the same gunicorn, middleware, token
authentication, permission, JSON parser and renderer — and then inserts the posted body as one
row of a table of the benchmark's own, in one transaction: what a write costs before any of the
portal's rules. Only the benchmark serves it (its own URLconf, `tests.benchmarks._bare_settings`);
the product's URLs do not know it.
"""

import json

from django.db import connection, transaction
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

TABLE = "bench_bare_insert"
PATH = "/bench/insert/"


def create_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, "
            "agent_id integer NOT NULL, body jsonb NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT now())"
        )


def rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        return cursor.fetchone()[0]


class BareInsert(APIView):
    def post(self, request):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (agent_id, body) VALUES (%s, %s) RETURNING id",
                [request.user.pk, json.dumps(request.data)],
            )
            (row_id,) = cursor.fetchone()
        return Response({"id": row_id}, status=201)


urlpatterns = [
    path(PATH.strip("/") + "/", BareInsert.as_view()),
    path("", include("config.urls")),
]
