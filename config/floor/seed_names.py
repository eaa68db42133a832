"""Fixed Russian names and places for generated people, so reruns produce the same people."""

import random


def _words(text: str) -> list[str]:
    return text.split()


MALE = {
    "surnames": _words("""Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров
        Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов
        Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов
        Воробьёв"""),
    "first_names": _words("""Александр Дмитрий Максим Сергей Андрей Алексей Артём Илья Кирилл Михаил
        Никита Евгений Иван Роман Владимир Олег Павел Николай Юрий Виктор"""),
    "patronymics": _words("""Александрович Дмитриевич Сергеевич Андреевич Алексеевич Михайлович
        Николаевич Владимирович Викторович Юрьевич Евгеньевич Игоревич Петрович Олегович
        Павлович"""),
}
FEMALE = {
    "surnames": _words("""Иванова Смирнова Кузнецова Попова Васильева Петрова Соколова Михайлова
        Новикова Фёдорова Морозова Волкова Алексеева Лебедева Семёнова Егорова Павлова Козлова
        Степанова Николаева Орлова Андреева Макарова Никитина Захарова Зайцева Соловьёва
        Борисова"""),
    "first_names": _words("""Анна Мария Елена Ольга Наталья Татьяна Ирина Екатерина Светлана Юлия
        Анастасия Дарья Марина Людмила Галина Ксения Виктория Алина"""),
    "patronymics": _words("""Александровна Дмитриевна Сергеевна Андреевна Алексеевна Михайловна
        Николаевна Владимировна Викторовна Юрьевна Евгеньевна Игоревна Петровна Олеговна
        Павловна"""),
}

# Weighted by repetition: most of the demo subscribers live where the demo account does.
REGIONS = [
    "Тюменская область",
    "Тюменская область",
    "Тюменская область",
    "Ханты-Мансийский автономный округ",
    "Свердловская область",
    "Курганская область",
    "Омская область",
]

_LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        _words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya"),
        strict=True,
    )
)


def person(rng: random.Random) -> tuple[str, str, str]:
    """(surname, first name, patronymic) of one gender."""
    names = rng.choice((MALE, FEMALE))
    return (
        rng.choice(names["surnames"]),
        rng.choice(names["first_names"]),
        rng.choice(names["patronymics"]),
    )


def latin(text: str) -> str:
    """A Russian word in Latin letters, for e-mail addresses."""
    return "".join(_LATIN.get(ch, ch) for ch in text.lower()).replace("_", "")
