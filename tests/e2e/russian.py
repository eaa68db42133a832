"""Russian that reads wrong: the patterns the admin used to show, found in any text.

Each pattern is a mistake a Russian reader trips on, not a style choice:
- a feminine, neuter or plural name with a masculine past participle («кампания … был добавлен»);
- a nominative feminine name after a verb that takes the accusative («Удалить кампания»);
- a number with the wrong form of the noun after it («13 кампании», «10 сотрудники», «1 записей»);
- a field label left in the nominative after «с таким» («Кампания с таким Код уже существует»);
- English or Python leaking through («None», «RewardRule_offers object (22)», «was added»).
"""

import re

# Russian plural categories: one (1, 21, 101), few (2–4, 22–24), many (0, 5–20, 25–30, 11–14).


def plural_category(n: int) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "few"
    return "many"


MONTHS_GENITIVE = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
# Words after a number that are not the counted noun (units, prepositions, dates, adjectives).
NOT_COUNTED = {*MONTHS_GENITIVE, "года", "году", "из", "по", "до", "от", "в", "и", "на", "с"}

FIXED = [
    # A masculine participle after a name that is not masculine.
    (
        "gender",
        re.compile(
            r"\b[а-яё]+(?:ия|ая|ка|ва|на|та|ра|ла|ль|ье|ие|ое|ые|ии|ки|ты|ны)\s+«[^»]*»\s+был\b"
        ),
    ),
    ("gender", re.compile(r"«[^»]*»\s+был успешно (?:добавлен|изменен|изменён|удален|удалён)\b")),
    # A verb that takes the accusative, followed by a nominative feminine noun.
    (
        "case",
        re.compile(
            r"\b(?:Добавить|Удалить|Изменить|Выберите|Просмотреть|Выбрать|Импортировать|"
            r"Экспортировать)\s+(?:[а-яё]+(?:ая|яя)\s+)?[а-яё]{3,}(?:ия|ка|ба|ва|га|да|за|на|"
            r"ра|та|ча|ща|ша|жа|ца|ля|ья)\b"
        ),
    ),
    ("case", re.compile(r"\bс таким(?:и)?\s+[А-ЯЁA-Z]")),
    ("english", re.compile(r"\bNone\b")),
    ("english", re.compile(r"\b[A-Za-z_]+ object \(\d+\)")),
    ("english", re.compile(r"\b(?:was added|was changed|was deleted|successfully)\b")),
]

COUNTED = re.compile(r"(?<![\d.,:/-])\b(\d{1,6})\s+([а-яё]{3,})\b")
# A number after these words stands in the genitive itself («в течение 4 часов», «до 5 дней»).
GENITIVE_BEFORE = re.compile(
    r"(?:течение|течении|до|от|около|более|менее|свыше|после|из|для|без|кроме|нескольких)\s+$"
)


def wrong_count(number: int, word: str) -> bool:
    """The noun form after a number is wrong for the number's plural category."""
    if word in NOT_COUNTED:
        return False
    category = plural_category(number)
    nominative_plural = word.endswith(("ии", "ы", "ики", "ники", "ели", "ели"))
    genitive_plural = word.endswith(("ий", "ов", "ев", "ей"))
    if category == "one":
        return nominative_plural or genitive_plural
    if category == "few":
        return genitive_plural or word.endswith(("ники", "ики"))
    return nominative_plural or word.endswith(("ия", "ка"))


def wrong_russian(text: str) -> list[str]:
    """The fragments of `text` that read wrong, each with the kind of mistake."""
    found = []
    for kind, pattern in FIXED:
        found += [f"{kind}: {m.group(0)}" for m in pattern.finditer(text)]
    for match in COUNTED.finditer(text):
        if GENITIVE_BEFORE.search(text[max(0, match.start() - 20) : match.start()]):
            continue
        if wrong_count(int(match.group(1)), match.group(2)):
            found.append(f"count: {match.group(0)}")
    return sorted(set(found))
