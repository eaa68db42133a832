"""What every demo step shares: the run context, progress output and idempotent upserts.

Each step is a function `run(ctx) -> dict[str, int]` returning the counts it reports. Steps find the
objects of earlier steps by natural key, so a step can be re-run, reordered or appended later.
"""

import datetime
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

# One fixed seed: every run generates the same names, numbers and balances.
SEED = "upsell-demo-2019"
PROGRESS_EVERY = 100


@dataclass
class SeedContext:
    """The state of one `seed_demo` run: today's date, where progress goes, the generators."""

    today: datetime.date = field(default_factory=timezone.localdate)
    # Anything with write(message), e.g. a command's OutputWrapper; None keeps the run silent.
    stdout: Any = None

    def write(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    def rng(self, name: str) -> random.Random:
        """A generator of its own for each kind of volume, so steps do not disturb each other."""
        return random.Random(f"{SEED}:{name}")

    @property
    def month_start(self) -> datetime.date:
        return self.today.replace(day=1)

    def progress(self, label: str, done: int, total: int) -> None:
        """A progress line every PROGRESS_EVERY rows, and one at the end."""
        if done == total or done % PROGRESS_EVERY == 0:
            self.write(f"    {label}: {done}/{total}")


@dataclass(frozen=True)
class Step:
    """One named step of the demo data."""

    name: str
    run: Callable[[SeedContext], dict[str, int]]


class Tally(dict):
    """Counts of created and updated rows for a step's report."""

    def add(self, key: str, n: int = 1) -> None:
        self[key] = self.get(key, 0) + n


def _differs(obj: models.Model, name: str, value) -> bool:
    field_ = obj._meta.get_field(name)
    if field_.is_relation:
        return getattr(obj, field_.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def upsert(
    model: type[models.Model],
    *,
    lookup: dict,
    values: dict,
    tally: Tally | None = None,
    clean: bool = True,
) -> models.Model:
    """Get the row by its natural key; create it, or save it only when a value differs.

    Unlike update_or_create, an unchanged row is not saved again, so a re-run writes nothing and
    adds no change-history rows.
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        status = "created"
    else:
        changed = [name for name, value in values.items() if _differs(obj, name, value)]
        if not changed:
            return obj
        for name in changed:
            setattr(obj, name, values[name])
        status = "updated"
    if clean:
        obj.full_clean()
    obj.save()
    if tally is not None:
        tally.add(status)
    return obj


def set_m2m(obj: models.Model, name: str, targets: Iterable[models.Model]) -> None:
    """Make a many-to-many relation exactly `targets`, touching nothing when it already is."""
    manager = getattr(obj, name)
    wanted = {target.pk for target in targets}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(wanted)


def sync_through(
    through: type[models.Model],
    owner_field: str,
    other_field: str,
    owner_ids: Iterable[int],
    wanted: set[tuple[int, int]],
) -> tuple[int, int]:
    """Make the rows of a many-to-many table for `owner_ids` exactly `wanted`, in bulk.

    Returns (added, removed). Used for the volume (hundreds of accounts) where `.set()` per row is
    too slow.
    """
    owner_ids = list(owner_ids)
    owner_col, other_col = f"{owner_field}_id", f"{other_field}_id"
    rows = through.objects.filter(**{f"{owner_col}__in": owner_ids})
    existing = {
        (owner, other): pk for pk, owner, other in rows.values_list("pk", owner_col, other_col)
    }
    stale = [pk for pair, pk in existing.items() if pair not in wanted]
    if stale:
        through.objects.filter(pk__in=stale).delete()
    missing = [
        through(**{owner_col: owner, other_col: other})
        for owner, other in sorted(wanted - existing.keys())
    ]
    through.objects.bulk_create(missing, batch_size=500, ignore_conflicts=True)
    return len(missing), len(stale)
