"""Recording results (R4, R5, R6), appeals and account upserts."""

import datetime
from decimal import Decimal

import pytest

from campaigns import services
from campaigns.models import AppealTheme, ContactHistoryEntry, ResultCode
from config.floor.api.errors import status_for
from config.floor.errors import DomainError
from tests.campaigns.conftest import NOW
from tests.campaigns.factories import AppealFactory, CampaignFactory, CampaignTargetFactory
from tests.offers.factories import OfferFactory

pytestmark = pytest.mark.django_db


def record(account, target, agent, result="thinking", **kwargs):
    return services.recommendation_record_result(
        account=account, target_id=target.pk, result=result, agent=agent, now=NOW, **kwargs
    )


def test_result_is_set_on_every_campaign_of_the_same_product_r6(account, targets, agent, call):
    entries = record(account, targets[0], agent)
    assert [e.target_id for e in entries] == [targets[0].pk, targets[1].pk]
    for target in targets:
        target.refresh_from_db()
        assert (target.result, target.result_at) == (ResultCode.THINKING, NOW)


def test_each_campaign_gets_its_own_history_entry_with_the_crm_comment_r5(
    account, targets, agent, call
):
    record(account, targets[1], agent, comment="Перезвонить вечером")
    entries = ContactHistoryEntry.objects.order_by("target_id")
    assert entries.count() == 2
    for entry in entries:
        assert entry.get_action_display() == "Проинформирован"
        assert entry.comment == "Клиент думает, Антивирус, Подразделение - ЦОО"
        assert entry.agent_comment == "Перезвонить вечером"
        assert entry.agent == agent
        assert entry.department.name == "ЦОО"
        assert entry.created_at == NOW


def test_other_products_on_the_account_are_untouched(account, targets, agent, broadband, call):
    other = CampaignTargetFactory(
        account=account,
        campaign=CampaignFactory(offer=OfferFactory(service=broadband)),
    )
    record(account, targets[0], agent)
    other.refresh_from_db()
    assert other.result == ResultCode.NOT_OFFERED
    assert not other.history.exists()


def test_up_to_two_objections_are_recorded_r4(account, targets, agent, objections, call):
    entries = record(account, targets[0], agent, objection_codes=["expensive", "will_think"])
    assert sorted(o.code for o in entries[0].objections.all()) == ["expensive", "will_think"]
    assert sorted(o.code for o in entries[1].objections.all()) == ["expensive", "will_think"]


def test_a_third_objection_is_refused_and_nothing_is_saved_r4(account, targets, agent, objections):
    with pytest.raises(DomainError) as error:
        record(account, targets[0], agent, objection_codes=["expensive", "will_think", "no_need"])
    assert error.value.code == "too_many_objections"
    assert str(error.value) == "Не более двух возражений можно отработать в одной допродаже."
    assert not ContactHistoryEntry.objects.exists()


def test_unknown_objection_is_refused(account, targets, agent, objections):
    with pytest.raises(DomainError) as error:
        record(account, targets[0], agent, objection_codes=["nonsense"])
    assert error.value.code == "unknown_objection"


def test_unknown_result_is_refused(account, targets, agent):
    with pytest.raises(DomainError) as error:
        record(account, targets[0], agent, result="maybe")
    assert error.value.code == "invalid_result"


def test_result_for_a_campaign_not_on_the_account_is_refused(account, targets, agent):
    foreign = CampaignTargetFactory()
    with pytest.raises(DomainError) as error:
        record(account, foreign, agent)
    assert error.value.code == "not_on_account"


def test_offer_that_may_not_be_made_cannot_be_recorded_as_made(account, targets, agent, call):
    account.balance = Decimal("-5")
    account.save()
    with pytest.raises(DomainError) as error:
        record(account, targets[0], agent, result="agreed")
    assert (error.value.code, status_for(error.value)) == ("not_eligible", 409)
    assert error.value.extra == {"reasons": ["negative_balance"]}
    # «Не предлагалось» can always be saved.
    assert record(account, targets[0], agent, result="not_offered")


def test_saved_result_is_pulled_into_the_open_appeal_r5(account, targets, agent):
    appeal = services.appeal_open(account=account, agent=agent, question_resolved=True)
    entries = record(account, targets[0], agent)
    appeal.refresh_from_db()
    assert (appeal.theme, appeal.detail, appeal.result) == (
        AppealTheme.UPSELL,
        "Маркетинговая кампания",
        "Клиент думает",
    )
    assert {e.appeal_id for e in entries} == {appeal.pk}
    assert appeal.department.name == "ЦОО"


def test_appeal_flags_are_checked_when_recording(account, targets, agent):
    services.appeal_open(account=account, agent=agent, question_resolved=False)
    with pytest.raises(DomainError) as error:
        record(account, targets[0], agent)
    assert error.value.extra == {"reasons": ["question_unresolved"]}


def test_someone_elses_appeal_cannot_be_used(account, targets, agent):
    appeal = AppealFactory(account=account)
    with pytest.raises(DomainError) as error:
        record(account, targets[0], agent, appeal_id=appeal.pk)
    assert error.value.code == "invalid_appeal"


def test_closed_appeal_cannot_change(account, agent):
    appeal = services.appeal_open(account=account, agent=agent)
    services.appeal_close(appeal=appeal, now=NOW)
    with pytest.raises(DomainError) as error:
        services.appeal_update(appeal=appeal, complaint=True)
    assert error.value.code == "appeal_closed"


def test_account_upsert_creates_then_updates_with_the_time_kept(broadband, iptv):
    data = {
        "surname": "Петров",
        "first_name": "Пётр",
        "payment_model": "credit",
        "balance": Decimal("10.00"),
    }
    account, created = services.account_upsert(
        number="352000000777", data=data, service_codes=["broadband"], now=NOW
    )
    assert created and account.crm_updated_at == NOW
    later = NOW + datetime.timedelta(hours=1)
    account, created = services.account_upsert(
        number="352000000777",
        data={**data, "financial_block": True},
        service_codes=["broadband", "iptv"],
        now=later,
    )
    assert not created
    assert account.financial_block and account.crm_updated_at == later
    assert sorted(s.code for s in account.services.all()) == ["broadband", "iptv"]


def test_account_upsert_refuses_unknown_service_codes(broadband):
    with pytest.raises(DomainError) as error:
        services.account_upsert(
            number="352000000777",
            data={"surname": "A", "first_name": "B", "payment_model": "credit", "balance": 0},
            service_codes=["satellite"],
        )
    assert error.value.code == "unknown_service"
