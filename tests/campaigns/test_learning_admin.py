"""The manager's learning page per campaign: the A/B table, propensities with intervals, the
weekly trend; starting a test, promoting a version, recomputing; versions imported like scripts."""

import datetime

import pytest
import tablib
from django.urls import reverse

from campaigns.learning import propensity
from campaigns.learning.admin import ScriptVersionResource, trend_chart
from campaigns.models import ScriptVersion, VersionStatus
from tests.campaigns.factories import (
    CampaignFactory,
    CampaignTargetFactory,
    ContactHistoryEntryFactory,
    ScriptVersionFactory,
)
from tests.config.factories import SupervisorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def learning_url(campaign):
    return reverse("admin:campaigns_campaign_learning", args=[campaign.pk])


def _results(version, agreed, offered):
    for i in range(offered):
        target = CampaignTargetFactory(campaign=version.campaign)
        ContactHistoryEntryFactory(
            target=target,
            script_version=version,
            result="agreed" if i < agreed else "not_interested",
            segment_key="broadband",
        )


@pytest.fixture
def experiment(db):
    campaign = CampaignFactory(code="AB_TEST")
    a = ScriptVersionFactory(campaign=campaign, label="A", is_control=True)
    b = ScriptVersionFactory(campaign=campaign, label="B")
    _results(a, 2, 20)
    _results(b, 12, 20)
    propensity.propensities_refresh()
    return campaign, a, b


def test_the_page_shows_the_ab_table_and_the_propensities(manager_client, experiment):
    campaign, _a, _b = experiment
    response = manager_client.get(learning_url(campaign))
    assert response.status_code == 200
    versions = {row.version.label: row for row in response.context["versions"]}
    assert (versions["A"].offered, versions["A"].agreed) == (20, 2)
    assert (versions["B"].offered, versions["B"].agreed) == (20, 12)
    assert versions["B"].prob_best > 0.99
    assert versions["A"].interval[0] < 0.1 < versions["A"].interval[1]
    assert response.context["needed"] == 0
    html = response.content.decode()
    assert 'data-version="B"' in html
    assert "Продвинуть" in html or "Сделать основной" in html
    rows = response.context["propensities"]
    assert {(r.segment_key, r.need_heard) for r in rows} == {("", False), ("broadband", False)}
    assert all(r.interval[0] < r.mean < r.interval[1] for r in rows)


def test_the_page_reads_a_constant_number_of_queries(
    manager_client, experiment, django_assert_max_num_queries
):
    campaign, a, b = experiment
    manager_client.get(learning_url(campaign))
    with django_assert_max_num_queries(25) as few:
        manager_client.get(learning_url(campaign))
    _results(a, 5, 30)
    _results(b, 5, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        manager_client.get(learning_url(campaign))


def test_promote_from_the_admin_retires_the_others(manager_client, experiment):
    campaign, a, b = experiment
    url = reverse("admin:campaigns_scriptversion_promote_detail", args=[b.pk])
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == learning_url(campaign)
    a.refresh_from_db()
    assert a.status == VersionStatus.RETIRED
    campaign.refresh_from_db()
    assert campaign.script_template == b.script_template
    again = manager_client.post(
        reverse("admin:campaigns_scriptversion_promote_detail", args=[a.pk]), follow=True
    )
    assert [m.level_tag for m in again.context["messages"]] == ["error"]


def test_starting_an_ab_test_makes_the_campaigns_script_version_a(manager_client):
    campaign = CampaignFactory()
    response = manager_client.post(
        reverse("admin:campaigns_campaign_versions_start", args=[campaign.pk]), follow=True
    )
    assert response.status_code == 200
    version = ScriptVersion.objects.get(campaign=campaign)
    assert (version.label, version.is_control, version.script_template) == (
        "A",
        True,
        campaign.script_template,
    )


def test_recompute_now(manager_client, experiment):
    campaign, *_ = experiment
    response = manager_client.post(
        reverse("admin:campaigns_propensities_refresh"), {"next": learning_url(campaign)}
    )
    assert response.status_code == 302
    assert response.url == learning_url(campaign)


def test_supervisors_do_not_see_the_page(client, experiment):
    client.force_login(SupervisorFactory())
    assert client.get(learning_url(experiment[0])).status_code == 403


def test_the_campaign_page_links_to_the_learning_page(manager_client, experiment):
    campaign = experiment[0]
    html = manager_client.get(
        reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    ).content.decode()
    assert learning_url(campaign) in html


def test_versions_are_imported_like_scripts(experiment):
    campaign = experiment[0]
    data = tablib.Dataset(headers=["campaign", "label", "script_template", "weight", "is_control"])
    data.append([campaign.code, "C", "{customer}, коротко: {offer}.", 20, 0])
    data.append([campaign.code, "D", "{unknown}", 20, 0])
    result = ScriptVersionResource().import_data(data, dry_run=True)
    assert result.has_validation_errors()
    data = tablib.Dataset(headers=["campaign", "label", "script_template", "weight", "is_control"])
    data.append([campaign.code, "C", "{customer}, коротко: {offer}.", 20, 0])
    result = ScriptVersionResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert ScriptVersion.objects.filter(campaign=campaign, label="C", weight=20).exists()


def test_the_trend_chart_draws_a_line_per_context():
    monday = datetime.date(2026, 11, 2)
    chart = trend_chart(
        [
            {"week": monday, "need_heard": False, "offered": 10, "agreed": 1},
            {"week": monday, "need_heard": True, "offered": 10, "agreed": 7},
            {
                "week": monday + datetime.timedelta(weeks=1),
                "need_heard": False,
                "offered": 0,
                "agreed": 0,
            },
        ]
    )
    cold, heard = chart["lines"]
    assert [p[2] for p in cold["points"]] == [0.1]
    assert [p[2] for p in heard["points"]] == [0.7]
    assert len(chart["weeks"]) == 2
    assert trend_chart([]) == {"lines": [], "weeks": []}


def test_a_version_is_previewed_live_with_its_campaigns_offer_and_the_chosen_account(
    manager_client, experiment
):
    """Like the campaign's scripts: placeholders filled for the account typed, markup shown as
    text, the campaign's connection script read when the version has none of its own."""
    from tests.campaigns.factories import SubscriberAccountFactory

    campaign, _a, _b = experiment
    campaign.connection_script_template = "Подключаю {offer}."
    campaign.save()
    SubscriberAccountFactory(number="352000000001", first_name="Ольга", patronymic="Ивановна")
    url = reverse("admin:campaigns_scriptversion_script_preview")
    data = manager_client.post(
        url,
        {
            "campaign": campaign.pk,
            "script_template": "{customer}, {offer} <b>сегодня</b>",
            "connection_script_template": "",
            "account": "352-000-000-001",
        },
    ).json()
    offer = campaign.offer.name
    assert f"Ольга Ивановна, {offer} &lt;b&gt;сегодня&lt;/b&gt;" in data["html"]
    assert f"Подключаю {offer}." in data["html"]
    assert data["customer"] == "Ольга Ивановна"
    assert manager_client.post(url, {"campaign": "x"}).json()["customer"] == ""
    assert manager_client.get(url).status_code == 405


def test_the_version_form_carries_the_live_preview_box(manager_client, experiment):
    _campaign, a, _b = experiment
    for page in (
        reverse("admin:campaigns_scriptversion_add"),
        reverse("admin:campaigns_scriptversion_change", args=[a.pk]),
    ):
        html = manager_client.get(page).content.decode()
        assert 'data-fields="campaign,script_template,connection_script_template"' in html
        assert "portal/live_preview" in html
