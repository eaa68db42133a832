from campaigns.models import Campaign


def campaign_list():
    return Campaign.objects.with_relations().order_by("-priority", "code")
