"""`manage.py simulate_month`: a month of calls through the real eligibility and ranking, in a
throw-away database (the test runner's), printing conversions, revenue and regret vs the oracle."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import setup_databases, teardown_databases

from campaigns.learning.simulation import DAYS, RANKINGS, load_truth, simulate


def _positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Simulate a month of calls (static priority, adaptive expected value, or the oracle that "
        "knows the truth) in a throw-away database; deterministic for a seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=_positive, default=2000)
        parser.add_argument("--calls", type=_positive, default=5000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--ranking", choices=RANKINGS, default="adaptive")
        parser.add_argument("--truth", help="JSON file: the campaigns and their acceptance.")
        parser.add_argument("--days", type=_positive, default=DAYS)
        parser.add_argument(
            "--explore", type=int, default=10, help="Exploration share, %, of the adaptive run."
        )

    def handle(self, *args, **options):
        truth = self._truth(options["truth"])
        if not 0 <= options["explore"] <= 100:
            raise CommandError("--explore must be between 0 and 100")
        state = setup_databases(
            verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=[]
        )
        try:
            result = simulate(
                accounts=options["accounts"],
                calls=options["calls"],
                seed=options["seed"],
                ranking=options["ranking"],
                truth=truth,
                days=options["days"],
                explore=options["explore"],
                progress=lambda day, r: self.stderr.write(
                    f"day {day}/{options['days']}: {r.calls:,} calls, {r.offers:,} offers, "
                    f"{r.conversions:,} agreed"
                ),
            )
        finally:
            teardown_databases(state, verbosity=0)
        self.stdout.write(
            f"ranking: {result.ranking} (seed {options['seed']}, {options['accounts']:,} accounts, "
            f"{options['calls']:,} calls, {options['days']} days)\n"
            f"offers: {result.offers:,}\n"
            f"conversions: {result.conversions:,} ({result.conversion_rate:.1%} of offers)\n"
            f"revenue: {result.revenue:,.2f} ₽ a month\n"
            f"regret vs oracle: {result.regret:,.1f} expected agreements "
            f"({result.regret / max(result.calls, 1):.2%} of calls)"
        )

    def _truth(self, path):
        if not path:
            return None
        try:
            truth = load_truth(path)
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read the truth file {path}: {error}") from error
        if not isinstance(truth, list) or not all(
            isinstance(row, dict) and {"code", "kind", "price", "priority", "truth"} <= set(row)
            for row in truth
        ):
            raise CommandError(
                "the truth file must be a JSON list of {code, kind, price, priority, truth}: "
                + json.dumps(
                    {
                        "code": "SIM_1",
                        "kind": "option",
                        "price": "139",
                        "priority": 100,
                        "truth": {"bb": [0.1, 0.6]},
                    },
                    ensure_ascii=False,
                )
            )
        return truth
