"""Plumbing models shared by every app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`, replayed to its retries."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=255)
    scope = models.CharField(_("request"), max_length=255)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True)
    response = models.JSONField(_("response"), null=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self):
        return self.key


class WorkerHeartbeat(models.Model):
    """The last time the schedule ran a task through a worker (readiness reports its age)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    seen_at = models.DateTimeField(_("seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return self.name
