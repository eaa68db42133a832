"""Results as a state per customer and product (issue 10 §1): the transitions table, objections per
appeal, the product's cooldown, the appeal's theme precedence, R1 on saving.

The table is driven exhaustively through the real service: every (state, new result, same call)
is set up, saved, and its outcome checked against `results.TRANSITIONS`."""

import datetime
import itertools

import pytest

from campaigns import services
from campaigns.models import (
    AppealTheme,
    ContactHistoryEntry,
    OfferResult,
    ResultCode,
)
from campaigns.orders import services as order_services
from campaigns.selectors import recommendations_for
from campaigns.services import results
from config.floor.api.errors import status_for
from config.floor.errors import DomainError
from tests.campaigns.conftest import NOW
from tests.campaigns.factories import (
    AppealFactory,
    CampaignFactory,
    CampaignTargetFactory,
    ConnectionOrderFactory,
    PeakHoursFactory,
)
from tests.config.factories import CrmUserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
EARLIER = NOW - 2 * DAY  # an earlier call, within the campaigns' dates


def record(account, target, agent, result, *, now=NOW, **kwargs):
    return services.recommendation_record_result(
        account=account, target_id=target.pk, result=result, agent=agent, now=now, **kwargs
    )


def state(account, offer):
    row = OfferResult.objects.filter(account=account, offer=offer).first()
    return row.result if row else ResultCode.NOT_OFFERED


def test_the_table_has_one_row_for_every_state_result_and_scope():
    keys = set(itertools.product(results.STATES, ResultCode.values, (True, False)))
    assert set(results.TRANSITIONS) == keys
    for outcome, code in results.TRANSITIONS.values():
        assert outcome in (results.SET, results.KEEP, results.REFUSE)
        assert (outcome == results.REFUSE) == bool(code)
        assert not code or code in results.REFUSALS


def _set_up(account, targets, agent, call, antivirus, start, same_call):
    """Bring the product to `start`, in the call itself or in an earlier, closed one (the table
    is about states: a cooldown, a matter of time, is tested on its own below)."""
    for target in targets:
        target.campaign.cooldown_days = 1
        target.campaign.save()
    if start == ResultCode.NOT_OFFERED:
        return
    given = start if start != results.ORDERED else ResultCode.AGREED
    if same_call:
        record(account, targets[0], agent, given, now=NOW - DAY / 24)
    else:
        call.closed_at = NOW  # the current call is put aside while the earlier one is made
        call.save()
        earlier = AppealFactory(account=account, agent=agent, question_resolved=True)
        record(account, targets[0], agent, given, now=EARLIER, appeal_id=earlier.pk)
        services.appeal_close(appeal=earlier, now=EARLIER)
        call.closed_at = None
        call.save()
    if start == results.ORDERED:
        ConnectionOrderFactory(account=account, agent=agent, product=antivirus)


@pytest.mark.parametrize(
    ("start", "new", "same_call"), sorted(results.TRANSITIONS), ids=lambda v: str(v)
)
def test_every_transition_does_what_the_table_says(
    account, targets, agent, call, antivirus, start, new, same_call
):
    _set_up(account, targets, agent, call, antivirus, start, same_call)
    before_state = state(account, antivirus)
    before_history = ContactHistoryEntry.objects.count()
    outcome, code = results.TRANSITIONS[(start, new, same_call)]
    if outcome == results.REFUSE:
        with pytest.raises(DomainError) as error:
            record(account, targets[0], agent, new)
        assert (error.value.code, status_for(error.value)) == (code, 409)
        assert ContactHistoryEntry.objects.count() == before_history
        assert state(account, antivirus) == before_state
        return
    entries = record(account, targets[0], agent, new)
    assert ContactHistoryEntry.objects.count() == before_history + 2  # both campaigns (R6)
    expected = new if outcome == results.SET else before_state
    assert state(account, antivirus) == expected
    assert entries[0].state == expected
    for target in targets:
        target.refresh_from_db()
        assert target.result == expected


def test_a_later_not_offered_keeps_the_refusal_its_cooldown_and_its_history(
    account, targets, agent, call
):
    earlier = AppealFactory(account=account, agent=agent, question_resolved=True)
    record(account, targets[0], agent, "not_interested", now=NOW - 5 * DAY, appeal_id=earlier.pk)
    services.appeal_close(appeal=earlier, now=NOW - 5 * DAY)
    record(account, targets[0], agent, "not_offered")
    rec = recommendations_for(account=account, appeal=call, now=NOW)[0]
    assert rec.target.result == ResultCode.NOT_INTERESTED
    assert rec.reasons == ["cooldown"]
    assert [h["result"] for h in rec.history] == ["not_offered", "not_interested"]


class TestCooldownBelongsToTheProduct:
    @pytest.fixture
    def refused(self, account, targets, agent, call):
        earlier = AppealFactory(account=account, agent=agent, question_resolved=True)
        record(
            account, targets[0], agent, "not_interested", now=NOW - 3 * DAY, appeal_id=earlier.pk
        )
        services.appeal_close(appeal=earlier, now=NOW - 3 * DAY)
        return NOW - 3 * DAY

    def test_a_campaign_created_later_for_the_product_is_in_the_same_cooldown(
        self, account, antivirus, broadband_segment, refused, call
    ):
        later = CampaignFactory(
            code="Антивирус_новая", offer=antivirus, segments=[broadband_segment],
            starts_on=datetime.date(2026, 11, 20), cooldown_days=30,
        )  # fmt: skip
        CampaignTargetFactory(campaign=later, account=account)
        by_code = {
            r.campaign.code: r.reasons
            for r in recommendations_for(account=account, appeal=call, now=NOW)
        }
        assert by_code["Антивирус_новая"] == ["cooldown"]

    @pytest.mark.parametrize("result", ["thinking", "not_interested"])
    def test_an_offer_in_the_cooldown_is_refused(self, account, targets, agent, refused, result):
        with pytest.raises(DomainError) as error:
            record(account, targets[0], agent, result)
        assert error.value.extra == {"reasons": ["cooldown"]}

    def test_an_agreement_supersedes_the_cooldown(
        self, account, targets, agent, antivirus, refused
    ):
        record(account, targets[0], agent, "agreed")
        assert state(account, antivirus) == ResultCode.AGREED

    @pytest.mark.parametrize(
        ("offset", "in_cooldown"),
        [(-datetime.timedelta(seconds=1), True), (datetime.timedelta(0), False), (DAY, False)],
    )
    def test_the_cooldown_ends_to_the_second_of_its_days(
        self, account, targets, call, refused, offset, in_cooldown
    ):
        at = refused + targets[0].campaign.cooldown_days * DAY + offset
        reasons = recommendations_for(account=account, appeal=call, now=at)[0].reasons
        assert ("cooldown" in reasons) is in_cooldown

    def test_a_refusal_in_this_call_is_no_cooldown_the_objection_may_be_worked(
        self, account, targets, agent, antivirus, call
    ):
        record(account, targets[0], agent, "not_interested", now=NOW - DAY / 48)
        assert recommendations_for(account=account, appeal=call, now=NOW)[0].reasons == []
        record(account, targets[0], agent, "thinking")
        assert state(account, antivirus) == ResultCode.THINKING


class TestObjectionsPerAppeal:
    def test_two_saves_of_two_different_objections_make_a_third_refused(
        self, account, targets, agent, call, objections
    ):
        record(account, targets[0], agent, "thinking", objection_codes=["expensive", "will_think"])
        with pytest.raises(DomainError) as error:
            record(account, targets[0], agent, "thinking", objection_codes=["no_need"])
        assert (error.value.code, status_for(error.value)) == ("too_many_objections", 400)
        assert ContactHistoryEntry.objects.count() == 2

    def test_the_same_objection_worked_again_counts_once(
        self, account, targets, agent, call, objections
    ):
        record(account, targets[0], agent, "not_interested", objection_codes=["expensive"])
        record(account, targets[0], agent, "thinking", objection_codes=["expensive", "will_think"])
        assert ContactHistoryEntry.objects.count() == 4

    def test_objections_of_another_call_or_product_do_not_count(
        self, account, targets, agent, call, objections, broadband, broadband_segment
    ):
        earlier = AppealFactory(account=account, agent=agent, question_resolved=True)
        record(
            account, targets[0], agent, "thinking", now=EARLIER, appeal_id=earlier.pk,
            objection_codes=["expensive", "will_think"],
        )  # fmt: skip
        services.appeal_close(appeal=earlier, now=EARLIER)
        other = CampaignTargetFactory(
            account=account, campaign=CampaignFactory(segments=[broadband_segment])
        )
        other.campaign.offer.service = broadband
        other.campaign.offer.save()
        record(account, other, agent, "thinking", objection_codes=["no_need", "other_operator"])
        record(account, targets[0], agent, "thinking", objection_codes=["no_need", "expensive"])

    def test_objections_without_an_offer_are_refused(
        self, account, targets, agent, call, objections
    ):
        with pytest.raises(DomainError) as error:
            record(account, targets[0], agent, "not_offered", objection_codes=["expensive"])
        assert (error.value.code, status_for(error.value)) == ("objections_not_offered", 400)


class TestR1TheMoment:
    def test_an_agent_without_an_open_appeal_cannot_record_an_offer(self, account, targets, agent):
        with pytest.raises(DomainError) as error:
            record(account, targets[0], agent, "thinking")
        assert (error.value.code, status_for(error.value)) == ("not_eligible", 409)
        assert error.value.extra == {"reasons": ["no_appeal"]}
        assert not ContactHistoryEntry.objects.exists()

    def test_a_closed_appeal_is_no_appeal(self, account, targets, agent, call):
        services.appeal_close(appeal=call, now=NOW)
        with pytest.raises(DomainError) as error:
            record(account, targets[0], agent, "agreed")
        assert error.value.extra == {"reasons": ["no_appeal"]}

    def test_not_offered_needs_no_appeal(self, account, targets, agent):
        assert record(account, targets[0], agent, "not_offered")

    def test_an_unresolved_question_stops_even_an_agreement(self, account, targets, agent, call):
        services.appeal_update(appeal=call, question_resolved=False)
        with pytest.raises(DomainError) as error:
            record(account, targets[0], agent, "agreed")
        assert error.value.extra == {"reasons": ["question_unresolved"]}

    def test_the_crm_records_results_of_its_own_calls(self, account, targets, antivirus):
        record(account, targets[0], CrmUserFactory(), "thinking")
        assert state(account, antivirus) == ResultCode.THINKING

    def test_the_api_says_no_appeal_with_409(self, api_client, account, targets, agent):
        api_client.force_authenticate(agent)
        response = api_client.post(
            f"/api/v1/accounts/{account.number}/recommendations/{targets[0].pk}/result/",
            {"result": "thinking"},
        )
        assert response.status_code == 409
        assert response.json()["code"] == "not_eligible"
        assert response.json()["reasons"] == ["no_appeal"]


def test_peak_hours_stop_an_offer_but_not_an_agreement(account, targets, agent, call, antivirus):
    local = datetime.datetime(2026, 11, 25, 15, 0)  # Moscow time of NOW
    PeakHoursFactory(
        weekday=local.weekday(), starts_at=datetime.time(14, 0), ends_at=datetime.time(16, 0)
    )
    with pytest.raises(DomainError) as error:
        record(account, targets[0], agent, "thinking")
    assert error.value.extra == {"reasons": ["peak_hours"]}
    record(account, targets[0], agent, "agreed")
    assert state(account, antivirus) == ResultCode.AGREED


class TestTheAppealsTheme:
    def test_a_sale_registered_in_the_call_is_not_overwritten(self, account, targets, agent, call):
        call.theme, call.detail, call.result = AppealTheme.SALES, "Подписка (Антивирус)", "Наряд"
        call.save()
        record(account, targets[0], agent, "thinking")
        call.refresh_from_db()
        assert (call.theme, call.detail, call.result) == (
            AppealTheme.SALES,
            "Подписка (Антивирус)",
            "Наряд",
        )

    def test_the_calls_result_is_its_strongest_answer(
        self, account, targets, agent, call, broadband, broadband_segment
    ):
        other = CampaignTargetFactory(
            account=account, campaign=CampaignFactory(segments=[broadband_segment])
        )
        record(account, targets[0], agent, "agreed")
        record(account, other, agent, "not_interested")
        call.refresh_from_db()
        assert (call.theme, call.result) == (AppealTheme.UPSELL, "Клиент согласен")
        record(account, targets[0], agent, "not_interested")  # the customer changed their mind
        call.refresh_from_db()
        assert call.result == "Клиент не заинтересован"


class TestEveryCallStartsClean:
    def test_a_new_appeal_starts_at_not_offered_whatever_the_last_result(
        self, account, targets, agent, call
    ):
        record(account, targets[0], agent, "thinking")
        rec = recommendations_for(account=account, appeal=call, now=NOW)[0]
        assert (rec.target.result, rec.target.appeal_result) == ("thinking", "thinking")
        services.appeal_close(appeal=call, now=NOW)
        new_call = AppealFactory(account=account, agent=agent, question_resolved=True)
        rec = recommendations_for(account=account, appeal=new_call, now=NOW + DAY)[0]
        assert (rec.target.result, rec.target.appeal_result) == ("thinking", "not_offered")


def test_an_open_order_holds_the_agreement_until_connected_or_cancelled(
    account, targets, agent, call, antivirus
):
    record(account, targets[0], agent, "agreed")
    order = ConnectionOrderFactory(account=account, agent=agent, product=antivirus)
    with pytest.raises(DomainError) as error:
        record(account, targets[0], agent, "not_interested")
    assert error.value.code == "order_open"
    order_services.order_cancel(order=order, agent=agent, reason="Передумал", now=NOW)
    record(account, targets[0], agent, "not_interested")
    assert state(account, antivirus) == ResultCode.NOT_INTERESTED
