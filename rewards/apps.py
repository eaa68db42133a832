from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "rewards"
    verbose_name = _("Rewards")

    def ready(self):
        from campaigns.selectors import register_launch_check, register_reward_quoter
        from rewards import quotes
        from rewards.selectors.launch import reward_rule_warning

        register_launch_check(reward_rule_warning)
        # The reward on each recommendation's card (campaigns may not import rewards).
        register_reward_quoter(quotes.reward_quotes)
        quotes.bump_on_change()
        from rewards import events

        events.connect()
