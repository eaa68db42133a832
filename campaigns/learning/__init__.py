"""Learning from results: A/B script versions, propensities learned from the recorded results, the
expected-value ranking of recommendations and the month simulator that checks it.

Rooms as in an app: `models` (versions, propensities), `stats` (pure Beta-Binomial arithmetic and
the stable version assignment), `services` (versions written, promoted; the propensity refresh),
`selectors` (per-version and per-segment figures for the manager), `ranking` (pure: the expected
value of each eligible recommendation, exploration, the reason in words), `admin`, `tasks`,
`simulation` (the month simulator behind `manage.py simulate_month`).
"""
