"""The version of the knowledge base's searchable content, shared between processes.

Processes remember what is costly to rebuild for each search (the answers' words, the typo
corrections) while this version is unchanged. It has two parts:
- a token in Django's cache (shared when CACHE_URL points at Redis), moved when an article is
  saved through its services or an answer (bridge, objection, closing phrase, the offer a bridge
  names) is saved or deleted (`bump_on_change`): every process sees it at its next search;
- a fingerprint of the content itself, read by each process at most every CHECK_EVERY seconds
  (and whenever the token moves): every answer row and the offers the bridges name, hashed; the
  typo list's size and first and last words; today's date (the answers' blanks read the day's
  wording). It catches what bypasses both (a queryset update, an edit in the database, a cache
  that is not shared) within CHECK_EVERY seconds, and while nothing changed the copies are kept:
  they are no longer thrown away every 30 seconds.
"""

import hashlib
import time
import uuid

from django.core.cache import cache
from django.db.models import Count, Max, Min
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

KEY = "knowledge_base:search:version"
CHECK_EVERY = 10.0

# (token, fingerprint, when the fingerprint was read)
_seen: tuple[str, str, float] | None = None


def current() -> str:
    """The version in force: the shared token and this process's fingerprint of the content,
    read again when the token moved or CHECK_EVERY seconds have passed."""
    global _seen
    token = cache.get(KEY) or bump()
    seen = _seen
    now = time.monotonic()
    if seen is None or seen[0] != token or now - seen[2] >= CHECK_EVERY:
        seen = _seen = (token, fingerprint(), now)
    return f"{seen[0]}:{seen[1]}"


def fingerprint() -> str:
    """A digest of everything the per-process copies are built from (a few small queries)."""
    from knowledge_base.models import (
        Bridge,
        ClosingPhrase,
        ObjectionStep,
        ObjectionType,
        SearchWord,
        StockAnswer,
    )
    from offers.models import Offer

    digest = hashlib.blake2b(digest_size=12)
    digest.update(timezone.localdate().isoformat().encode())
    for model in (Bridge, ObjectionType, ObjectionStep, StockAnswer, ClosingPhrase):
        fields = [field.attname for field in model._meta.concrete_fields]
        digest.update(repr(list(model.objects.order_by("pk").values_list(*fields))).encode())
    offers = Offer.objects.filter(pk__in=Bridge.objects.values("offer_id")).order_by("pk")
    digest.update(repr(list(offers.values_list("pk", "name", "monthly_price"))).encode())
    words = SearchWord.objects.aggregate(count=Count("pk"), first=Min("pk"), last=Max("pk"))
    digest.update(repr(sorted(words.items())).encode())
    return digest.hexdigest()


def bump(*args, **kwargs) -> str:
    token = uuid.uuid4().hex
    cache.set(KEY, token, None)
    return token


def bump_on_change() -> None:
    """Move the version when an answer or an offer is saved or deleted (AppConfig.ready)."""
    from knowledge_base.models import (
        Bridge,
        ClosingPhrase,
        ObjectionStep,
        ObjectionType,
        StockAnswer,
    )
    from offers.models import Offer

    for model in (Bridge, ClosingPhrase, ObjectionStep, ObjectionType, StockAnswer, Offer):
        post_save.connect(bump, sender=model, dispatch_uid=f"kb-search-{model.__name__}-save")
        post_delete.connect(bump, sender=model, dispatch_uid=f"kb-search-{model.__name__}-del")
