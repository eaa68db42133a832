"""The admin in correct Russian: plural forms, titles and messages whatever a model's gender,
objects named in words, and a history a person can read (config.floor.admin, .history)."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import ngettext

from campaigns.models import Campaign, CampaignStatus
from tests.campaigns.factories import CampaignFactory
from tests.e2e.russian import plural_category, wrong_russian
from tests.offers.factories import OfferFactory, SegmentFactory

pytestmark = pytest.mark.django_db

RECORDS = {
    0: "0 записей",
    1: "1 запись",
    2: "2 записи",
    4: "4 записи",
    5: "5 записей",
    11: "11 записей",
    12: "12 записей",
    14: "14 записей",
    21: "21 запись",
    22: "22 записи",
    25: "25 записей",
    101: "101 запись",
    111: "111 записей",
    1000: "1000 записей",
}


@pytest.mark.parametrize(("count", "expected"), RECORDS.items())
def test_counts_take_the_russian_plural_form(count, expected):
    with translation.override("ru"):
        text = ngettext("%(counter)s record", "%(counter)s records", count) % {"counter": count}
    assert text == expected
    assert not wrong_russian(text)


@pytest.mark.parametrize(
    ("number", "category"),
    [(1, "one"), (21, "one"), (11, "many"), (3, "few"), (13, "many"), (24, "few"), (0, "many")],
)
def test_plural_categories_follow_the_russian_rules(number, category):
    assert plural_category(number) == category


@pytest.mark.parametrize(
    "text",
    [
        "Кампания «Антивирус» был успешно добавлен.",
        "Удалить кампания",
        "13 кампании",
        "10 сотрудники",
        "1 записей",
        "Кампания с таким Код уже существует.",
        "Причина изменения: None",
        "RewardRule_offers object (22)",
    ],
)
def test_the_scanner_finds_each_mistake_the_admin_used_to_make(text):
    assert wrong_russian(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Добавлено: кампания «Антивирус».",
        "Удалить",
        "13 записей",
        "3 кампании",
        "21 запись",
        "в течение 4 часов",
        "30 ноября 2026 г.",
        "Кампания с таким значением поля «Код» уже существует.",
    ],
)
def test_the_scanner_passes_correct_russian(text):
    assert not wrong_russian(text), text


def page_text(response):
    return response.content.decode()


def message_texts(response):
    """The messages shown on the page a redirect led to."""
    return [strip_tags(str(message)) for message in response.context["messages"]]


def campaign_form(offer, **changes):
    return {
        "code": "Антивирус_vo12_CRM_MR03",
        "name": "Антивирус",
        "offer": offer.pk,
        "priority": 100,
        "owner": "",
        "script_template": "{customer}, антивирус для двух устройств.",
        "connection_script_template": "",
        "segments": [],
        "starts_on": "2026-11-01",
        "ends_on": "",
        "cooldown_days": 30,
        # The learning's settings as the form offers them (issue 13).
        "value_basis": "monthly_fee",
        "value_amount": "0",
        "exploration_share": 0,
        **changes,
    }


def test_titles_name_the_model_where_any_gender_reads_right(client, manager):
    client.force_login(manager)
    campaign = CampaignFactory(code="Кино_01")
    changelist = page_text(client.get(reverse("admin:campaigns_campaign_changelist")))
    add = page_text(client.get(reverse("admin:campaigns_campaign_add")))
    change = page_text(client.get(reverse("admin:campaigns_campaign_change", args=[campaign.pk])))
    assert "<title> Кампании |" in changelist
    assert "Кампания: новая запись" in add
    assert "Кампания «Кино_01»" in change
    for text in (changelist, add, change):
        assert "Выберите кампания" not in text
        assert "Добавить кампания" not in text
        assert "Удалить кампания" not in text


def test_add_change_and_delete_messages_agree_for_a_feminine_model(client, manager):
    client.force_login(manager)
    offer = OfferFactory()
    added = client.post(reverse("admin:campaigns_campaign_add"), campaign_form(offer), follow=True)
    campaign = Campaign.objects.get(code="Антивирус_vo12_CRM_MR03")
    changed = client.post(
        reverse("admin:campaigns_campaign_change", args=[campaign.pk]),
        campaign_form(offer, priority=120),
        follow=True,
    )
    deleted = client.post(
        reverse("admin:campaigns_campaign_delete", args=[campaign.pk]), {"post": "yes"}, follow=True
    )
    texts = [*message_texts(added), *message_texts(changed), *message_texts(deleted)]
    assert texts == [
        "Добавлено: кампания «Антивирус_vo12_CRM_MR03».",
        "Сохранено: кампания «Антивирус_vo12_CRM_MR03».",
        "Удалено: кампания «Антивирус_vo12_CRM_MR03».",
    ]
    assert not wrong_russian("\n".join(texts))


def test_a_duplicate_code_is_refused_in_russian_that_agrees(client, manager):
    client.force_login(manager)
    offer = OfferFactory()
    CampaignFactory(code="Антивирус_vo12_CRM_MR03", offer=offer)
    response = client.post(reverse("admin:campaigns_campaign_add"), campaign_form(offer))
    assert "Кампания с таким значением поля «Код» уже существует." in page_text(response)


def test_the_list_counts_its_rows_in_the_right_plural_form(client, manager):
    client.force_login(manager)
    CampaignFactory.create_batch(13)
    text = page_text(client.get(reverse("admin:campaigns_campaign_changelist")))
    assert "13 записей" in text
    assert "13 кампании" not in text


def test_a_delete_confirmation_names_links_between_objects_in_words(client, manager):
    client.force_login(manager)
    segment = SegmentFactory(name="ШПД + ТВ")
    offer = OfferFactory(name="Кино", segments=[segment])
    response = client.get(reverse("admin:offers_offer_delete", args=[offer.pk]))
    text = page_text(response)
    assert "object (" not in text
    assert "Связь: предложение «Кино» — сегмент «ШПД + ТВ»" in text


def test_history_shows_labels_and_skips_saves_that_change_nothing(client, manager):
    client.force_login(manager)
    offer = OfferFactory()
    client.post(reverse("admin:campaigns_campaign_add"), campaign_form(offer))
    campaign = Campaign.objects.get(code="Антивирус_vo12_CRM_MR03")
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    client.post(url, campaign_form(offer, owner=manager.pk))  # the form as it was: no change
    assert campaign.history.count() == 1
    campaign.status = CampaignStatus.PAUSED
    campaign.save()
    history = page_text(client.get(reverse("admin:campaigns_campaign_history", args=[campaign.pk])))
    assert "Черновик" in history and "Приостановлена" in history
    assert "None" not in history
    assert not wrong_russian(history)


def test_a_long_text_shows_its_changed_lines(client, manager):
    client.force_login(manager)
    offer = OfferFactory()
    script = "Первая строка.\nВторая строка.\nТретья строка."
    client.post(
        reverse("admin:campaigns_campaign_add"), campaign_form(offer, script_template=script)
    )
    campaign = Campaign.objects.get(code="Антивирус_vo12_CRM_MR03")
    client.post(
        reverse("admin:campaigns_campaign_change", args=[campaign.pk]),
        campaign_form(offer, script_template=script.replace("Вторая", "Новая вторая")),
    )
    history = page_text(client.get(reverse("admin:campaigns_campaign_history", args=[campaign.pk])))
    assert '<div class="history-diff-del">− Вторая строка.</div>' in history
    assert '<div class="history-diff-ins">+ Новая вторая строка.</div>' in history
    assert "Первая строка." not in history.split("history-diff")[1]


def test_a_revert_is_recorded_as_a_revert(client, manager):
    client.force_login(manager)
    offer = OfferFactory()
    client.post(reverse("admin:campaigns_campaign_add"), campaign_form(offer))
    campaign = Campaign.objects.get(code="Антивирус_vo12_CRM_MR03")
    first = campaign.history.get()
    client.post(
        reverse("admin:campaigns_campaign_change", args=[campaign.pk]),
        campaign_form(offer, priority=150),
    )
    response = client.post(
        reverse("admin:campaigns_campaign_simple_history", args=[campaign.pk, first.history_id]),
        {**campaign_form(offer), "_save": "1"},
    )
    assert response.status_code == 302
    latest = campaign.history.first()
    assert latest.history_change_reason.startswith("Возврат к версии от ")
    campaign.refresh_from_db()
    assert campaign.priority == 100


def test_an_empty_link_in_history_reads_as_nothing_not_a_deleted_object():
    """simple-history stands a DeletedObject(pk=None) in for a link that was empty («Deleted
    пользователь (pk=None)» on a dispute's history); a link to a deleted row keeps its words."""
    from django.contrib.auth import get_user_model
    from simple_history.models import DeletedObject

    from config.floor.history import NOTHING, readable
    from rewards.models import StatementDispute

    field = StatementDispute._meta.get_field("resolved_by")
    assert readable(field, DeletedObject(get_user_model(), None)) == NOTHING
    assert "(pk=7)" in readable(field, DeletedObject(get_user_model(), 7))
