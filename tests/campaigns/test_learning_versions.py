"""Script versions (A/B): who sees which, what every result records, «Promote».

Table of cases:
| situation                                   | shown                        | recorded        |
|---------------------------------------------|------------------------------|-----------------|
| campaign without versions                   | the campaign's scripts       | no version      |
| one running version                         | that version, for everyone   | that version    |
| A and B running                             | the account's bucket, stable | the same one    |
| version without an agreement script         | its script + the campaign's  |                 |
| R6 sibling campaigns, each with versions    | each its own                 | each its own    |
| retired version                             | never                        | kept on history |
| promote a running version                   | only it, as the campaign's   | history kept    |
| promote a retired version                   | 409 version_retired          |                 |
| a version with an unknown placeholder       | refused on save              |                 |
"""

import pytest
from django.core.exceptions import ValidationError

from campaigns.learning import assignment, services
from campaigns.models import ContactHistoryEntry, ScriptVersion, VersionStatus
from config.floor.errors import Conflict
from tests.campaigns.factories import AppealFactory, ScriptVersionFactory

pytestmark = pytest.mark.django_db

RECS_URL = "/api/v1/accounts/352011070411/recommendations/"


@pytest.fixture
def as_agent(api_client, agent, account):
    """An agent in a call on the account (R1: results are saved within an open appeal)."""
    AppealFactory(account=account, agent=agent)
    api_client.force_authenticate(agent)
    return api_client


def _recs(client):
    return {r["campaign"]["code"]: r for r in client.get(RECS_URL).json()}


def test_a_campaign_without_versions_reads_its_own_script_and_records_none(as_agent, targets):
    rec = _recs(as_agent)[targets[0].campaign.code]
    assert rec["script_version"] is None
    assert rec["script"].startswith("Евгений Михайлович, антивирус")
    as_agent.post(f"{RECS_URL}{targets[0].pk}/result/", {"result": "thinking"})
    assert set(ContactHistoryEntry.objects.values_list("script_version", flat=True)) == {None}


def test_the_account_sees_its_version_on_every_call_and_every_result_records_it(
    as_agent, account, targets
):
    first, second = (t.campaign for t in targets)
    a = ScriptVersionFactory(campaign=first, label="A", is_control=True)
    b = ScriptVersionFactory(
        campaign=first, label="B", script_template="Б: {customer}", connection_script_template=""
    )
    ScriptVersionFactory(campaign=second, label="A", weight=100)
    expected = assignment.version_for(
        type("C", (), {"pk": first.pk, "running_versions": (a, b)})(), account.number
    )
    shown = {_recs(as_agent)[first.code]["script_version"] for _ in range(3)}
    assert shown == {expected.label}
    rec = _recs(as_agent)[first.code]
    assert rec["script"] == (
        f"Версия A: Евгений Михайлович, {first.offer.name}."
        if expected == a
        else "Б: Евгений Михайлович"
    )
    as_agent.post(f"{RECS_URL}{targets[0].pk}/result/", {"result": "not_interested"})
    recorded = dict(
        ContactHistoryEntry.objects.values_list("target__campaign__code", "script_version__label")
    )
    # R6: the sibling campaign records the version its own account bucket gives.
    assert recorded == {first.code: expected.label, second.code: "A"}


def test_a_version_without_an_agreement_script_reads_the_campaigns(as_agent, targets):
    campaign = targets[0].campaign
    campaign.connection_script_template = "Отлично, {customer}!"
    campaign.save()
    ScriptVersionFactory(campaign=campaign, label="A", weight=100, connection_script_template="")
    assert _recs(as_agent)[campaign.code]["connection_script"] == "Отлично, Евгений Михайлович!"


def test_a_retired_version_is_never_shown(as_agent, targets):
    campaign = targets[0].campaign
    ScriptVersionFactory(campaign=campaign, label="A", weight=100)
    ScriptVersionFactory(campaign=campaign, label="B", weight=100, status=VersionStatus.RETIRED)
    assert {_recs(as_agent)[campaign.code]["script_version"] for _ in range(2)} == {"A"}


def test_need_heard_comes_from_the_appeal_unless_the_result_says(as_agent, account, agent, targets):
    appeal = AppealFactory(account=account, agent=agent, need_heard=True)
    other = AppealFactory(account=account, agent=agent, need_heard=True)
    url = f"{RECS_URL}{targets[0].pk}/result/"
    as_agent.post(url, {"result": "thinking", "appeal": appeal.pk})
    as_agent.post(url, {"result": "agreed", "appeal": other.pk, "need_heard": False})
    rows = list(
        ContactHistoryEntry.objects.filter(target=targets[0])
        .order_by("id")
        .values_list("result", "need_heard", "segment_key")
    )
    assert rows == [("thinking", True, "broadband"), ("agreed", False, "broadband")]


def test_the_agent_marks_the_need_heard_on_the_appeal(as_agent, account, agent):
    appeal = account.appeals.get()
    response = as_agent.patch(f"/api/v1/appeals/{appeal.pk}/", {"need_heard": True})
    assert response.status_code == 200
    assert response.json()["need_heard"] is True


def test_promote_keeps_history_and_makes_the_winner_the_only_script(as_agent, targets):
    campaign = targets[0].campaign
    a = services.versions_start(campaign=campaign)
    b = ScriptVersionFactory(campaign=campaign, label="B", script_template="Б: {customer}")
    as_agent.post(f"{RECS_URL}{targets[0].pk}/result/", {"result": "agreed"})
    services.version_promote(version=b)
    a.refresh_from_db()
    campaign.refresh_from_db()
    assert (a.status, a.is_control, a.retired_at is not None) == (VersionStatus.RETIRED, True, True)
    assert campaign.script_template == "Б: {customer}"
    assert ScriptVersion.objects.count() == 2
    assert ContactHistoryEntry.objects.filter(script_version__isnull=False).exists()
    assert _recs(as_agent)[campaign.code]["script_version"] == "B"
    with pytest.raises(Conflict) as error:
        services.version_promote(version=a)
    assert error.value.code == "version_retired"


def test_starting_twice_is_refused(targets):
    services.versions_start(campaign=targets[0].campaign)
    with pytest.raises(Conflict) as error:
        services.versions_start(campaign=targets[0].campaign)
    assert error.value.code == "versions_exist"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"script_template": "{unknown}"}, "script_template"),
        ({"connection_script_template": "{name}"}, "connection_script_template"),
        ({"weight": 0}, "weight"),
    ],
)
def test_a_version_is_checked_like_a_script(targets, fields, field):
    version = ScriptVersion(campaign=targets[0].campaign, label="A", script_template="ok")
    for name, value in fields.items():
        setattr(version, name, value)
    with pytest.raises(ValidationError) as error:
        version.full_clean()
    assert field in error.value.message_dict


def test_rows_written_by_plain_sql_need_not_name_the_learnings_columns(targets, agent):
    from django.db import connection

    from campaigns.models import Appeal

    entry = ContactHistoryEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {entry} (target_id, action, result, comment, agent_comment, agent_id, "
            "created_at) VALUES (%s, 'informed', 'agreed', '', '', %s, %s)",
            [targets[0].pk, agent.pk, "2026-11-02 10:00:00+00:00"],
        )
    row = ContactHistoryEntry.objects.get()
    assert (row.need_heard, row.segment_key, row.script_version_id) == (False, "", None)
    assert Appeal._meta.get_field("need_heard").db_default is False
