"""`seed_demo`: the deck's catalogue, the demo logins and account, volume, idempotence, refusal.

The command runs once for the module inside a transaction that is rolled back at the end; each
test runs in a savepoint inside it.
"""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from campaigns.models import (
    AgentProfile,
    Campaign,
    CampaignStatus,
    CampaignTarget,
    PaymentModel,
    SubscriberAccount,
    Team,
)
from campaigns.scripts import ScriptContext, render_script
from config.demo import STEPS
from config.floor import roles
from knowledge_base.models import Article
from offers.models import Offer, Segment
from rewards.models import RewardRule

User = get_user_model()
PROJECT_APPS = ["offers", "campaigns", "rewards", "knowledge_base", "portal"]
DEMO_ACCOUNT = "352011070411"
ANTIVIRUS_CAMPAIGNS = {"Антивирус_vo12_CRM_MR03", "TEST_CRM_MR03_W4"}

# DOMAIN.md's reward catalogue (R11), in its order: name, service, kind, amount or share.
REWARD_TABLE = [
    ("Опция «Управление просмотром»", "iptv", "fixed", Decimal("25.00")),
    ("Подписка «Волшебный мир Disney»", "iptv", "fixed", Decimal("87.50")),
    ("Подписка «Amediateka Home of HBO»", "iptv", "fixed", Decimal("75.00")),
    ("Подписка «Детский клуб»", "iptv", "fixed", Decimal("50.00")),
    ("Доп. пакет «Кино»", "iptv", "fixed", Decimal("40.00")),
    ("Доп. пакет «VIP»", "iptv", "fixed", Decimal("75.00")),
    ("Подключение тарифа «Безлимитная Россия»", "phone", "fixed", Decimal("35.00")),
    ("Опция ОТА «Твоя страна 200»", "phone", "fixed", Decimal("15.00")),
    ("Опция ОТА «Твоя страна 500»", "phone", "fixed", Decimal("40.00")),
    ("Перевод на тарифный план «Игровой»", "broadband", "fixed", Decimal("150.00")),
    ("Опции «Ускорение» и «Двойное ускорение» ШПД", "broadband", "fixed", Decimal("15.00")),
    ("Kaspersky Internet Security для 2-х устройств", "broadband", "fixed", Decimal("15.00")),
    ("Kaspersky Safe Kids", "broadband", "fixed", Decimal("15.00")),
    ("Продажа комплекта «Умный дом. Видеонаблюдение»", "broadband", "fixed", Decimal("400.00")),
    ("Допродажа услуги ШПД", "broadband", "arpu_share", Decimal("0.75")),
    ("Допродажа услуги ИТВ", "iptv", "arpu_share", Decimal("0.75")),
    ("Смена ТП ШПД на более дорогой", "broadband", "tiered", None),
]

# R12: segment → its services and the offers the deck lists for it.
R12 = {
    "broadband-iptv": ({"broadband", "iptv"}, {"Кино", "Amediateka Home of HBO"}),
    "broadband-iptv-phone": ({"broadband", "iptv", "phone"}, {"Детский клуб"}),
    "broadband": ({"broadband"}, {"Amediateka Home of HBO", "Все и сразу", "Для своих"}),
    "phone": ({"phone"}, {"Для Интернета", "Для впечатлений"}),
    "iptv": ({"iptv"}, {"Amediateka Home of HBO", "Все и сразу"}),
}

DEMO_LOGINS = [
    ("manager", "demo-manager-1", roles.MANAGERS),
    ("supervisor", "demo-supervisor-1", roles.SUPERVISORS),
    ("agent", "demo-agent-1", roles.AGENTS),
    ("agent2", "demo-agent-2", roles.AGENTS),
    ("crm", "demo-crm-1", roles.CRM),
]


def model_counts() -> dict[str, int]:
    """Rows of every model of the project's apps (history and M2M tables included), users,
    groups and tokens."""
    models = [
        model
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    models += [User, User.groups.through, Group, Group.permissions.through, Token]
    return {model._meta.label: model._default_manager.count() for model in models}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Run the command once for the module; everything it wrote is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def seeded_db(seeded, db):
    return seeded


def test_second_run_leaves_the_same_counts_and_quiet_prints_nothing(seeded_db):
    before = model_counts()
    out = StringIO()

    call_command("seed_demo", "--quiet", stdout=out)

    assert model_counts() == before
    assert out.getvalue() == ""


def test_rerun_restores_the_demo_account(seeded_db):
    account = SubscriberAccount.objects.get(number=DEMO_ACCOUNT)
    SubscriberAccount.objects.filter(pk=account.pk).update(balance=-5, financial_block=True)
    account.services.clear()

    call_command("seed_demo", "--quiet")

    account.refresh_from_db()
    assert (account.balance, account.financial_block) == (Decimal("224.55"), False)
    assert [s.code for s in account.services.all()] == ["broadband"]


def test_first_run_shows_progress(seeded_db):
    for number, step in enumerate(STEPS, start=1):
        assert f"[{number}/{len(STEPS)}] {step.name}" in seeded_db
    assert "targets: 500/" in seeded_db
    assert "CRM API token: " + Token.objects.get(user__username="crm").key in seeded_db


def test_refuses_when_demo_logins_are_not_allowed(db):
    before = model_counts()

    with override_settings(DEMO_LOGINS_ALLOWED=False), pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())

    assert model_counts() == before


def test_reward_catalogue_is_the_decks_table(seeded_db):
    # The deck's table is the first period of every rule; the demo month revises «Кино» after it.
    rules = list(
        RewardRule.objects.filter(valid_from=datetime.date(2019, 1, 1))
        .select_related("service")
        .order_by("order")
    )

    assert [
        (
            r.name,
            r.service.code,
            r.kind,
            r.arpu_share if r.kind == "arpu_share" else r.amount,
        )
        for r in rules
    ] == REWARD_TABLE
    assert {r.valid_to for r in rules if r.code != "iptv-kino"} == {None}
    revised = RewardRule.objects.filter(code="iptv-kino").order_by("valid_from")
    assert [r.amount for r in revised] == [Decimal("40.00"), Decimal("50.00")]
    tiered = rules[-1]
    assert [(b.min_increase, b.max_increase, b.amount) for b in tiered.bands.all()] == [
        (Decimal("0"), Decimal("100"), Decimal("15")),
        (Decimal("100"), Decimal("300"), Decimal("50")),
        (Decimal("300"), None, Decimal("100")),
    ]


def test_fixed_rules_pay_for_the_offers_they_name(seeded_db):
    rules = {r.name: r for r in RewardRule.objects.prefetch_related("offers")}

    def offers(name):
        return {o.code for o in rules[name].offers.all()}

    assert offers("Kaspersky Internet Security для 2-х устройств") >= {"kaspersky-2"}
    assert offers("Kaspersky Safe Kids") >= {"kaspersky-safe-kids"}
    assert {o.name for o in rules["Опции «Ускорение» и «Двойное ускорение» ШПД"].offers.all()} == {
        "Ускорение",
        "Двойное ускорение",
    }
    assert [o.name for o in rules["Доп. пакет «Кино»"].offers.all()] == ["Кино"]
    assert not offers("Допродажа услуги ШПД")


def test_antivirus_offers_of_r14(seeded_db):
    offers = {o.code: o for o in Offer.objects.filter(code__startswith="kaspersky")}

    assert offers["kaspersky-2"].name == "Kaspersky Internet Security для 2-х устройств"
    assert (offers["kaspersky-2"].monthly_price, offers["kaspersky-2"].promo_days) == (139, 30)
    assert (
        offers["kaspersky-2-safe-kids"].monthly_price,
        offers["kaspersky-2-safe-kids"].promo_days,
    ) == (238, 30)
    assert offers["kaspersky-safe-kids"].name == "Kaspersky Safe Kids"
    assert offers["kaspersky-safe-kids"].monthly_price == 99
    assert Offer.objects.get(code="speed-plus-100").name == "+100 Мбит/с"
    assert Offer.objects.get(code="iptv-view-control").name == "Управление просмотром"


def test_segments_of_r12_hold_their_services_and_offers(seeded_db):
    segments = Segment.objects.prefetch_related("services", "offers")

    assert {s.code for s in segments} == set(R12)
    for segment in segments:
        services, offers = R12[segment.code]
        assert {s.code for s in segment.services.all()} == services
        names = {o.name for o in segment.offers.all()}
        assert offers <= names
        assert ("Умный дом. Видеонаблюдение" in names) == (segment.code != "phone")


def test_demo_account_state(seeded_db):
    account = SubscriberAccount.objects.get(number=DEMO_ACCOUNT)

    assert (account.surname, account.first_name, account.patronymic) == (
        "Журавлев",
        "Евгений",
        "Михайлович",
    )
    assert account.payment_model == PaymentModel.ADVANCE
    assert account.balance == Decimal("224.55")
    assert not account.financial_block
    assert [s.code for s in account.services.all()] == ["broadband"]
    assert account.contact_phone and account.email and account.region


def test_both_antivirus_campaigns_target_the_demo_account(seeded_db):
    targets = CampaignTarget.objects.filter(account__number=DEMO_ACCOUNT).select_related(
        "campaign__offer"
    )
    antivirus = [t.campaign for t in targets if t.campaign.code in ANTIVIRUS_CAMPAIGNS]

    assert {c.code for c in antivirus} == ANTIVIRUS_CAMPAIGNS
    assert {c.offer.code for c in antivirus} == {"kaspersky-2"}
    running = Campaign.objects.running_on(timezone.localdate())
    assert set(running.values_list("code", flat=True)) >= ANTIVIRUS_CAMPAIGNS


def test_antivirus_script_reads_for_the_demo_customer(seeded_db):
    campaign = Campaign.objects.select_related("offer").get(code="Антивирус_vo12_CRM_MR03")
    account = SubscriberAccount.objects.get(number=DEMO_ACCOUNT)
    ctx = ScriptContext(
        customer=account.initials_name,
        offer=campaign.offer.name,
        monthly_price=campaign.offer.monthly_price,
        promo_days=campaign.offer.promo_days,
        speed=None,
        on=datetime.date(2026, 3, 16),
    )

    script = render_script(campaign.script_template, ctx)

    assert campaign.name == "Антивирус _ вопрос/ответ_или подключение"
    assert script.startswith("Рад(а), что смог(ла) помочь решить Ваш вопрос.")
    assert "Евгений Михайлович, подключим Антивирус" in script
    assert "30 дней бесплатного пользования" in script
    assert "{" not in script
    assert "«ДА»" in campaign.connection_script_template


def test_every_campaign_is_valid_active_owned_and_has_targets(seeded_db):
    # Thirteen campaigns running, and one draft whose reach the manager previews (campaigns.demo.reach).
    campaigns = Campaign.objects.exclude(code="Кино_черновик_MR12")
    draft = Campaign.objects.get(code="Кино_черновик_MR12")

    assert draft.status == CampaignStatus.DRAFT and draft.targets.exists()
    assert campaigns.count() == 13
    for campaign in campaigns:
        campaign.full_clean()
        assert campaign.status == CampaignStatus.ACTIVE
        assert campaign.owner.username == "manager"
        assert campaign.segments.exists()
        assert campaign.targets.exists()


def test_targets_match_the_campaign_segments(seeded_db):
    """Targets are in the campaign's segment as the CRM reported them; a new service a connected
    order brought since is the account's too (what was sold is held), and is set aside here."""
    from campaigns.orders.selectors import held_through_connected_orders
    from offers.models import Service

    campaign = Campaign.objects.get(code="ТП_Для_Интернета_CRM_MR04")
    targets = list(campaign.targets.select_related("account"))
    _sold, brought, _replaced = held_through_connected_orders(t.account_id for t in targets)
    codes = dict(Service.objects.values_list("pk", "code"))
    reported = {
        frozenset(
            set(t.account.services.values_list("code", flat=True))
            - {codes[service] for account, service in brought if account == t.account_id}
        )
        for t in targets
    }

    assert reported == {frozenset({"phone"})}


@pytest.mark.parametrize(("username", "password", "role"), DEMO_LOGINS)
def test_demo_login_authenticates_with_its_role(seeded_db, username, password, role):
    user = authenticate(RequestFactory().post("/login/"), username=username, password=password)

    assert user is not None and user.username == username
    assert list(user.groups.values_list("name", flat=True)) == [role]
    assert user.is_staff == (role in roles.STAFF_ROLES)
    assert not user.is_superuser


def test_demo_people_sit_in_their_teams(seeded_db):
    team_1 = Team.objects.get(name="Команда 1")

    assert list(team_1.supervisors.values_list("username", flat=True)) == ["supervisor"]
    assert AgentProfile.objects.get(user__username="agent").team == team_1
    assert AgentProfile.objects.get(user__username="agent2").team != team_1
    assert Token.objects.filter(user__username="crm").exists()


def test_volume_teams_agents_accounts(seeded_db):
    today = timezone.localdate()

    assert Team.objects.count() >= 3
    assert AgentProfile.objects.count() >= 30
    assert SubscriberAccount.objects.count() >= 500
    assert SubscriberAccount.objects.filter(financial_block=True).exists()
    assert AgentProfile.objects.filter(started_on__gte=today.replace(day=1)).count() >= 2
    generated = User.objects.filter(agent_profile__isnull=False).exclude(
        username__in=["agent", "agent2"]
    )
    assert not any(user.has_usable_password() for user in generated)


def test_knowledge_base_is_loaded_with_the_manager_as_owner(seeded_db):
    articles = Article.objects.filter(category__name="Допродажи")

    assert articles.count() == 4
    assert set(articles.values_list("owner__username", flat=True)) == {"manager"}


def test_demo_agent_has_callbacks_due_today_and_overdue(seeded_db):
    from campaigns.selectors import callback_counts

    counts = callback_counts(agent=User.objects.get(username="agent"))
    assert counts["today"] >= 1
    assert counts["overdue"] >= 1


def test_demo_holds_a_finished_ab_test_with_a_clear_winner_and_a_running_one(seeded_db):
    from campaigns.learning import selectors, stats
    from campaigns.models import Campaign, VersionStatus

    finished = Campaign.objects.get(code="Кино_CRM_MR04")
    rows, _needed = selectors.version_table(campaign=finished)
    by_label = {row.version.label: row for row in rows}
    assert by_label["A"].version.status == VersionStatus.RETIRED
    assert by_label["B"].version.status == VersionStatus.RUNNING
    assert finished.script_template == by_label["B"].version.script_template
    a, b = (stats.posterior(by_label[x].agreed, by_label[x].offered) for x in "AB")
    assert stats.prob_best([a, b])[1] > 0.95
    running = Campaign.objects.get(code="TEST_CRM_MR03_W4")
    rows, needed = selectors.version_table(campaign=running)
    assert [r.version.status for r in rows] == [VersionStatus.RUNNING] * 2
    assert all(r.offered for r in rows)
    assert needed != 0


def test_demo_month_has_propensities_and_the_card_explains_its_ranking(seeded_db):
    from campaigns import selectors
    from campaigns.models import Propensity

    assert Propensity.objects.filter(level="segment").exists()
    account = selectors.account_for_workspace(number=DEMO_ACCOUNT)
    recs = selectors.recommendations_for(account=account)
    assert recs[0].rank_reason.startswith("Соглашаются ~")
    assert {r.campaign.code: r.script_version for r in recs}["TEST_CRM_MR03_W4"] is not None
