from offers.models import Offer


def offer_list():
    return Offer.objects.with_relations().order_by("service__order", "name")
