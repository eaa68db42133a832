"""Which script version an account sees, and the context a result is learned in.

Pure functions over the catalogue copy (campaigns.catalogue attaches `running_versions`, sorted by
label, to every campaign): no query on the request path.
"""

from campaigns.learning import stats


def version_for(campaign, account_number: str):
    """The running version of `campaign` this account sees (stable across calls), or None when
    the campaign runs no versions (its own scripts are read)."""
    versions = getattr(campaign, "running_versions", ())
    if not versions:
        return None
    return stats.assign(versions, stats.bucket(campaign.pk, account_number))


def scripts_of(campaign, version) -> tuple[str, str]:
    """The speech and agreement scripts to read: the version's, falling back to the campaign's
    agreement script when the version has none of its own."""
    if version is None:
        return campaign.script_template, campaign.connection_script_template
    return (
        version.script_template,
        version.connection_script_template or campaign.connection_script_template,
    )


def segment_key(service_ids, service_codes: dict[int, str]) -> str:
    """The account's services as one key («broadband+iptv»): the segment a result is learned in."""
    return "+".join(sorted(service_codes.get(i, str(i)) for i in service_ids))
