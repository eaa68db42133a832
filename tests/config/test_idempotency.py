"""`Idempotency-Key` (config.floor.idempotency): a retry gets the first answer, nothing more, and
on PostgreSQL the key's claim and answer ride with round trips the request makes anyway."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.response import Response

from config.floor import batch
from config.floor.errors import DomainError
from config.floor.idempotency import idempotent
from config.floor.models import IdempotencyKey, WorkerHeartbeat
from tests.config.factories import UserFactory
from tests.conftest import requires_postgres

pytestmark = pytest.mark.django_db


def post(user, key, path="/api/v1/things/"):
    return SimpleNamespace(headers={"Idempotency-Key": key}, method="POST", path=path, user=user)


def heartbeat_write(name):
    """A write sent with the handler's first round trip (the claim in front of it)."""
    heartbeat = WorkerHeartbeat(name=name, seen_at=timezone.now())
    writes = batch.Batch()
    writes.insert([heartbeat])
    writes.run()
    return Response({"id": heartbeat.pk}, status=201)


def test_a_handler_that_sends_nothing_keeps_its_answer_for_the_retry(db):
    user = UserFactory()
    calls = []

    def handler():
        calls.append(1)
        return Response({"made": len(calls)}, status=201)

    first = idempotent(post(user, "k"), handler)
    again = idempotent(post(user, "k"), handler)
    assert (first.status_code, first.data) == (again.status_code, again.data) == (201, {"made": 1})
    assert again["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.get().response == {"made": 1}


def test_a_retry_whose_handler_fails_before_sending_anything_gets_the_first_answer(db):
    user = UserFactory()
    idempotent(post(user, "k"), lambda: heartbeat_write("first"))

    def refused():
        raise DomainError("refused before any query", code="refused")

    again = idempotent(post(user, "k"), refused)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"


def test_a_first_request_whose_handler_fails_before_sending_anything_keeps_no_key(db):
    def refused():
        raise DomainError("refused before any query", code="refused")

    with pytest.raises(DomainError):
        idempotent(post(UserFactory(), "k"), refused)
    assert not IdempotencyKey.objects.exists()


def test_a_retry_rolls_back_the_writes_sent_with_its_claim(db):
    user = UserFactory()
    first = idempotent(post(user, "k"), lambda: heartbeat_write("first"))
    again = idempotent(post(user, "k"), lambda: heartbeat_write("again"))
    assert again.data == first.data
    assert list(WorkerHeartbeat.objects.values_list("name", flat=True)) == ["first"]


def test_a_key_reused_on_another_path_is_409_even_when_its_handler_sends_nothing(db):
    user = UserFactory()
    idempotent(post(user, "k"), lambda: Response({}, status=201))
    with pytest.raises(DomainError) as refused:
        idempotent(post(user, "k", path="/api/v1/other/"), lambda: Response({}, status=201))
    assert refused.value.code == "idempotency_key_reused"


@requires_postgres
def test_the_claim_rides_with_the_handlers_first_round_trip(db):
    user = UserFactory()
    idempotent(post(user, "warm"), lambda: heartbeat_write("warm"))  # prepares the key's SQL
    with CaptureQueriesContext(connection) as ctx:
        idempotent(post(user, "k"), lambda: heartbeat_write("first"))
    sent = [q["sql"] for q in ctx.captured_queries]
    # Inside the test's transaction: the savepoint, claim + write, the answer, the release.
    assert len(sent) == 4, sent
    claim = "EXECUTE idempotency_claim_" if connection.vendor == "postgresql" else "ON CONFLICT"
    assert claim in sent[1] and "INSERT INTO" in sent[1].split(";")[1]
    assert IdempotencyKey.objects.get(key="k").status_code == 201


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_in_its_own_transaction_the_answer_rides_with_the_commit():
    user = UserFactory()
    idempotent(post(user, "warm"), lambda: heartbeat_write("warm"))  # prepares the key's SQL
    with CaptureQueriesContext(connection) as ctx:
        first = idempotent(post(user, "k"), lambda: heartbeat_write("first"))
    sent = [q["sql"] for q in ctx.captured_queries]
    # BEGIN, claim + write, answer + COMMIT (the key's statements prepared once per connection);
    # Django then logs the COMMIT it asks psycopg for, which has nothing left to commit and sends
    # nothing.
    assert len(sent) == 4, sent
    assert sent[0] == "BEGIN" and sent[1].startswith("EXECUTE idempotency_claim_")
    assert sent[2].startswith("EXECUTE idempotency_answer_")
    assert sent[2].rstrip().endswith("; COMMIT") and sent[3] == "COMMIT"
    assert not connection.in_atomic_block
    assert connection.connection.info.transaction_status == 0  # idle: nothing left open
    record = IdempotencyKey.objects.get(key="k")
    assert (record.status_code, record.response) == (201, first.data)
    assert WorkerHeartbeat.objects.count() == 2


def test_a_batch_insert_prepares_shared_fields_once_and_each_row_keeps_its_own(db):
    seen = timezone.now()
    rows = [WorkerHeartbeat(name=f"w{i}", hostname=f"h{i}", seen_at=seen) for i in range(3)]
    writes = batch.Batch()
    writes.insert(rows, shared={"seen_at"})
    writes.run()
    assert list(WorkerHeartbeat.objects.order_by("name").values_list("name", "hostname")) == [
        ("w0", "h0"),
        ("w1", "h1"),
        ("w2", "h2"),
    ]
    assert set(WorkerHeartbeat.objects.values_list("seen_at", flat=True)) == {seen}
