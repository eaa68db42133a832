"""The answers an agent reads out: business bridges, objections with their В.З.О.Р. steps and
stock answers, closing phrases. A few dozen rows, kept per process as searchable documents while
the search version is unchanged (see `version`), and matched in Python on every database.

What counts as each one's title (matched before its body): a bridge's situation and the
customer's words it lists; an objection's name and what the customer says in its stock answers;
a closing phrase's own text.
"""

import functools
import threading
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone, translation

from knowledge_base.filling import fill, neutral
from knowledge_base.models import Bridge, ClosingPhrase, ObjectionStep, ObjectionType
from knowledge_base.search import version
from knowledge_base.search.words import stems_of

BRIDGE, OBJECTION, CLOSING, ARTICLE = "bridge", "objection", "closing_phrase", "article"


@dataclass(frozen=True)
class Doc:
    """One searchable answer: what is shown (title, url), what is matched (title_text, body)."""

    kind: str
    id: int
    key: str
    title: str
    title_text: str
    body: str
    url: str
    offer_name: str = ""
    offer_price: Decimal | None = None
    # What the snippet is cut from, when not the whole body (a bridge: its phrase, without the
    # offer's name that is matched too but shown on its own line).
    shown: str = ""

    @property
    def snippet_text(self) -> str:
        return self.shown or self.body

    @functools.cached_property
    def stems(self) -> tuple[frozenset[str], frozenset[str]]:
        """The stems of the title's and the body's words: computed once per copy."""
        return stems_of(self.title_text), stems_of(self.body)


@dataclass(frozen=True)
class _Snapshot:
    version: str
    docs: tuple[Doc, ...]


_current: _Snapshot | None = None
_lock = threading.Lock()


def documents(current: str | None = None) -> tuple[Doc, ...]:
    """Every active answer, as of the search version in force (`current`, when the caller has
    read it already)."""
    global _current
    current = current or version.current()
    snapshot = _current
    if snapshot is None or snapshot.version != current:
        with _lock:
            snapshot = _Snapshot(current, tuple(_load()))
            _current = snapshot
    return snapshot.docs


def forget() -> None:
    global _current
    _current = None


def _load():
    # The knowledge base is written in Russian: a closing phrase's stage is searched by its
    # Russian name whatever the reader's language.
    with translation.override("ru"):
        yield from _bridges()
        yield from _objections()
        yield from _closing()


def _bridges():
    # Blanks read their neutral wording here: a search result knows no account (the account's
    # panel fills them when the bridge is opened).
    blanks = neutral(timezone.localdate())
    for bridge in Bridge.objects.filter(is_active=True).select_related("offer"):
        offer = bridge.offer
        phrase = fill(bridge.phrase, blanks)
        yield Doc(
            kind=BRIDGE,
            id=bridge.pk,
            key=bridge.code,
            title=bridge.trigger,
            title_text=f"{bridge.trigger}\n{bridge.keywords}",
            body=phrase + (f"\n{offer.name}" if offer else ""),
            shown=phrase,
            url=reverse("kb:bridge", args=[bridge.code]),
            offer_name=offer.name if offer else "",
            offer_price=offer.monthly_price if offer else None,
        )


def _objections():
    steps = Prefetch(
        "steps", queryset=ObjectionStep.objects.order_by(*ObjectionStep._meta.ordering)
    )
    objections = ObjectionType.objects.filter(is_active=True).prefetch_related(
        steps, "stock_answers"
    )
    blanks = neutral(timezone.localdate())
    for objection in objections:
        answers = list(objection.stock_answers.all())
        lines = [f"«{a.customer_says}» — {fill(a.answer, blanks)}" for a in answers]
        lines += [f"{s.letter}: {fill(s.phrase, blanks)}" for s in objection.steps.all()]
        lines.append(objection.description)
        yield Doc(
            kind=OBJECTION,
            id=objection.pk,
            key=objection.code,
            title=f"«{objection.name}»",
            title_text="\n".join([objection.name, *(a.customer_says for a in answers)]),
            body="\n".join(line for line in lines if line),
            url=reverse("kb:objections") + f"#objection-{objection.code}",
        )


def _closing():
    for phrase in ClosingPhrase.objects.filter(is_active=True).order_by("order", "id"):
        yield Doc(
            kind=CLOSING,
            id=phrase.pk,
            key=str(phrase.pk),
            title=phrase.text,
            title_text=phrase.text,
            body=str(phrase.get_stage_display()),
            url=reverse("kb:objections") + f"#closing-{phrase.pk}",
        )
