import datetime
from zoneinfo import ZoneInfo

from knowledge_base.models import (
    Article,
    Bridge,
    Category,
    ClosingPhrase,
    ObjectionStep,
    ObjectionType,
    StockAnswer,
    Tag,
    VzorStep,
)
from knowledge_base.seed import seed_knowledge_base

MSK = ZoneInfo("Europe/Moscow")


def test_category_tree_is_r13_in_the_decks_order(seeded):
    roots = [c.name for c in Category.objects.get_root_nodes()]
    assert roots == [
        "Справочники",
        "Тарифы и Акции",
        "Технологические Карты",
        "Техподдержка",
        "Услуги и продукты",
    ]
    products = Category.objects.get(slug="uslugi-i-produkty")
    assert [c.name for c in Category.objects.get_children(products)] == [
        "MVNO",
        "Дополнительные услуги",
        "Допродажи",
        "Интернет",
        "Клиентские сервисы",
        "Прочие услуги и услуги партнеров",
    ]


def test_the_four_upsell_articles_have_the_decks_tags_and_dates(seeded):
    articles = {a.title: a for a in Article.objects.filter(category__slug="doprodazhi")}
    assert len(articles) == 4
    scripts = articles["Скрипты для работы с доп. продажами"]
    assert sorted(scripts.tags.values_list("name", flat=True)) == sorted(
        ["Доп. опции", "Описание доп.услуги", "Речевой Модуль", "Управление услугами/договорами"]
    )
    assert scripts.published_at == datetime.datetime(2019, 4, 8, 16, 47, tzinfo=MSK)
    crm = articles["Инструкция Campaign Managment"]
    assert sorted(crm.tags.values_list("name", flat=True)) == ["CRM", "CRM Amdocs 8.1"]
    assert crm.published_at == datetime.datetime(2019, 4, 4, 16, 8, tzinfo=MSK)
    package = articles["Предложения для клиентов с пакетом услуг (допродажи)"]
    assert package.published_at == datetime.datetime(2019, 6, 7, 14, 52, tzinfo=MSK)
    assert "| Сегмент ШПД+ТВ | Сегмент ШПД+ТВ+ОТА |" in package.body
    mono = articles["Предложения для клиентов МОНО услуг (допродажи)"]
    assert mono.published_at == datetime.datetime(2019, 6, 7, 14, 51, tzinfo=MSK)
    assert "ТП «Для впечатлений»" in mono.body
    assert "139 руб." in scripts.body and "238 руб." in scripts.body
    assert all(a.status == "published" and a.owner.username == "manager" for a in articles.values())


def test_bridges_link_the_offers_that_exist(seeded, kb_offers):
    bridges = {b.code: b for b in Bridge.objects.select_related("offer")}
    assert bridges["virus"].offer == kb_offers["kaspersky-2"]
    assert bridges["low-speed"].offer == kb_offers["speed-plus-100"]
    assert bridges["elk-child"].offer == kb_offers["kaspersky-safe-kids"]
    assert bridges["remote-control"].offer == kb_offers["iptv-view-control"]
    assert "антивирус на два устройства" in bridges["virus"].phrase


def test_bridges_without_the_catalogue_have_no_offer(db, manager):
    seed_knowledge_base(owner=manager)
    assert Bridge.objects.count() == 4
    assert not Bridge.objects.filter(offer__isnull=False).exists()


def test_objections_carry_vzor_with_the_tv_example_and_stock_answers(seeded):
    codes = list(ObjectionType.objects.values_list("code", "name"))
    assert codes == [
        ("expensive", "дорого"),
        ("will_think", "я подумаю"),
        ("no_need", "нет необходимости"),
        ("other_operator", "есть у другого оператора"),
    ]
    expensive = ObjectionType.objects.get(code="expensive")
    steps = list(expensive.steps.filter(service=None, offer=None))
    assert [s.letter for s in steps] == ["В", "З", "О", "Р"]
    assert "{price_a_day}" in steps[3].phrase
    # The deck's example (Интерактивное ТВ) answers on the TV's cards, not on every card.
    tv = expensive.steps.get(step=VzorStep.ANSWER, service__code="iptv")
    assert "170 телеканалов" in tv.phrase
    assert "170 телеканалов" not in steps[2].phrase
    antivirus = expensive.steps.get(step=VzorStep.ANSWER, offer__code="kaspersky-2")
    assert "вирус" in antivirus.phrase
    assert StockAnswer.objects.get(customer_says="Я подумаю").objection.code == "will_think"
    assert StockAnswer.objects.get(customer_says="У вас дорого").objection == expensive
    assert ClosingPhrase.objects.filter(text="Отлично!").exists()


def test_seeding_twice_changes_nothing(seeded, manager):
    models = [Category, Article, Article.history.model, Tag, Bridge, ObjectionType]
    models += [ObjectionStep, StockAnswer, ClosingPhrase]
    before = {m: m.objects.count() for m in models}
    seed_knowledge_base(owner=manager)
    assert {m: m.objects.count() for m in models} == before
