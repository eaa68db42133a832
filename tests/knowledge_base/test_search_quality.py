"""Search quality: what agents type when a customer speaks, and what they must find in the first
three results of the one list (articles, bridges, objections, closing phrases).

The phrases are fixed; the content is the seed's (the deck's). Run on SQLite and on PostgreSQL:
both must pass. A phrase names its answer by kind and key (a bridge's or objection's code, an
article's title, a closing phrase's text).
"""

import pytest

from knowledge_base import selectors

SCRIPTS = "Скрипты для работы с доп. продажами"
CRM = "Инструкция Campaign Managment"
PACKAGE = "Предложения для клиентов с пакетом услуг (допродажи)"
MONO = "Предложения для клиентов МОНО услуг (допродажи)"
REWARDS = "Что предлагаем: доп. опции и вознаграждение"

PHRASES = [
    # Objections (В.З.О.Р.)
    ("клиент говорит дорого", "objection", "expensive"),
    ("у вас дорого", "objection", "expensive"),
    ("ваш продукт слишком дорогой", "objection", "expensive"),
    ("дорага", "objection", "expensive"),
    ("я подумаю", "objection", "will_think"),
    ("клиент хочет подумать", "objection", "will_think"),
    ("мне это не нужно", "objection", "no_need"),
    ("у меня это уже есть у другого оператора", "objection", "other_operator"),
    # Business bridges
    ("у меня вирус на компьютере", "bridge", "virus"),
    ("компьютер тормозит, выскакивает реклама", "bridge", "virus"),
    ("взломали почту", "bridge", "virus"),
    ("медленный интернет", "bridge", "low-speed"),
    ("низкая скорость интернета вечером", "bridge", "low-speed"),
    ("скорасть интирнета", "bridge", "low-speed"),
    ("ребенок сидит в интернете", "bridge", "elk-child"),
    ("не могу зайти в личный кабинет", "bridge", "elk-child"),
    ("как настроить пульт", "bridge", "remote-control"),
    ("хочу поставить передачу на паузу", "bridge", "remote-control"),
    # Closing
    ("остались ли у клиента вопросы", "closing_phrase", "И.О., какие вопросы у Вас еще остались?"),
    ("клиент говорит вопросов нет, как отреагировать", "closing_phrase", "Отлично!"),
    ("как закончить разговор", "closing_phrase",
     "Закончите на позитиве! Закрепить позитивное впечатление клиента."),
    ("предложить подключить прямо сейчас", "closing_phrase",
     "Я могу прямо сейчас оформить подключение и уже завтра услуга Вам будет предоставлена."),
    # Articles
    ("антивирус касперского речевой модуль", "article", SCRIPTS),
    ("не работает интернет после оплаты", "article", SCRIPTS),
    ("финансовая блокировка", "article", SCRIPTS),
    ("клиент согласен что дальше", "article", CRM),
    ("как сохранить результат в рекомендациях", "article", CRM),
    ("что предложить клиенту с одной услугой", "article", MONO),
    ("амедиатека видеонаблюдение кино", "article", PACKAGE),
    ("вознаграждение за подключение видеонаблюдения", "article", REWARDS),
]  # fmt: skip


def _identity(hit):
    if hit.kind == "article" or hit.kind == "closing_phrase":
        return hit.kind, hit.title
    return hit.kind, hit.key


def test_thirty_phrases():
    assert len(PHRASES) == 30
    assert len({phrase for phrase, _kind, _key in PHRASES}) == 30


@pytest.mark.parametrize(("phrase", "kind", "key"), PHRASES, ids=[p[0] for p in PHRASES])
def test_the_customers_words_find_the_answer_in_the_first_three(seeded, agent, phrase, kind, key):
    hits = selectors.kb_search(user=agent, query=phrase).hits
    top = [_identity(hit) for hit in hits[:3]]
    assert (kind, key) in top, f"{phrase!r}: {top}"
