from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "rewards"
    verbose_name = _("Rewards")

    def ready(self):
        from campaigns.selectors import register_launch_check
        from rewards.selectors.launch import reward_rule_warning

        register_launch_check(reward_rule_warning)
        from rewards import events

        events.connect()
