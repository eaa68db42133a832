"""Two agents saving on the same account at once both land, in order (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import services
from campaigns.models import Callback, ContactHistoryEntry
from config.floor.models import IdempotencyKey
from tests.campaigns.factories import AgentProfileFactory, AppealFactory, TeamFactory
from tests.conftest import requires_postgres

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def run_concurrently(*calls):
    barrier = threading.Barrier(len(calls))
    errors = []

    def worker(call):
        try:
            barrier.wait(timeout=10)
            call()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_two_agents_saving_on_one_account_both_land_in_order(account, targets, department):
    team = TeamFactory(department=department)
    first, second = (AgentProfileFactory(team=team).user for _ in range(2))
    for agent in (first, second):
        AppealFactory(account=account, agent=agent, question_resolved=True)

    def save(agent, result):
        return lambda: services.recommendation_record_result(
            account=account, target_id=targets[0].pk, result=result, agent=agent
        )

    errors = run_concurrently(save(first, "thinking"), save(second, "agreed"))
    assert errors == []
    entries = list(ContactHistoryEntry.objects.order_by("created_at", "id"))
    assert len(entries) == 4  # two saves × two campaigns of the product
    # The account lock serialises the saves: each one's entries are written together.
    assert entries[0].agent == entries[1].agent
    assert entries[2].agent == entries[3].agent
    assert entries[0].created_at <= entries[2].created_at
    targets[0].refresh_from_db()
    assert targets[0].result == entries[-1].result


def test_concurrent_retries_with_one_idempotency_key_write_once(account, targets, agent, call):
    from rest_framework.test import APIClient

    def post():
        client = APIClient()
        client.force_authenticate(agent)
        response = client.post(
            f"/api/v1/accounts/{account.number}/recommendations/{targets[0].pk}/result/",
            {"result": "thinking"},
            format="json",
            headers={"Idempotency-Key": "same-key"},
        )
        assert response.status_code == 201, response.content

    errors = run_concurrently(post, post, post)
    assert errors == []
    assert ContactHistoryEntry.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1


def test_two_propensity_refreshes_at_once_both_succeed(targets):
    from campaigns.learning import propensity
    from campaigns.models import Propensity
    from tests.campaigns.factories import ContactHistoryEntryFactory

    ContactHistoryEntryFactory(target=targets[0], result="agreed", segment_key="broadband")
    errors = run_concurrently(propensity.propensities_refresh, propensity.propensities_refresh)
    assert errors == []
    expected = propensity.propensities_refresh()
    assert Propensity.objects.count() == expected > 0


def test_a_result_write_is_two_round_trips_after_begin(account, targets, agent, call):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(agent)
    url = f"/api/v1/accounts/{account.number}/recommendations/{targets[0].pk}/result/"

    def save(key):
        return client.post(
            url, {"result": "thinking"}, format="json", headers={"Idempotency-Key": key}
        )

    save("warm")  # the connection prepares the read once
    with CaptureQueriesContext(connection) as ctx:
        response = save("k")
    assert response.status_code == 201, response.content
    sent = [q["sql"] for q in ctx.captured_queries]
    sent = sent[: sent.index("COMMIT") + 1]  # then the commit's hooks (tasks run in-process)
    # The key's claim rides with the lock and the read (which draws the new rows' ids), the
    # writes and the key's answer with the COMMIT, each a statement prepared once per
    # connection; Django then logs a COMMIT psycopg skips.
    assert len(sent) == 4, sent
    assert sent[0] == "BEGIN"
    assert sent[1].startswith("EXECUTE idempotency_claim_") and "EXECUTE result_lock_" in sent[1]
    assert sent[2].startswith("EXECUTE result_writes_") and sent[2].rstrip().endswith("; COMMIT")
    assert "EXECUTE idempotency_answer_" in sent[2]
    assert sent[3] == "COMMIT"
    body = response.json()
    # The answer names the rows as they were written, and is what a retry gets back.
    written = ContactHistoryEntry.objects.filter(pk__in=[e["id"] for e in body["history"]])
    assert written.count() == len(body["history"]) == 2
    # The warm-up's callback made, this one's opened (one open per product: made first).
    assert Callback.objects.open().get().pk == body["callback"]["id"]
    assert Callback.objects.filter(closed_at=None).count() == 1
    assert IdempotencyKey.objects.get(key="k").response == body
    assert save("k").json() == body
