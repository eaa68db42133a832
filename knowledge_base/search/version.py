"""The version of the knowledge base's searchable content, shared between processes.

Processes remember what is costly to rebuild for each search (the answers' words, the typo
corrections) while this version is unchanged. It lives in Django's cache (shared when CACHE_URL
points at Redis) and moves when an article is saved through its services or an answer (bridge,
objection, closing phrase, the offer a bridge names) is saved or deleted (`bump_on_change`);
MAX_AGE bounds how long a process trusts it, for changes that bypass both (a queryset update) or
a cache that is not shared.
"""

import time
import uuid

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

KEY = "knowledge_base:search:version"
MAX_AGE = 30.0

_seen: tuple[str, float] | None = None


def current() -> str:
    """The version in force; a new one once MAX_AGE has passed since this process last
    started trusting the cached one (so nothing stays stale longer)."""
    global _seen
    version = cache.get(KEY) or bump()
    if _seen is None or _seen[0] != version:
        _seen = (version, time.monotonic())
    elif time.monotonic() - _seen[1] >= MAX_AGE:
        version = bump()
        _seen = (version, time.monotonic())
    return version


def bump(*args, **kwargs) -> str:
    version = uuid.uuid4().hex
    cache.set(KEY, version, None)
    return version


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
