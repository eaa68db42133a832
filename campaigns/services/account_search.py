"""Finding an account by its number without listing the base (issue 11 §3).

An agent could list every account (number and name) in about a hundred prefix searches. Now:

| typed (spaces and dashes dropped) | answer                                            |
|-----------------------------------|---------------------------------------------------|
| empty                             | nothing (no audit row)                            |
| 12 digits                         | that account, or «no account» (found 1 or 0)      |
| ACCOUNT_SEARCH_MIN_PREFIX–11 digits | at most ACCOUNT_SEARCH_LIMIT accounts by number |
| fewer digits, or not digits       | refused: «type at least N digits», nothing run    |

Every non-empty query writes an audit row (who, what, how many found, page or API); the pages
and the API also count look-ups per user (config.floor.throttles, `account_search`).
"""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import AccountSearch, SearchChannel, SubscriberAccount
from campaigns.models.accounts import is_account_number, normalise_account_number

ACCOUNT_SEARCH_MIN_PREFIX = 8
ACCOUNT_SEARCH_LIMIT = 10
ERR_TOO_SHORT = _("Type all 12 digits, or at least %(digits)d to see matching accounts.")


@dataclass
class SearchOutcome:
    query: str
    account: SubscriberAccount | None = None
    matches: list = field(default_factory=list)
    refused: str = ""


def account_search(*, user, typed: str, channel: str = SearchChannel.PAGE) -> SearchOutcome:
    query = normalise_account_number(typed)[:40]
    if not query:
        return SearchOutcome(query="")
    outcome = SearchOutcome(query=query)
    if is_account_number(query):
        outcome.account = SubscriberAccount.objects.filter(number=query).first()
        found = int(outcome.account is not None)
    elif query.isdigit() and len(query) >= ACCOUNT_SEARCH_MIN_PREFIX:
        outcome.matches = list(
            SubscriberAccount.objects.filter(number__startswith=query).order_by("number")[
                :ACCOUNT_SEARCH_LIMIT
            ]
        )
        found = len(outcome.matches)
    else:
        outcome.refused = str(ERR_TOO_SHORT % {"digits": ACCOUNT_SEARCH_MIN_PREFIX})
        found = 0
    account_search_record(user=user, query=query, found=found, channel=channel)
    return outcome


def account_search_record(*, user, query: str, found: int, channel: str) -> AccountSearch:
    return AccountSearch.objects.create(
        user=user, query=query[:40], found=found, channel=channel, searched_at=timezone.now()
    )
