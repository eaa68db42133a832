"""A per-process copy of what every recommendation reads and managers seldom change: the
campaigns with their offers, segments and running script versions, the peak-hours schedule, and
the propensities learned from the results (campaigns.learning; the refresh bumps the version).

A process keeps its copy while the catalogue version in Django's cache is unchanged (the cache is
shared between processes when CACHE_URL points at Redis); saving a campaign, offer, service,
segment or peak-hours window bumps the version (see `bump_on_change`). MAX_AGE bounds how stale a
copy can get when a change bypasses model signals (a queryset update) or the cache is per process:
a copy MAX_AGE old is checked against the database's rows (`_rows`, plain tuples: a fraction of
building the models) and kept, with what its readers worked out on it (`memo`, for the same day),
when none of them changed; reloaded when one did.
"""

import dataclasses
import datetime
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from campaigns.models import Campaign, PeakHours, Propensity, ScriptVersion, VersionStatus
from offers.models import Offer, Segment, Service

VERSION_KEY = "campaigns:catalogue:version"
MAX_AGE = 30.0


@dataclass(frozen=True)
class Catalogue:
    version: str
    loaded_at: float
    campaigns: dict[int, Campaign]
    peak_hours: tuple[PeakHours, ...]
    service_codes: dict[int, str] = field(default_factory=dict)
    propensities: dict[tuple, tuple[float, float]] = field(default_factory=dict)
    # The services some segment names (R12): only these place an account in a segment.
    segment_services: frozenset = frozenset()
    # What the readers work out from this copy alone (the recommendation cards' campaign-level
    # parts, by campaign, version, day and language): it lives and dies with the copy.
    memo: dict = field(default_factory=dict, compare=False, repr=False)
    # The database's rows the copy was loaded from (`_rows`), and the day its memo began.
    rows: tuple = field(default=(), compare=False, repr=False)
    day: datetime.date | None = None


_current: Catalogue | None = None
_lock = threading.Lock()


def current() -> Catalogue:
    """The catalogue as of the latest version, reloaded when the version moved or MAX_AGE passed."""
    global _current
    version = cache.get(VERSION_KEY) or bump()
    snapshot = _current
    if snapshot and snapshot.version == version and time.monotonic() - snapshot.loaded_at < MAX_AGE:
        return snapshot
    with _lock:
        snapshot = _current  # another thread may have done it while this one waited
        if snapshot and snapshot.version == version:
            if time.monotonic() - snapshot.loaded_at < MAX_AGE:
                return snapshot
            rows = _rows()
            if rows == snapshot.rows:
                snapshot = _current = _kept(snapshot)
                return snapshot
        else:
            rows = _rows()
        snapshot = _current = _load(version, rows)
    return snapshot


def _kept(snapshot: Catalogue) -> Catalogue:
    """The copy trusted for another MAX_AGE: the same campaigns and, on the same day, the same memo
    (its entries are keyed by day, so a new day starts an empty one rather than piling up)."""
    today = timezone.localdate()
    memo = snapshot.memo if snapshot.day == today else {}
    return dataclasses.replace(snapshot, loaded_at=time.monotonic(), memo=memo, day=today)


def _rows() -> tuple:
    """Every row `_load` reads, as plain tuples in a fixed order: equal rows, an equal copy."""
    return (
        tuple(Campaign.objects.order_by("pk").values_list()),
        tuple(Offer.objects.order_by("pk").values_list()),
        tuple(Service.objects.order_by("pk").values_list()),
        tuple(Segment.services.through.objects.order_by("pk").values_list()),
        tuple(Campaign.segments.through.objects.order_by("pk").values_list()),
        tuple(
            ScriptVersion.objects.filter(status=VersionStatus.RUNNING).order_by("pk").values_list()
        ),
        tuple(PeakHours.objects.filter(is_active=True).order_by("pk").values_list()),
        tuple(Propensity.objects.order_by("pk").values_list()),
    )


def bump(*args, **kwargs) -> str:
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    return version


def forget() -> None:
    """Drop this process's copy (tests)."""
    global _current
    _current = None


def _load(version: str, rows: tuple = ()) -> Catalogue:
    campaigns = {c.pk: c for c in Campaign.objects.select_related("offer__service")}
    services_of = defaultdict(set)
    for segment_id, service_id in Segment.services.through.objects.values_list(
        "segment_id", "service_id"
    ):
        services_of[segment_id].add(service_id)
    segments_of = defaultdict(list)
    for campaign_id, segment_id in Campaign.segments.through.objects.values_list(
        "campaign_id", "segment_id"
    ):
        segments_of[campaign_id].append(frozenset(services_of[segment_id]))
    versions_of = defaultdict(list)
    for script_version in ScriptVersion.objects.filter(status=VersionStatus.RUNNING).order_by(
        "label"
    ):
        versions_of[script_version.campaign_id].append(script_version)
    for campaign in campaigns.values():
        campaign.segment_sets = tuple(segments_of[campaign.pk])
        campaign.running_versions = tuple(versions_of[campaign.pk])
    peak_hours = tuple(PeakHours.objects.filter(is_active=True))
    service_codes = dict(Service.objects.values_list("id", "code"))
    propensities = {
        (level, kind, offer_id, campaign_id, segment_key, need_heard): (alpha, beta)
        for level, kind, offer_id, campaign_id, segment_key, need_heard, alpha, beta in (
            Propensity.objects.values_list(
                "level",
                "kind",
                "offer_id",
                "campaign_id",
                "segment_key",
                "need_heard",
                "alpha",
                "beta",
            )
        )
    }
    defining = frozenset().union(*services_of.values())
    return Catalogue(
        version,
        time.monotonic(),
        campaigns,
        peak_hours,
        service_codes,
        propensities,
        defining,
        rows=rows,
        day=timezone.localdate(),
    )


def bump_on_change() -> None:
    """Connected once in CampaignsConfig.ready()."""
    for model in (Campaign, Offer, Service, Segment, PeakHours, ScriptVersion):
        post_save.connect(bump, sender=model, dispatch_uid=f"catalogue-save-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"catalogue-delete-{model.__name__}")
    for through in (Campaign.segments.through, Segment.services.through):
        m2m_changed.connect(bump, sender=through, dispatch_uid=f"catalogue-m2m-{through.__name__}")
