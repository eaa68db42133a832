"""Writes of the learning: script versions started and promoted; the propensity refresh lives in
`campaigns.learning.propensity` and is re-exported here."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.learning.models import ScriptVersion, VersionStatus
from campaigns.learning.propensity import propensities_refresh  # noqa: F401  (re-exported)
from campaigns.models import Campaign
from config.floor.errors import Conflict

ERR_VERSION_RETIRED = _("A retired version cannot be promoted: copy its text into a new version.")
ERR_VERSIONS_EXIST = _("The campaign already runs script versions.")

CONTROL_LABEL = "A"


@transaction.atomic
def versions_start(*, campaign: Campaign, label: str = CONTROL_LABEL) -> ScriptVersion:
    """Start an A/B test: the campaign's own scripts become the control version, weight 50."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.script_versions.running().exists():
        raise Conflict(ERR_VERSIONS_EXIST, code="versions_exist")
    version = ScriptVersion(
        campaign=campaign,
        label=label,
        script_template=campaign.script_template,
        connection_script_template=campaign.connection_script_template,
        weight=50,
        is_control=True,
    )
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def version_add(
    *,
    campaign: Campaign,
    label: str,
    script_template: str,
    connection_script_template: str = "",
    weight: int = 50,
    is_control: bool = False,
) -> ScriptVersion:
    """A running version (checked like a script: placeholders)."""
    version = ScriptVersion(
        campaign=campaign,
        label=label,
        script_template=script_template,
        connection_script_template=connection_script_template,
        weight=weight,
        is_control=is_control,
    )
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def version_promote(*, version: ScriptVersion, now=None) -> ScriptVersion:
    """«Promote»: this version becomes the campaign's script and the only one shown; the others
    are retired, never deleted, so the experiment and its results stay readable."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().get(pk=version.campaign_id)
    version = ScriptVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.RUNNING:
        raise Conflict(ERR_VERSION_RETIRED, code="version_retired")
    for other in campaign.script_versions.running().exclude(pk=version.pk):
        other.status = VersionStatus.RETIRED
        other.retired_at = now
        other.save(update_fields=["status", "retired_at"])
    version.is_control = True
    version.weight = 100
    version.save(update_fields=["is_control", "weight"])
    campaign.script_template = version.script_template
    if version.connection_script_template:
        campaign.connection_script_template = version.connection_script_template
    campaign.save(update_fields=["script_template", "connection_script_template", "updated_at"])
    return version
