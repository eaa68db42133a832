"""The accounts' `service_mask`: their connected services as one number (SERVICE_BITS).

Rewritten from the services themselves, in one UPDATE, whenever they change: through the ORM
(`account.services.set/add/remove/clear` and the reverse side: the admin, the CRM's upsert, a
connected order, the factories) by the m2m_changed receiver connected in CampaignsConfig.ready();
writers that insert the links in bulk (the demo, the simulator, the benchmarks) call
`account_service_masks_refresh` after them.
"""

from collections.abc import Iterable

from django.db.models import Case, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed

from campaigns.models import SubscriberAccount
from campaigns.models.accounts import SERVICE_BITS


def account_service_masks_refresh(*, account_ids: Iterable[int] | None = None) -> int:
    """Recompute the mask of the given accounts (every account when None); the rows updated."""
    through = SubscriberAccount.services.through
    bits = Case(
        *[When(service__code=code, then=Value(bit)) for code, bit in SERVICE_BITS.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    mask = (
        through.objects.filter(subscriberaccount_id=OuterRef("pk"))
        .values("subscriberaccount_id")
        .annotate(mask=Sum(bits))
        .values("mask")
    )
    accounts = SubscriberAccount.objects.all()
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    return accounts.update(service_mask=Coalesce(Subquery(mask), Value(0)))


def _services_changed(*, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        account_service_masks_refresh(account_ids=[instance.pk])
        # The instance in hand too: a later save() of it must not write back the old mask.
        instance.service_mask = (
            SubscriberAccount.objects.filter(pk=instance.pk)
            .values_list("service_mask", flat=True)
            .first()
        )
    elif action == "post_clear":  # a service's accounts cleared: which they were is gone
        account_service_masks_refresh()
    elif pk_set:
        account_service_masks_refresh(account_ids=pk_set)


def keep_masks() -> None:
    """Connected once in CampaignsConfig.ready()."""
    m2m_changed.connect(
        _services_changed,
        sender=SubscriberAccount.services.through,
        dispatch_uid="campaigns-service-masks",
    )
