from rewards.models import RewardRule


def reward_rule_list():
    return RewardRule.objects.with_relations().order_by("order", "name", "valid_from")
