"""What rewards has to say before a campaign is launched (registered with campaigns' launch checks
in RewardsConfig.ready(): campaigns may not import rewards)."""

from django.utils.translation import gettext_lazy as _

from rewards.models import RewardRule

WARN_NO_REWARD_RULE = _(
    "No reward rule pays for the offer «%(offer)s» on the start date: agents will earn nothing "
    "for selling it."
)


def reward_rule_warning(campaign) -> str | None:
    """A warning when no reward rule valid on the campaign's start date names its offer."""
    paid = RewardRule.objects.valid_on(campaign.starts_on).filter(offers=campaign.offer_id)
    if paid.exists():
        return None
    return str(WARN_NO_REWARD_RULE % {"offer": campaign.offer.name})
